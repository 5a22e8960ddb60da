// The Run Command shim's SigV4 check against requests the AWS SDK really signed, and the same
// requests tampered with: another signature, another body, a date off by more than 15 minutes,
// a host other than the one the request arrives on.
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunCommandShim, type RunningShim } from '../../../cli/sandbox/emulators/runcommand/server.js';
import { verifySigV4 } from '../../../cli/sandbox/emulators/runcommand/sigv4.js';
import { freePort } from '../../_helpers/ports.js';
import { sandboxKey } from '../../_helpers/sandbox.js';

const key = sandboxKey();

interface Signed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

class Captured extends Error {
  constructor(readonly signed: Signed) {
    super('captured');
  }
}

/** A GetParameter request exactly as the SDK signs it for `endpoint`, never sent. */
async function signedBySdk(
  endpoint: string,
  options: { clockOffsetMs?: number; credentials?: typeof key } = {},
): Promise<Signed> {
  const client = new SSMClient({
    region: 'us-east-1',
    endpoint,
    credentials: options.credentials ?? key,
    maxAttempts: 1,
    systemClockOffset: options.clockOffsetMs ?? 0,
    requestHandler: {
      handle: (req: { method: string; path: string; headers: Record<string, string>; body?: unknown }) => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
        const body = typeof req.body === 'string' ? Buffer.from(req.body) : Buffer.from(req.body as Uint8Array);
        return Promise.reject(new Captured({ method: req.method, path: req.path, headers, body }));
      },
    },
  });
  try {
    await client.send(new GetParameterCommand({ Name: '/yourdiscord/main/token', WithDecryption: true }));
  } catch (error) {
    if (error instanceof Captured) return error.signed;
    throw error;
  }
  throw new Error('the SDK sent nothing');
}

function verify(signed: Signed, options: Parameters<typeof verifySigV4>[5] = {}) {
  return verifySigV4(signed.method, signed.path, signed.headers, signed.body, key, options);
}

describe('verifySigV4', () => {
  const endpoint = 'http://127.0.0.1:4599';
  const on = { address: '127.0.0.1', port: 4599 };

  it('accepts a request the SDK signed with the sandbox key, for the host it arrives on', async () => {
    const signed = await signedBySdk(endpoint);
    expect(signed.headers.host).toBe('127.0.0.1:4599');
    expect(verify(signed, { receivedOn: on })).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret', async () => {
    const signed = await signedBySdk(endpoint, {
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: 'x'.repeat(40) },
    });
    expect(verify(signed, { receivedOn: on })).toMatchObject({
      ok: false,
      code: 'InvalidSignatureException',
      message: expect.stringContaining('signature we calculated does not match'),
    });
  });

  it('refuses a signature with one digit changed', async () => {
    const signed = await signedBySdk(endpoint);
    const auth = signed.headers.authorization;
    const last = auth.at(-1) === '0' ? '1' : '0';
    signed.headers.authorization = auth.slice(0, -1) + last;
    expect(verify(signed)).toMatchObject({ ok: false, code: 'InvalidSignatureException' });
  });

  it('refuses a body other than the one that was signed', async () => {
    const signed = await signedBySdk(endpoint);
    const body = Buffer.from(signed.body.toString().replace('token', 'other'));
    // Without the x-amz-content-sha256 header the shim hashes the body itself for the signature.
    delete signed.headers['x-amz-content-sha256'];
    signed.headers.authorization = signed.headers.authorization.replace('x-amz-content-sha256;', '');
    expect(verify({ ...signed, body }, { receivedOn: on })).toMatchObject({
      ok: false,
      code: 'InvalidSignatureException',
      message: expect.stringContaining('signature we calculated does not match'),
    });
  });

  it('refuses a body whose hash differs from the x-amz-content-sha256 it claims', async () => {
    const signed = await signedBySdk(endpoint);
    // The SDK signs the SHA-256 of the body it sends; the body then changes under it.
    expect(signed.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const tampered = { ...signed, body: Buffer.concat([signed.body, Buffer.from(' ')]) };
    expect(verify(tampered, { receivedOn: on })).toMatchObject({
      ok: false,
      code: 'InvalidSignatureException',
      message: expect.stringContaining("'x-amz-content-sha256' header does not match"),
    });
  });

  it('refuses an x-amz-date more than 15 minutes in the past or the future, accepts 14 minutes', async () => {
    const past = await signedBySdk(endpoint, { clockOffsetMs: -16 * 60_000 });
    expect(verify(past, { receivedOn: on })).toMatchObject({
      ok: false,
      code: 'InvalidSignatureException',
      message: expect.stringContaining('Signature expired'),
    });
    const future = await signedBySdk(endpoint, { clockOffsetMs: 16 * 60_000 });
    expect(verify(future, { receivedOn: on })).toMatchObject({
      ok: false,
      message: expect.stringContaining('not yet current'),
    });
    const close = await signedBySdk(endpoint, { clockOffsetMs: -14 * 60_000 });
    expect(verify(close, { receivedOn: on })).toEqual({ ok: true });
  });

  it('judges the date against the given clock', async () => {
    const signed = await signedBySdk(endpoint);
    expect(verify(signed, { now: new Date(Date.now() + 20 * 60_000) })).toMatchObject({ ok: false });
  });

  it('refuses a request signed for another host or port than the one it arrives on', async () => {
    const signed = await signedBySdk('http://127.0.0.1:4600');
    expect(verify(signed, { receivedOn: on })).toMatchObject({
      ok: false,
      code: 'InvalidSignatureException',
      message: expect.stringContaining("signed for host '127.0.0.1:4600'"),
    });
    const other = await signedBySdk('http://example.com:4599');
    expect(verify(other, { receivedOn: on })).toMatchObject({ ok: false });
    const localhost = await signedBySdk('http://localhost:4599');
    expect(verify(localhost, { receivedOn: on })).toEqual({ ok: true });
  });

  it('refuses a signature that does not cover the host', async () => {
    const signed = await signedBySdk(endpoint);
    signed.headers.authorization = signed.headers.authorization.replace(
      /SignedHeaders=([^,]+)/,
      (_, list: string) =>
        `SignedHeaders=${list
          .split(';')
          .filter((h) => h !== 'host')
          .join(';')}`,
    );
    expect(verify(signed)).toMatchObject({ ok: false, message: expect.stringContaining("'host' must be a signed") });
  });
});

describe('the shim refuses badly signed requests with AWS-like errors', () => {
  let shim: RunningShim;

  beforeAll(async () => {
    // Nothing listens on moto's port: a request that passes the check is forwarded and gets 503.
    shim = await startRunCommandShim({
      port: await freePort(),
      motoEndpoint: `http://127.0.0.1:${await freePort()}`,
      credentials: key,
      instancesFile: '/nonexistent/instances.json',
      binDir: '/nonexistent',
      baseEnv: {},
    });
  });
  afterAll(() => shim.close());

  function send(signed: Signed, host?: string) {
    return new Promise<{ status: number; type?: string; body: { __type?: string; message?: string } }>(
      (resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: shim.port,
            method: signed.method,
            path: signed.path,
            headers: { ...signed.headers, ...(host ? { host } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                type: res.headers['x-amzn-errortype'] as string | undefined,
                body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as { __type?: string },
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(signed.body);
      },
    );
  }

  it('lets a well-signed request through', async () => {
    const res = await send(await signedBySdk(shim.url));
    expect(res.status).toBe(503);
  });

  it('answers 403 InvalidSignatureException to a tampered body, a stale date and a replay to another port', async () => {
    const good = await signedBySdk(shim.url);
    const body = await send({ ...good, body: Buffer.from(good.body.toString().replace('main', 'prod')) });
    expect(body).toMatchObject({ status: 403, type: 'InvalidSignatureException' });
    expect(body.body.message).toMatch(/does not match/);

    const stale = await send(await signedBySdk(shim.url, { clockOffsetMs: -20 * 60_000 }));
    expect(stale).toMatchObject({ status: 403, body: { __type: 'InvalidSignatureException' } });
    expect(stale.body.message).toMatch(/Signature expired/);

    const replay = await send(await signedBySdk(`http://127.0.0.1:${shim.port + 1}`));
    expect(replay).toMatchObject({ status: 403, body: { __type: 'InvalidSignatureException' } });
    expect(replay.body.message).toMatch(/signed for host/);
  });
});
