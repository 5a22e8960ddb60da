// A deployment started while another holds the lock is refused by the lock check alone: before
// terraform init, before every preflight check, with the holder, its command and the expiry.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandDefinition, CommandInput } from '../../../../cli/command.js';
import type { Context } from '../../../../cli/core/context.js';
import { keys } from '../../../../cli/core/storage.js';
import { ExitCode } from '../../../../cli/errors.js';
import { coreContext, FakeWorld, type TestContext } from '../../../_helpers/fakes.js';

const preflight = vi.hoisted(() => ({ calls: 0 }));
const opened = vi.hoisted(() => ({ ctx: undefined as unknown }));

// The commands open their context through openContext: here it hands over the fake context and
// runs the real prepareContext on it, so what a command asks for before its work is what runs.
vi.mock('../../../../cli/context.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../cli/context.js')>();
  return {
    ...real,
    openContext: async (_input: unknown, options: Parameters<typeof real.prepareContext>[1]) => {
      const ctx = opened.ctx as Context;
      await real.prepareContext(ctx, options);
      return { ...ctx, dispose: async () => {} };
    },
  };
});
vi.mock('../../../../cli/preflight/run.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../../cli/preflight/run.js')>()),
  runPreflight: async () => {
    preflight.calls++;
    return { ok: true, checks: [] };
  },
}));

const { prepareContext } = await import('../../../../cli/context.js');
const commands: Record<string, CommandDefinition> = {
  migrate: (await import('../../../../cli/commands/migrate.js')).default,
  deploy: (await import('../../../../cli/commands/deploy.js')).default,
  rollback: (await import('../../../../cli/commands/rollback.js')).default,
};

const PORTS = [
  'terraform',
  'instances',
  'remote',
  'logs',
  'store',
  'releases',
  'identity',
  'secrets',
  'alarms',
  'discord',
  'commandProbe',
  'publisher',
] as const;

/** The context with every port call recorded, in order ("store.get <key>", "terraform.init"). */
function recording(ctx: TestContext): { ctx: TestContext; calls: string[] } {
  const calls: string[] = [];
  const wrapped = { ...ctx } as Record<string, unknown>;
  for (const name of PORTS) {
    const port = (ctx as unknown as Record<string, object | undefined>)[name];
    if (!port) continue;
    wrapped[name] = new Proxy(port, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(prop)}${typeof args[0] === 'string' ? ` ${args[0]}` : ''}`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
  return { ctx: wrapped as unknown as TestContext, calls };
}

function seedLock(ctx: TestContext, expiresInMs: number): TestContext {
  const now = ctx.clock.now();
  ctx.store.seed(
    keys.lock('test'),
    JSON.stringify({
      holder: 'bob@ci',
      command: 'deploy',
      since: new Date(now - 30_000).toISOString(),
      renewedAt: new Date(now - 10_000).toISOString(),
      expiresAt: new Date(now + expiresInMs).toISOString(),
    }),
    // Last renewed 10 s ago on S3's clock too.
    { ageMs: 10_000 },
  );
  return ctx;
}

const HELD =
  'another deployment holds the lock of test: bob@ci is running "deploy" since 2026-11-26T09:59:30.000Z (lock expires 2026-11-26T10:01:30.000Z)';

describe('the lock is checked before anything else', () => {
  beforeEach(() => {
    preflight.calls = 0;
  });

  it('a held lock: exit 5 naming holder, command and expiry; the lock read is the only call (no terraform init)', async () => {
    const { ctx, calls } = recording(seedLock(coreContext(new FakeWorld()), 90_000));
    const error = await prepareContext(ctx, { lockFree: true, terraform: true }).catch((e) => e);
    expect(error.code).toBe(ExitCode.locked);
    expect(error.message).toBe(HELD);
    expect(error.fix).toBe('wait for it, or if it is dead: ydeploy lock release --force --env test');
    expect(calls).toEqual([`store.get ${keys.lock('test')}`]);
  });

  it('no lock, or an expired one: the lock read first, then terraform init', async () => {
    for (const expiresInMs of [undefined, -1000]) {
      const base = coreContext(new FakeWorld());
      const { ctx, calls } = recording(expiresInMs === undefined ? base : seedLock(base, expiresInMs));
      await prepareContext(ctx, { lockFree: true, terraform: true });
      expect(calls).toEqual([`store.get ${keys.lock('test')}`, 'terraform.init']);
    }
  });

  it('a lock that cannot be read is left to the checks that follow (they say why, with a fix)', async () => {
    const { ctx, calls } = recording(coreContext(new FakeWorld()));
    ctx.store.get = async () => {
      throw new Error('AWS rejected the credentials');
    };
    await prepareContext(ctx, { lockFree: true, terraform: true });
    expect(calls).toEqual([`store.get ${keys.lock('test')}`, 'terraform.init']);
  });

  const runs: [string, Record<string, unknown>][] = [
    ['migrate', {}],
    ['deploy', {}],
    ['rollback', {}],
    ['rollback', { emergency: true }],
    ['deploy', { resume: true }],
  ];
  for (const [name, options] of runs) {
    const flags = Object.keys(options).map((o) => ` --${o}`);
    it(`${name}${flags.join('')} with preflight on: exit 5 before terraform init and before preflight`, async () => {
      const { ctx, calls } = recording(seedLock(coreContext(new FakeWorld()), 90_000));
      opened.ctx = ctx;
      const error = await commands[name].run!(input(name, options)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ExitCode.locked, message: HELD });
      expect(preflight.calls).toBe(0);
      expect(calls).toEqual([`store.get ${keys.lock('test')}`]);
    });
  }

  it('a dry run takes no lock, so it is not refused', async () => {
    const { ctx, calls } = recording(seedLock(coreContext(new FakeWorld()), 90_000));
    opened.ctx = ctx;
    await commands.migrate.run!(input('migrate', { dryRun: true })).catch(() => undefined);
    expect(calls[0]).toBe('terraform.init');
    expect(calls).not.toContain(`store.get ${keys.lock('test')}`);
  });
});

function input(name: string, options: Record<string, unknown>): CommandInput {
  const ctx = opened.ctx as TestContext;
  return {
    command: [name],
    args: [],
    options,
    globals: { env: 'test', json: false, yes: true, color: false, verbose: false },
    reporter: ctx.reporter,
    signal: ctx.signal,
    killSignal: ctx.killSignal,
    cwd: process.cwd(),
    env: {},
  };
}
