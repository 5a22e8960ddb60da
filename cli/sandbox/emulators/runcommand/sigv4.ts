// The shim accepts only requests signed with the sandbox's own key: it recomputes the SigV4
// signature (AWS4-HMAC-SHA256) over the headers the client signed, as AWS does. A request is
// refused when the signature differs, when the body is not the one that was signed (its SHA-256
// is what the signature covers), when x-amz-date is more than 15 minutes from the shim's clock,
// and when the host it was signed for is not the address it arrived on (a replay to another
// endpoint). The checks are done here with node:crypto, independently of the SDK's signer.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type AuthErrorCode =
  'MissingAuthenticationTokenException' | 'UnrecognizedClientException' | 'InvalidSignatureException';

export type AuthResult = { ok: true } | { ok: false; code: AuthErrorCode; message: string };

/** Where the request arrived: the shim's own address and port on that connection. */
export interface ReceivedOn {
  address: string;
  port: number;
}

export interface VerifyOptions {
  /** When the request is judged; defaults to now. */
  now?: Date;
  /** Set by the server: the signed host must name this address and port. */
  receivedOn?: ReceivedOn;
}

/** How far x-amz-date may be from the shim's clock, either way (AWS's limit). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

const PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function verifySigV4(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  credentials: Credentials,
  options: VerifyOptions = {},
): AuthResult {
  const authorization = headers.authorization;
  if (!authorization)
    return {
      ok: false,
      code: 'MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    };
  const match = PATTERN.exec(authorization.trim());
  if (!match)
    return invalid('Authorization header is not AWS4-HMAC-SHA256 with Credential, SignedHeaders and Signature');
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  if (accessKeyId !== credentials.accessKeyId) {
    return {
      ok: false,
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  }
  if (service !== 'ssm') return invalid(`Credential should be scoped to correct service: 'ssm'. (got '${service}')`);
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date'])
    if (!names.includes(required))
      return invalid(`'${required}' must be a signed header (SignedHeaders=${signedHeaders})`);

  const amzDate = String(headers['x-amz-date'] ?? '');
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) return invalid(`x-amz-date '${amzDate}' is not a date of the form YYYYMMDD'T'HHMMSS'Z'`);
  if (amzDate.slice(0, 8) !== date)
    return invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}'`,
    );
  const now = options.now ?? new Date();
  if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_SKEW_MS) {
    const edge = formatAmzDate(new Date(now.getTime() + (signedAt < now ? -MAX_SKEW_MS : MAX_SKEW_MS)));
    return invalid(
      signedAt < now
        ? `Signature expired: ${amzDate} is now earlier than ${edge} (${formatAmzDate(now)} - 15 min.)`
        : `Signature not yet current: ${amzDate} is still later than ${edge} (${formatAmzDate(now)} + 15 min.)`,
    );
  }

  const host = headerValue(headers, 'host');
  if (options.receivedOn && !sameEndpoint(host, options.receivedOn))
    return mismatch(`The request was signed for host '${host}' but received on ${formatEndpoint(options.receivedOn)}.`);

  const bodyHash = sha256(body);
  const claimed = headers['x-amz-content-sha256'];
  if (claimed !== undefined && String(claimed) !== bodyHash)
    return mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.");

  const [path, query = ''] = url.split('?');
  const canonicalHeaders = names.map((name) => `${name}:${headerValue(headers, name)}\n`).join('');
  const canonicalRequest = [method, path || '/', canonicalQuery(query), canonicalHeaders, signedHeaders, bodyHash].join(
    '\n',
  );
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    return mismatch('The request signature we calculated does not match the signature you provided.');
  return { ok: true };
}

function invalid(message: string): AuthResult {
  return { ok: false, code: 'InvalidSignatureException', message };
}

function mismatch(message: string): AuthResult {
  return {
    ok: false,
    code: 'InvalidSignatureException',
    message: `${message} Check your AWS Secret Access Key and signing method.`,
  };
}

/** "host[:port]" names the endpoint when the port matches and the host is that address or loopback. */
function sameEndpoint(host: string, on: ReceivedOn): boolean {
  const parsed = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.toLowerCase());
  if (!parsed) return false;
  const [, name, port = '80'] = parsed;
  if (Number(port) !== on.port) return false;
  const address = on.address.replace(/^::ffff:/, '');
  const loopback = address === '::1' || address.startsWith('127.');
  return name === address || name === `[${address}]` || (loopback && LOOPBACK_NAMES.has(name));
}

function formatEndpoint(on: ReceivedOn): string {
  const address = on.address.replace(/^::ffff:/, '');
  return address.includes(':') ? `[${address}]:${on.port}` : `${address}:${on.port}`;
}

function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCDate() === d && date.getUTCMonth() === mo - 1 ? date : undefined;
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .map((pair) => pair.split('=').map((part) => encodeURIComponent(decodeURIComponent(part))))
    .sort(([a, x = ''], [b, y = '']) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v = '']) => `${k}=${v}`)
    .join('&');
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
