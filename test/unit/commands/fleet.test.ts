// health and logs on a sharded fleet, through main(): --shard and --group pick the desired
// state's groups, bad ones are usage errors naming the fleet, and every line names its group.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.js';
import type { Context } from '../../../cli/core/context.js';
import { emptyDesired, type ShardGroupState } from '../../../cli/core/desired/state.js';
import {
  FakeAlarms,
  FakeClock,
  FakeInstances,
  FakeLogStore,
  FakeRemote,
  healthAnswer,
  healthyBody,
  instance,
} from '../inspect/fakes.js';
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

const T0 = Date.parse('2026-11-26T10:00:00Z');
const env = testEnv('test');
const group = (release: string, shards: number[], role: ShardGroupState['role'] = 'active'): ShardGroupState => ({
  release,
  shards,
  shard_count: 4,
  role,
});

function fleet(groups: Record<string, ShardGroupState> | null) {
  const instances = new FakeInstances([
    instance('i-a', 'enhanced', { shards: [0, 1], shardCount: 4 }),
    instance('i-b', 'enhanced', { shards: [2, 3], shardCount: 4 }),
  ]);
  const remote = new FakeRemote((id) =>
    healthAnswer(id, 200, {
      ...healthyBody(),
      shards: (id === 'i-a' ? [0, 1] : [2, 3]).map((s) => ({ id: s, status: 'ready', guilds: 10, ping: 40 })),
      shardCount: 4,
    }),
  );
  const logs = new FakeLogStore();
  logs.put('i-a-bot', T0 - 3000, '{"level":30,"msg":"shard 0 ready"}');
  logs.put('i-b-bot', T0 - 2000, '{"level":30,"msg":"shard 2 ready"}');
  logs.put('i-a-health', T0 - 1000, '{"level":30,"msg":"GET /health 200"}');
  const store = new MemoryStore('state');
  if (groups) store.seed('ydeploy/test/desired.json', JSON.stringify({ ...emptyDesired(env), shard_groups: groups }));
  const ctx: Partial<Context> = {
    env,
    clock: new FakeClock(T0),
    instances,
    remote,
    logs,
    store,
    alarms: new FakeAlarms([]),
  };
  opened.ctx = ctx;
  return { remote, logs, ctx };
}

const twoGroups = { 'v1.s0-1of4': group('v1', [0, 1]), 'v1.s2-3of4': group('v1', [2, 3]) };

async function run(argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, { stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const result = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>)
    .find((e) => e.type === 'result')!;

describe('ydeploy health on a sharded fleet', () => {
  it('shows every group, with its shards', async () => {
    fleet(twoGroups);
    const out = await run(['health', '--env', 'test']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/s0-1of4 │ enhanced │ i-a .*│ 2\/2 ready, 20 guilds, 40ms/);
    expect(out.stdout).toMatch(/s2-3of4 │ enhanced │ i-b .*│ 2\/2 ready, 20 guilds, 40ms/);
  });

  it('--shard N probes only the instance running it', async () => {
    const { remote } = fleet(twoGroups);
    const out = await run(['health', '--env', 'test', '--shard', '3', '--json']);
    expect(out.code).toBe(0);
    expect(remote.calls.map((c) => c.instanceId)).toEqual(['i-b']);
    expect(result(out.stdout)).toMatchObject({ healthy: true, instances: [{ instanceId: 'i-b', group: 's2-3of4' }] });
  });

  it('--shard N --wait waits for the instances running it', async () => {
    const { remote } = fleet(twoGroups);
    const out = await run(['health', '--env', 'test', '--shard', '2', '--wait', '--timeout', '5s']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('waiting for instances of shard 2 of test to be healthy');
    expect(new Set(remote.calls.map((c) => c.instanceId))).toEqual(new Set(['i-b']));
  });

  it('--group picks a group by name; a name the fleet does not have lists the ones it has', async () => {
    const { remote } = fleet(twoGroups);
    expect((await run(['health', '--env', 'test', '--group', 's0-1of4'])).code).toBe(0);
    expect(remote.calls.map((c) => c.instanceId)).toEqual(['i-a']);
    const bad = await run(['health', '--env', 'test', '--group', 's4-5of8']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--group s4-5of8 is not a shard group of test: its fleet runs 4 shards in groups s0-1of4, s2-3of4',
    );
    expect(bad.stderr).toContain('ydeploy health --group s0-1of4 --env test');
  });

  it('refuses a shard that is not a number or not in the fleet, naming its shard count (exit 2)', async () => {
    fleet(twoGroups);
    for (const shard of ['9', 'two', '-1']) {
      const out = await run(['health', '--env', 'test', '--shard', shard]);
      expect(out.code, shard).toBe(2);
      expect(out.stderr).toContain(`--shard ${shard} is not a shard of test`);
      expect(out.stderr).toContain('its fleet runs 4 shards (0-3)');
      expect(out.stderr).toContain('ydeploy health --shard 0 --env test');
    }
    expect((await run(['health', '--env', 'test', '--shard', 'two'])).stderr).toContain('expected a shard number');
  });

  it('refuses --shard with --instance or --group', async () => {
    fleet(twoGroups);
    const out = await run(['health', '--env', 'test', '--shard', '1', '--instance', 'enhanced']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--shard and --instance cannot be combined');
  });

  it('an active group no live instance runs is unhealthy (exit 4); a standby one not launched yet is not', async () => {
    const world = fleet({ ...twoGroups, 'v2.s0-1of4': group('v2', [0, 1], 'standby') });
    const rollout = await run(['health', '--env', 'test', '--json']);
    expect(rollout.code).toBe(0);
    expect(result(rollout.stdout)).toMatchObject({
      healthy: true,
      missingGroups: [{ key: 'v2.s0-1of4', name: 's0-1of4', release: 'v2', role: 'standby' }],
    });
    (world.ctx.instances as FakeInstances).all = [instance('i-a', 'enhanced', { shards: [0, 1], shardCount: 4 })];
    const out = await run(['health', '--env', 'test']);
    expect(out.code).toBe(4);
    expect(out.stderr).toContain(
      'shard group s2-3of4 (v1, active) has no live instance: its shards are not served (see: ydeploy status --env test)',
    );
    // Asked about shard 0 only, the group of shards 2-3 is not its business.
    expect((await run(['health', '--env', 'test', '--shard', '0'])).code).toBe(0);
  });

  it('an environment with no fleet runs shard 0 only, and looks as before', async () => {
    fleet(null);
    const all = await run(['health', '--env', 'test', '--shard', '0']);
    expect(all.code).toBe(0);
    const bad = await run(['health', '--env', 'test', '--shard', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--shard 1 is not a shard of test: test runs no sharded fleet: 1 shard (shard 0) on one instance',
    );
    const group = await run(['logs', '--env', 'test', '--group', 's0of1']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('--group s0of1 is not a shard group of test');
    expect(group.stderr).toContain('ydeploy logs --env test');
  });
});

describe('ydeploy logs on a sharded fleet', () => {
  it("interleaves the groups' streams, each line labelled with its group", async () => {
    fleet(twoGroups);
    const out = await run(['logs', '--env', 'test', '--since', '2026-11-26T09:00:00Z']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/enhanced s0-1of4 i-a bot\s+INFO\s+shard 0 ready$/),
      expect.stringMatching(/enhanced s2-3of4 i-b bot\s+INFO\s+shard 2 ready$/),
      expect.stringMatching(/enhanced s0-1of4 i-a health\s+INFO\s+GET \/health 200$/),
    ]);
  });

  it('--shard N reads only the streams of the instance running it; --json carries the group', async () => {
    const { logs } = fleet(twoGroups);
    const out = await run(['logs', '--env', 'test', '--since', '2026-11-26T09:00:00Z', '--shard', '2', '--json']);
    expect(out.code).toBe(0);
    const events = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.type === 'log');
    expect(events).toEqual([
      expect.objectContaining({ instanceId: 'i-b', group: 's2-3of4', message: expect.any(String) }),
    ]);
    expect(logs.queries.flatMap((q) => q.streams)).toEqual(['i-b-bot']);
  });

  it('refuses a shard the fleet does not run (exit 2)', async () => {
    fleet(twoGroups);
    const out = await run(['logs', '--env', 'test', '--shard', '4']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--shard 4 is not a shard of test: its fleet runs 4 shards (0-3)');
    expect(out.stderr).toContain('ydeploy logs --shard 0 --env test');
  });
});
