// The flag layer end to end: argv parsed by the real commander program (cli/main.ts, each
// command's declaration and handler) reaches the flows with the options the user gave. The
// context and the flows are replaced by recorders, so a flag dropped or renamed anywhere between
// the command line and the flow fails here.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.js';
import { capture } from '../output/streams.js';

const calls = vi.hoisted(() => ({
  open: [] as { globals: Record<string, unknown>; options: Record<string, unknown> }[],
  rollback: [] as Record<string, unknown>[],
  deploy: [] as Record<string, unknown>[],
  migrate: [] as Record<string, unknown>[],
  preflight: [] as Record<string, unknown>[],
  scale: [] as Record<string, unknown>[],
}));

const flowOutcome = { deploymentId: 'd-1', state: { release: 'v2', newId: 'i-new' } };

vi.mock('../../../cli/context.js', () => ({
  openContext: (input: { globals: Record<string, unknown>; reporter: unknown }, options: Record<string, unknown>) => {
    calls.open.push({ globals: input.globals, options });
    return Promise.resolve({
      env: { name: String(input.globals.env) },
      reporter: input.reporter,
      clock: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5) },
      publisher: { build: () => Promise.resolve({ dir: '/nonexistent/ydeploy-flags-test' }) },
      dispose: () => Promise.resolve(),
    });
  },
}));
vi.mock('../../../cli/core/flows/rollback.js', () => ({
  rollbackSteps: [],
  rollback: (_ctx: unknown, options: Record<string, unknown>) => {
    calls.rollback.push(options);
    return Promise.resolve(flowOutcome);
  },
}));
vi.mock('../../../cli/core/flows/deploy.js', () => ({
  deploySteps: [],
  freshDeploy: () => Promise.reject(new Error('not planned in this test')),
  deploy: (_ctx: unknown, options: Record<string, unknown>) => {
    calls.deploy.push(options);
    return Promise.resolve(flowOutcome);
  },
}));
// These environments run one instance: the sharded fleet's flows are not chosen.
vi.mock('../../../cli/core/flows/fleet.js', () => ({
  fleetRun: () => Promise.resolve(false),
  fleetDeploy: () => Promise.reject(new Error('not a fleet in this test')),
  fleetRollbackTarget: () => Promise.reject(new Error('not a fleet in this test')),
}));
vi.mock('../../../cli/core/flows/scale.js', async (importOriginal) => ({
  layoutFor: (await importOriginal<typeof import('../../../cli/core/flows/scale.js')>()).layoutFor,
  scale: (_ctx: unknown, options: Record<string, unknown>) => {
    calls.scale.push(options);
    return Promise.resolve({ state: { nextCount: 8, next: [1, 2, 3, 4], oldCount: 4, old: [1, 2] }, steps: [] });
  },
}));
vi.mock('../../../cli/core/flows/migrate.js', () => ({
  migrateSteps: [],
  freshMigrate: () => Promise.reject(new Error('not planned in this test')),
  migrateOnly: () => undefined,
  migrate: (_ctx: unknown, options: Record<string, unknown>) => {
    calls.migrate.push(options);
    return Promise.resolve({ state: {} });
  },
}));
vi.mock('../../../cli/preflight/run.js', () => ({
  runPreflight: (_ctx: unknown, options: Record<string, unknown>) => {
    calls.preflight.push(options);
    return Promise.resolve();
  },
}));
vi.mock('../../../cli/release/summary.js', () => ({
  bundleLines: () => [],
  bundleSummary: () => ({}),
}));

async function run(argv: string[]): Promise<number> {
  return main(argv, { stdout: capture(), stderr: capture(), env: {}, cwd: process.cwd() });
}

beforeEach(() => {
  for (const list of Object.values(calls)) list.length = 0;
});

describe('flags reach the flow', () => {
  it('scale --shards 8 --instances 4 --dry-run reaches the resharding flow, and takes no lock', async () => {
    expect(await run(['scale', '--shards', '8', '--instances', '4', '--dry-run', '--env', 'production'])).toBe(0);
    expect(calls.scale).toEqual([expect.objectContaining({ shards: 8, instances: 4, dryRun: true })]);
    expect(calls.open[0]).toMatchObject({ options: { terraform: true, lockFree: false } });
  });

  it('scale refuses a count that is not a whole number, and an uneven split, before the flow', async () => {
    expect(await run(['scale', '--shards', 'eight', '--env', 'production'])).toBe(2);
    expect(await run(['scale', '--shards', '8', '--instances', '5', '--env', 'production'])).toBe(2);
    expect(await run(['scale', '--env', 'production'])).toBe(2);
    expect(calls.scale).toEqual([]);
  });

  it('rollback --emergency reaches the rollback flow as emergency, enhanced not destroyed', async () => {
    expect(await run(['rollback', '--emergency', '--env', 'production', '--yes'])).toBe(0);
    expect(calls.rollback).toEqual([expect.objectContaining({ emergency: true })]);
    expect(calls.rollback[0].destroyEnhanced).toBeFalsy();
    expect(calls.rollback[0].dryRun).toBeFalsy();
    expect(calls.open[0]).toMatchObject({ globals: { env: 'production', yes: true }, options: { lockFree: true } });
  });

  it('a planned rollback is not an emergency one', async () => {
    expect(await run(['rollback', '--env', 'production'])).toBe(0);
    expect(calls.rollback[0].emergency).toBeFalsy();
    expect(calls.open[0].globals.yes).toBe(false);
  });

  it('rollback --emergency --destroy-enhanced --dry-run carries all three, and takes no lock', async () => {
    expect(await run(['rollback', '--emergency', '--destroy-enhanced', '--dry-run', '-e', 'staging'])).toBe(0);
    expect(calls.rollback).toEqual([expect.objectContaining({ emergency: true, destroyEnhanced: true, dryRun: true })]);
    expect(calls.open[0]).toMatchObject({ globals: { env: 'staging' }, options: { lockFree: false } });
  });

  it('rollback --to v1 --resume reaches the deploy flow as an existing release', async () => {
    expect(await run(['rollback', '--to', 'v1', '--resume', '--env', 'production'])).toBe(0);
    expect(calls.rollback).toEqual([]);
    expect(calls.deploy).toEqual([
      expect.objectContaining({ release: 'v1', existing: true, command: 'rollback', resume: true }),
    ]);
  });

  it('deploy --dry-run reaches the deploy flow as a dry run, without preflight or the lock', async () => {
    expect(await run(['deploy', '--dry-run', '--release', 'v2', '--env', 'production', '-y'])).toBe(0);
    expect(calls.deploy).toEqual([expect.objectContaining({ release: 'v2', dryRun: true })]);
    expect(calls.preflight).toEqual([]);
    expect(calls.open[0]).toMatchObject({ globals: { yes: true }, options: { lockFree: false } });
  });

  it('deploy without --dry-run runs preflight, then a real deploy; --skip-preflight skips it', async () => {
    expect(await run(['deploy', '--release', 'v2', '--env', 'production', '--yes'])).toBe(0);
    expect(calls.preflight).toHaveLength(1);
    expect(calls.deploy[0].dryRun).toBeFalsy();
    expect(await run(['deploy', '--release', 'v3', '--env', 'production', '--skip-preflight'])).toBe(0);
    expect(calls.preflight).toHaveLength(1);
    expect(calls.deploy[1]).toMatchObject({ release: 'v3' });
  });

  it('migrate --step 2 --dry-run reaches the migrate flow as step 2, dry', async () => {
    expect(await run(['migrate', '--step', '2', '--dry-run', '--env', 'production'])).toBe(0);
    expect(calls.migrate).toEqual([expect.objectContaining({ step: 2, dryRun: true })]);
  });

  it('global options given after the command still reach it', async () => {
    expect(await run(['rollback', '--emergency', '--yes', '--env', 'production', '--json'])).toBe(0);
    expect(calls.open[0].globals).toMatchObject({ yes: true, json: true, env: 'production' });
  });
});
