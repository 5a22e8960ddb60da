// Preflight against real services: moto (STS, S3, SSM), the Discord emulator and real terraform
// with the bundled module. Each failing check fails for its real reason.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { startDiscordEmulator, type DiscordEmulator } from '../../../cli/sandbox/emulators/discord/index.js';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { pluginDir, requireTool } from '../../_helpers/tools.js';

let moto: Moto;
let discord: DiscordEmulator;
let dir: string;
const GOOD = 'emulator.accepts.this-token';

beforeAll(async () => {
  requireTool('terraform');
  [moto, discord] = await Promise.all([startMoto(), startDiscordEmulator({ tokens: [GOOD] })]);
  const clients = {
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const s3 = new S3Client({ ...clients, forcePathStyle: true });
  const ssm = new SSMClient(clients);
  for (const Bucket of ['pf-state', 'pf-releases']) await s3.send(new CreateBucketCommand({ Bucket }));
  // The state bucket as `ydeploy init --harden-bucket` leaves it (its TLS-only policy aside: moto
  // is plain http here and would enforce it).
  await s3.send(new PutBucketVersioningCommand({ Bucket: 'pf-state', VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: 'pf-state',
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    }),
  );
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: 'pf-state',
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  await ssm.send(new PutParameterCommand({ Name: '/pf/token', Type: 'SecureString', Value: GOOD }));
  await ssm.send(
    new PutParameterCommand({
      Name: '/pf/rejected',
      Type: 'SecureString',
      Value: 'a.token-the-emulator.does-not-know',
    }),
  );
  await ssm.send(new PutParameterCommand({ Name: '/pf/plain', Type: 'String', Value: GOOD }));
  const lock = {
    holder: 'ana@ci',
    command: 'deploy',
    since: new Date().toISOString(),
    renewedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
  await s3.send(
    new PutObjectCommand({ Bucket: 'pf-state', Key: 'ydeploy/locked/lock.json', Body: JSON.stringify(lock) }),
  );

  dir = await mkdtemp(join(tmpdir(), 'ydeploy-preflight-'));
  const base = {
    region: 'us-east-1',
    stateBucket: 'pf-state',
    releaseBucket: 'pf-releases',
    tokenParameter: '/pf/token',
    discordApi: discord.apiBase,
    terraform: { pluginDir: pluginDir() },
  };
  const config = {
    project: 'pf',
    environments: {
      good: base,
      wrongbucket: { ...base, stateBucket: 'pf-no-such-bucket' },
      rejected: { ...base, tokenParameter: '/pf/rejected' },
      noparam: { ...base, tokenParameter: '/pf/absent' },
      plain: { ...base, tokenParameter: '/pf/plain' },
      notf: { ...base, terraform: { binary: join(dir, 'no-terraform-here') } },
      locked: base,
    },
  };
  await writeFile(join(dir, 'ydeploy.config.json'), JSON.stringify(config, null, 2));
});

afterAll(async () => {
  await Promise.all([moto?.stop(), discord?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function preflight(env: string, extra: string[] = ['--skip-tests']) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const processEnv = { ...process.env, ...moto.env, TF_CLI_CONFIG_FILE: '' };
  const code = await main(['preflight', '--env', env, '--json', ...extra], {
    cwd: dir,
    stdout: stdout as never,
    stderr: stderr as never,
    env: processEnv,
  });
  const events = out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
  const checks = Object.fromEntries(events.filter((e) => e.type === 'check').map((e) => [e.id, e]));
  return { code, events, checks, result: events.at(-1)!, err, out };
}

describe('preflight against moto, the Discord emulator and terraform', () => {
  it('passes in a healthy environment', async () => {
    const { code, checks, result, out } = await preflight('good');
    expect(result).toMatchObject({ type: 'result', ok: true, environment: 'good' });
    expect(code).toBe(0);
    expect(Object.values(checks).filter((c: any) => !c.ok)).toEqual([]);
    expect(checks['aws-credentials'].reason).toMatch(/^account \d{12} as arn:aws:/);
    expect(checks['state-bucket'].reason).toBe('s3://pf-state is reachable');
    expect(checks['discord-token'].reason).toMatch(/^bot ydeploy-bot \(\d+\); \d+ of 1000 session starts left$/);
    expect(checks['identify-budget'].reason).toMatch(
      /^\d+ of 1000 session starts left, max_concurrency \d+, resets at \S+Z \((now|in [^)]+)\); a deploy of 1 shard needs 12 with margin$/,
    );
    expect(checks['terraform'].reason).toMatch(/^terraform 1\.\d+/);
    expect(checks['terraform-module'].reason).toMatch(/^initialised and valid/);
    expect(checks['drift'].reason).toMatch(/^no desired state yet/);
    expect(checks['bot-tests']).toMatchObject({ ok: true, skipped: true });
    expect(out).not.toContain(GOOD);
  });

  it('fails on a bucket that does not exist (exit 3)', async () => {
    const { code, checks, result } = await preflight('wrongbucket');
    expect(code).toBe(3);
    expect(checks['state-bucket']).toMatchObject({
      ok: false,
      reason: 's3://pf-no-such-bucket does not exist or these credentials may not use it (HeadBucket: 404/403)',
    });
    expect(result).toMatchObject({ type: 'result', ok: false, exitCode: 3 });
    expect(result.error.why).toMatch(/^1 check failed: state bucket reachable/);
    expect(result.error.details.checks).toHaveLength(Object.keys(checks).length);
  });

  it('fails on a token the Discord emulator rejects, without printing it', async () => {
    const { code, checks, out, err } = await preflight('rejected');
    expect(code).toBe(3);
    expect(checks['discord-token']).toMatchObject({
      ok: false,
      reason: 'Discord rejected the token in /pf/rejected (401 Unauthorized)',
    });
    expect(out + err).not.toContain('a.token-the-emulator.does-not-know');
  });

  it('fails on a missing token parameter, and on one that is not a SecureString', async () => {
    const missing = await preflight('noparam');
    expect(missing.code).toBe(3);
    expect(missing.checks['token-parameter']).toMatchObject({
      ok: false,
      reason: 'SSM parameter /pf/absent does not exist in us-east-1',
      fix: 'ydeploy init --store-token --env noparam',
    });
    expect(missing.checks['discord-token']).toMatchObject({ ok: false, skipped: true });
    const plain = await preflight('plain');
    expect(plain.checks['token-parameter'].reason).toBe(
      'SSM parameter /pf/plain is a String, so the token is stored unencrypted',
    );
  });

  it('fails when terraform is missing', async () => {
    const { code, checks } = await preflight('notf');
    expect(code).toBe(3);
    expect(checks['terraform'].ok).toBe(false);
    expect(checks['terraform'].reason).toContain('terraform not found');
    expect(checks['terraform-module']).toMatchObject({
      skipped: true,
      reason: 'not run: needs "terraform is installed"',
    });
  });

  it('fails while another deployment holds the lock', async () => {
    const { code, checks } = await preflight('locked');
    expect(code).toBe(3);
    expect(checks['lock'].reason).toMatch(/^ana@ci holds the lock: "deploy" since /);
  });

  it('prints each check with its reason and fix for a human', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c) => (err += c));
    const code = await main(['preflight', '--env', 'noparam', '--skip-tests'], {
      cwd: dir,
      stdout: new PassThrough() as never,
      stderr: stderr as never,
      env: { ...process.env, ...moto.env, TF_CLI_CONFIG_FILE: '' },
    });
    expect(code).toBe(3);
    expect(err).toMatch(
      /✖ Discord token parameter is a SecureString \(\d+\.\ds\) — SSM parameter \/pf\/absent does not exist in us-east-1/,
    );
    expect(err).toContain('    → ydeploy init --store-token --env noparam');
    expect(err).toContain('↷ Discord token is valid — not run: needs "Discord token parameter is a SecureString"');
    expect(err).toMatch(/✔ state bucket reachable/);
    expect(err).toContain(
      '✖ preflight failed: 1 check failed: Discord token parameter is a SecureString (2 not run because of it)',
    );
  });
});
