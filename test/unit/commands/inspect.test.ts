// The read-only commands through main(): what could not be read shows as unknown and the exit
// says so; no AWS credentials is one error with the fix. The context is the in-memory fakes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.js';
import { CredentialsError } from '../../../cli/errors.js';
import type { Context } from '../../../cli/core/context.js';
import { FakeAlarms, FakeClock, FakeInstances, FakeLogStore, FakeRemote } from '../inspect/fakes.js';
import { MemoryStore, testEnv } from '../../_helpers/fakes.js';
import { capture } from '../output/streams.js';

const opened: { ctx?: Partial<Context> } = {};
vi.mock('../../../cli/context.js', () => ({
  openContext: async (input: { reporter: Context['reporter']; signal: AbortSignal }) => ({
    ...opened.ctx,
    reporter: input.reporter,
    signal: input.signal,
    dispose: async () => {},
  }),
}));

afterEach(() => {
  opened.ctx = undefined;
});

function context(): Partial<Context> & { store: MemoryStore } {
  return {
    env: testEnv('test'),
    clock: new FakeClock(),
    instances: new FakeInstances([]),
    remote: new FakeRemote(() => new Promise(() => {})),
    logs: new FakeLogStore(),
    store: new MemoryStore('state'),
    alarms: new FakeAlarms([]),
  };
}

async function run(argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, { stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const noCredentials = () =>
  Promise.reject(
    new CredentialsError(
      'cannot read s3://state/ydeploy/test/lock.json',
      'no AWS credentials were found (x)',
      'missing',
      {
        fix: 'name an AWS profile (--profile <name>, AWS_PROFILE=<name>), or `aws configure`; or --env sandbox',
      },
    ),
  );

describe('ydeploy status', () => {
  it('everything read: free, none, exit 0', async () => {
    opened.ctx = context();
    const out = await run(['status', '--env', 'test']);
    expect(out.stdout).toContain('Lock  free');
    expect(out.stdout).toContain('Last deployment  none');
    expect(out.code).toBe(0);
  });

  it('a section that could not be read shows as unknown and exits 1', async () => {
    const ctx = context();
    ctx.store.get = () => Promise.reject(new Error('cannot read s3://state/ydeploy/test/lock.json: AccessDenied'));
    ctx.alarms = { list: () => Promise.reject(new Error('cannot read CloudWatch alarms: AccessDenied')) };
    opened.ctx = ctx;
    const out = await run(['status', '--env', 'test']);
    expect(out.stdout).toContain('Lock  unknown (could not be read)');
    expect(out.stdout).toMatch(/Alarms\n {2}unknown/);
    expect(out.stdout).not.toContain('free');
    expect(out.stderr).toMatch(/the status of test is incomplete: .*alarms.* could not be read and show as unknown/);
    expect(out.code).toBe(1);
  });

  it('--json: unreadable sections are absent and listed as unknown, ok false, exit 1', async () => {
    const ctx = context();
    ctx.store.get = () => Promise.reject(new Error('cannot read lock: AccessDenied'));
    opened.ctx = ctx;
    const out = await run(['status', '--env', 'test', '--json']);
    const result = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.type === 'result')!;
    expect(result).toMatchObject({ ok: false, unknown: expect.arrayContaining(['lock', 'network']) });
    expect(result).not.toHaveProperty('lock');
    expect(result.alarms).toEqual([]);
    expect(out.code).toBe(1);
  });

  it('no AWS credentials: one error with the fix, no screen, exit 2', async () => {
    const ctx = context();
    ctx.store.get = noCredentials;
    ctx.store.list = noCredentials;
    ctx.alarms = { list: noCredentials };
    ctx.instances = { list: noCredentials, describe: noCredentials, stop: noCredentials };
    ctx.logs = Object.assign(new FakeLogStore(), { streams: noCredentials });
    opened.ctx = ctx;
    const out = await run(['status', '--env', 'test']);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('✖ cannot read the status of test: no AWS credentials were found (x)');
    expect(out.stderr.match(/no AWS credentials/g)).toHaveLength(1);
    expect(out.stderr).toContain('→ name an AWS profile');
    expect(out.stderr).not.toMatch(/rejected|free|none/);
    expect(out.code).toBe(2);
  });
});

describe('ydeploy lock status', () => {
  it('a lock that could not be read is an error, never "not locked"', async () => {
    const ctx = context();
    ctx.store.get = () => Promise.reject(new Error('cannot read s3://state/ydeploy/test/lock.json: AccessDenied'));
    opened.ctx = ctx;
    const out = await run(['lock', 'status', '--env', 'test']);
    expect(out.stdout).not.toContain('not locked');
    expect(out.stderr).toContain('cannot read s3://state/ydeploy/test/lock.json: AccessDenied');
    expect(out.code).not.toBe(0);
  });

  it('no AWS credentials: the one error with the fix, exit 2', async () => {
    const ctx = context();
    ctx.store.get = noCredentials;
    opened.ctx = ctx;
    const out = await run(['lock', 'status', '--env', 'test']);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('no AWS credentials were found');
    expect(out.stderr).toContain('→ name an AWS profile');
    expect(out.code).toBe(2);
  });
});

describe('ydeploy monitor', () => {
  it('rounds that could not be read exit 1, not 0, when nothing alerted', async () => {
    const ctx = context();
    ctx.alarms = { list: () => Promise.reject(new Error('cannot read CloudWatch alarms: AccessDenied')) };
    opened.ctx = ctx;
    const out = await run(['monitor', '--env', 'test', '--duration', '2m', '--interval', '60s']);
    expect(out.stderr).toContain('cannot read alarms: cannot read CloudWatch alarms: AccessDenied');
    expect(out.stdout).toContain('round(s) could not read the instances, alarms or metrics');
    expect(out.code).toBe(1);
  });
});

describe('ydeploy health and history', () => {
  it.each([['health'], ['history']])('%s without AWS credentials: the one error with the fix, exit 2', async (name) => {
    const ctx = context();
    ctx.store.get = noCredentials;
    ctx.store.list = noCredentials;
    ctx.instances = { list: noCredentials, describe: noCredentials, stop: noCredentials };
    opened.ctx = ctx;
    const out = await run([name, '--env', 'test']);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('no AWS credentials were found');
    expect(out.stderr).toContain('→ name an AWS profile');
    expect(out.code).toBe(2);
  });
});
