// `ydeploy preflight --env sandbox` as a user runs it: every check passes against the sandbox,
// then fails for its real reason (a wrong bucket, a token the emulator rejects, a missing
// parameter, terraform missing), set up through the config file's sandbox overrides.
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import type { SandboxState } from '../../../cli/sandbox/state-files.js';
import { freePort } from '../../_helpers/ports.js';
import { isolatedEnv, privateBuild, resultOf, ydeploy as run } from '../../_helpers/sandbox.js';
import { requireTool } from '../../_helpers/tools.js';

let cwd: string;
let env: NodeJS.ProcessEnv;
let state: SandboxState;
let build: Awaited<ReturnType<typeof privateBuild>>;
const REJECTED = 'a.token-the-emulator.never-issued';

async function preflight(dir: string, args: string[] = []) {
  const out = await run(['preflight', '--env', 'sandbox', '--skip-tests', '--json', ...args], env, dir, build.bin);
  const events = out.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
  const checks = Object.fromEntries(events.filter((e) => e.type === 'check').map((e) => [e.id, e]));
  return { ...out, checks, result: resultOf(out.stdout) };
}

/** A project folder whose config overrides the built-in sandbox environment. */
async function projectWith(name: string, sandbox: Record<string, unknown>): Promise<string> {
  const dir = join(cwd, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ydeploy.config.json'), JSON.stringify({ environments: { sandbox } }, null, 2));
  return dir;
}

beforeAll(async () => {
  requireTool('terraform');
  requireTool('moto_server');
  build = await privateBuild();
  cwd = await mkdtemp(join(tmpdir(), 'ydeploy-preflight-e2e-'));
  env = isolatedEnv(join(cwd, '.ydeploy', 'sandbox'), (await freePort()) - ((await freePort()) % 100) + 70);
  const up = await run(['sandbox', 'up', '--json'], env, cwd, build.bin);
  if (up.code !== 0) throw new Error(`sandbox up failed (${up.code}):\n${up.stderr}\n${up.stdout}`);
  state = JSON.parse(await readFile(sandboxFiles(env.YDEPLOY_SANDBOX_DIR!).state, 'utf8')) as SandboxState;
  const ssm = new SSMClient({
    region: state.region,
    endpoint: state.endpoints.aws,
    credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
  });
  await ssm.send(
    new PutParameterCommand({ Name: '/ydeploy/sandbox/rejected-token', Type: 'SecureString', Value: REJECTED }),
  );
});

afterAll(async () => {
  if (env) await run(['sandbox', 'down', '--purge'], env, cwd, build.bin);
  if (cwd) await rm(cwd, { recursive: true, force: true });
  await build?.cleanup();
});

describe('ydeploy preflight in the sandbox', () => {
  it('passes every check, with a drift summary against desired.json', async () => {
    const { code, checks, result, stderr, seconds } = await preflight(cwd);
    expect(Object.values(checks).filter((c: any) => !c.ok)).toEqual([]);
    expect(code, stderr).toBe(0);
    expect(result).toMatchObject({ type: 'result', ok: true, environment: 'sandbox' });
    expect(Object.keys(checks).sort()).toEqual([
      'aws-credentials',
      'bot-tests',
      'discord-token',
      'drift',
      'identify-budget',
      'lock',
      'release-bucket',
      'state-bucket',
      'state-bucket-encryption',
      'state-bucket-public-access',
      'state-bucket-tls',
      'state-bucket-versioning',
      'terraform',
      'terraform-module',
      'token-parameter',
    ]);
    expect(checks['discord-token'].reason).toMatch(/^bot ydeploy-bot \(\d+\); \d+ of \d+ session starts left$/);
    expect(checks['identify-budget'].reason).toMatch(
      /^\d+ of \d+ session starts left, max_concurrency 1, .*; a deploy of 1 shard needs 12 with margin$/,
    );
    expect(checks['drift'].reason).toBe('no drift: the infrastructure matches desired.json');
    expect(checks['lock'].reason).toBe('no lock');
    // sandbox up hardens its state bucket as init --harden-bucket does (the TLS policy aside).
    expect(checks['state-bucket-versioning'].ok).toBe(true);
    expect(checks['state-bucket-tls'].reason).toMatch(/^not required in the sandbox/);
    console.info(`preflight in the sandbox (tests skipped): ${seconds.toFixed(1)} s`);
  });

  it('fails on a wrong bucket, a missing parameter and a missing terraform, each for its reason (exit 3)', async () => {
    const dir = await projectWith('broken', {
      stateBucket: 'ydeploy-sandbox-no-such-bucket',
      tokenParameter: '/ydeploy/sandbox/absent',
      terraform: { binary: join(cwd, 'no-terraform') },
    });
    const { code, checks, result } = await preflight(dir);
    expect(code).toBe(3);
    expect(checks['state-bucket']).toMatchObject({
      ok: false,
      reason:
        's3://ydeploy-sandbox-no-such-bucket does not exist or these credentials may not use it (HeadBucket: 404/403)',
    });
    expect(checks['token-parameter']).toMatchObject({
      ok: false,
      reason: 'SSM parameter /ydeploy/sandbox/absent does not exist in us-east-1',
      fix: 'ydeploy init --store-token --env sandbox',
    });
    expect(checks['terraform'].ok).toBe(false);
    expect(checks['terraform'].reason).toContain('terraform not found');
    expect(checks['release-bucket'].ok).toBe(true);
    expect(checks['aws-credentials'].ok).toBe(true);
    expect(result.error.why).toMatch(
      /^3 checks failed: state bucket reachable; Discord token parameter is a SecureString; terraform is installed/,
    );
  });

  it('fails on a token the Discord emulator rejects, and never prints it', async () => {
    const dir = await projectWith('rejected', {
      tokenParameter: '/ydeploy/sandbox/rejected-token',
      stateBucket: 'ydeploy-sandbox-no-such-bucket',
    });
    const { code, checks, stdout, stderr } = await preflight(dir);
    expect(code).toBe(3);
    expect(checks['discord-token']).toMatchObject({
      ok: false,
      reason: 'Discord rejected the token in /ydeploy/sandbox/rejected-token (401 Unauthorized)',
    });
    expect(stdout + stderr).not.toContain(REJECTED);
    expect(stdout + stderr).not.toContain(state.discordToken);
  });
});
