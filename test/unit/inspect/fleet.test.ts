import { describe, expect, it } from 'vitest';
import { gatherStatus } from '../../../cli/inspect/status.js';
import { renderStatus } from '../../../cli/output/table.js';
import { paint } from '../../../cli/output/paint.js';
import { emptyDesired, type ShardGroupState } from '../../../cli/core/desired/state.js';
import { shardsOfBody, shardSummary } from '../../../cli/inspect/shards.js';
import { ApiError } from '../../../cli/errors.js';
import { FakeDiscord, FakeSecrets, MemoryStore, testEnv } from '../../_helpers/fakes.js';
import {
  FakeAlarms,
  FakeClock,
  FakeInstances,
  FakeLogStore,
  FakeRemote,
  healthAnswer,
  healthyBody,
  instance,
} from './fakes.js';

const env = testEnv('test');
const T0 = Date.parse('2026-11-26T10:00:00Z');

const group = (release: string, shards: number[], role: ShardGroupState['role'] = 'active'): ShardGroupState => ({
  release,
  shards,
  shard_count: 4,
  role,
});

/** The body a fleet's bot answers: one entry per shard it runs. */
const fleetBody = (shards: { id: number; status: string; guilds?: number; ping?: number }[]) => ({
  ...healthyBody('active'),
  shards,
  shardCount: 4,
});

function fleetWorld(groups: Record<string, ShardGroupState>) {
  const clock = new FakeClock(T0);
  const instances = new FakeInstances([
    instance('i-a', 'enhanced', { release: 'v1', shards: [0, 1], shardCount: 4, privateSubnet: true }),
    instance('i-b', 'enhanced', { release: 'v1', shards: [2, 3], shardCount: 4, privateSubnet: true }),
  ]);
  const bodies: Record<string, unknown> = {
    'i-a': fleetBody([
      { id: 0, status: 'ready', guilds: 1200, ping: 41 },
      { id: 1, status: 'ready', guilds: 1180, ping: 38 },
    ]),
    // A bot that reports one shard still connecting (and not its second).
    'i-b': { ...healthyBody('active'), shards: [{ id: 2, status: 'connecting', guilds: 0, ping: -1 }] },
  };
  const remote = new FakeRemote((id) =>
    bodies[id] ? healthAnswer(id, 200, bodies[id]) : healthAnswer(id, 200, healthyBody()),
  );
  const store = new MemoryStore('state');
  store.seed('ydeploy/test/desired.json', JSON.stringify({ ...emptyDesired(env), shard_groups: groups }));
  const discord = new FakeDiscord();
  discord.sessionStartLimit = { total: 1000, remaining: 987, resetAfter: 11_520_000, maxConcurrency: 16 };
  return {
    env,
    clock,
    instances,
    remote,
    logs: new FakeLogStore(),
    store,
    alarms: new FakeAlarms(),
    secrets: new FakeSecrets({ [env.tokenParameter]: 'bot-token' }),
    discord,
    bodies,
  };
}

describe('status of a sharded fleet', () => {
  it('shows one row per shard group with its instance, health and shards, and the identify budget', async () => {
    const deps = fleetWorld({
      'v1.s0-1of4': group('v1', [0, 1]),
      'v1.s2-3of4': group('v1', [2, 3]),
      // A rollout's new group, not launched yet.
      'v2.s0-1of4': group('v2', [0, 1], 'standby'),
    });
    const report = await gatherStatus(deps, { probeTimeoutMs: 200 });
    expect(report.errors).toEqual({});
    expect(report.fleet!.shardCount).toBe(4);
    expect(report.fleet!.groups.map((g) => [g.key, g.role, g.instanceId, g.state, g.health])).toEqual([
      ['v1.s0-1of4', 'active', 'i-a', 'running', 'healthy'],
      ['v2.s0-1of4', 'standby', undefined, 'missing', undefined],
      ['v1.s2-3of4', 'active', 'i-b', 'running', 'healthy'],
    ]);
    expect(report.fleet!.groups[0].shardHealth).toEqual([
      { id: 0, status: 'ready', guilds: 1200, ping: 41 },
      { id: 1, status: 'ready', guilds: 1180, ping: 38 },
    ]);
    expect(report.fleet!.groups[2].shardHealth).toEqual([{ id: 2, status: 'connecting', guilds: 0, ping: -1 }]);
    expect(report.fleet!.budget).toEqual({
      total: 1000,
      remaining: 987,
      maxConcurrency: 16,
      resetAt: '2026-11-26T13:12:00Z',
      resetAfterMs: 11_520_000,
    });
    expect(report.instances!.map((i) => i.group)).toEqual(['s0-1of4', 's2-3of4']);

    const screen = renderStatus(report, paint(false));
    expect(screen).toContain('Shard groups (4 shards, 3 groups)');
    expect(screen).toMatch(
      /s0-1of4 │ v1\s+│ active\s+│ i-a\s+│ running │ healthy \(active\) │ 2\/2 ready, 2380 guilds, 41ms/,
    );
    expect(screen).toMatch(/s0-1of4 │ v2\s+│ standby │ —\s+│ missing │ —/);
    expect(screen).toMatch(
      /s2-3of4 │ v1\s+│ active\s+│ i-b\s+│ running │ healthy \(active\) │ 0\/1 ready \(2 connecting\)/,
    );
    expect(screen).toContain(
      'Identify budget  987 of 1000 session starts left, max_concurrency 16, resets at 2026-11-26T13:12:00Z (in 3h 12m)',
    );
  });

  it('reads the budget at most every 30 s across rounds of a watch, counting down to its reset', async () => {
    const deps = fleetWorld({ 'v1.s0-1of4': group('v1', [0, 1]) });
    await gatherStatus(deps, { probeTimeoutMs: 200 });
    deps.clock.time += 10_000;
    const second = await gatherStatus(deps, { probeTimeoutMs: 200 });
    expect(deps.discord.tokens).toEqual(['bot-token']);
    expect(second.fleet!.budget).toMatchObject({ remaining: 987, resetAfterMs: 11_510_000 });
    deps.clock.time += 20_000;
    deps.discord.sessionStartLimit.remaining = 985;
    const third = await gatherStatus(deps, { probeTimeoutMs: 200 });
    expect(deps.discord.tokens).toHaveLength(2);
    expect(third.fleet!.budget).toMatchObject({ remaining: 985 });
  });

  it('lists a live sharded instance the desired state no longer names as retiring', async () => {
    const deps = fleetWorld({ 'v1.s0-1of4': group('v1', [0, 1]) });
    const report = await gatherStatus(deps, { probeTimeoutMs: 200 });
    expect(report.fleet!.groups.map((g) => [g.key, g.desired, g.role, g.instanceId])).toEqual([
      ['v1.s0-1of4', true, 'active', 'i-a'],
      ['v1.s2-3of4', false, undefined, 'i-b'],
    ]);
    expect(renderStatus(report, paint(false))).toMatch(/s2-3of4 │ v1\s+│ retiring │ i-b/);
  });

  it('shows a budget it cannot read as a warning line, not an unknown section', async () => {
    const deps = fleetWorld({ 'v1.s0-1of4': group('v1', [0, 1]), 'v1.s2-3of4': group('v1', [2, 3]) });
    deps.discord.gatewayError = new ApiError('GET /gateway/bot failed', '502 Bad Gateway', { status: 502 });
    const report = await gatherStatus(deps, { probeTimeoutMs: 200 });
    expect(report.errors).toEqual({});
    expect(report.fleet!.budget).toBeUndefined();
    expect(report.fleet!.budgetError).toBe('GET /gateway/bot failed: 502 Bad Gateway');
    expect(renderStatus(report, paint(false))).toContain(
      'Identify budget  unknown: GET /gateway/bot failed: 502 Bad Gateway',
    );
  });

  it('shows groups with an unknown state when the instances could not be read', async () => {
    const deps = fleetWorld({ 'v1.s0-1of4': group('v1', [0, 1]) });
    deps.instances.list = async () => {
      throw new Error('EC2 is down');
    };
    const report = await gatherStatus(deps, { probeTimeoutMs: 200 });
    expect(report.errors).toEqual({ instances: 'EC2 is down' });
    expect(report.fleet!.groups).toMatchObject([{ key: 'v1.s0-1of4', state: 'unknown' }]);
  });

  it('has no fleet section where the desired state runs none, so a single instance reads as before', async () => {
    const deps = fleetWorld({});
    const report = await gatherStatus(deps, { probeTimeoutMs: 200 });
    expect(report).not.toHaveProperty('fleet');
    expect(report.instances!.map((i) => i.group)).toEqual(['s0-1of4', 's2-3of4']);
    const screen = renderStatus(report, paint(false));
    expect(screen).not.toContain('Shard groups');
    expect(screen).not.toContain('Identify budget');
  });

  it('reports a desired state it cannot read as an unknown section', async () => {
    const deps = fleetWorld({});
    deps.store.seed('ydeploy/test/desired.json', '{not json');
    const report = await gatherStatus(deps, { probeTimeoutMs: 200 });
    expect(report.errors.fleet).toMatch(/desired.json is not valid JSON/);
  });
});

describe('the shards of a /health body', () => {
  it('reads shards and shardCount when present, and nothing when absent or malformed', () => {
    expect(shardsOfBody(undefined)).toEqual({});
    expect(shardsOfBody({ status: 'healthy', timestamp: 't' })).toEqual({});
    expect(
      shardsOfBody({
        status: 'healthy',
        timestamp: 't',
        // An older or foreign body may leave out guilds and ping.
        shards: [
          { id: 1, status: 'lost' },
          { id: 0, status: 'ready' },
        ],
        shardCount: 2,
      } as never),
    ).toEqual({
      shards: [
        { id: 0, status: 'ready' },
        { id: 1, status: 'lost' },
      ],
      shardCount: 2,
    });
    expect(shardsOfBody({ status: 'healthy', timestamp: 't', shards: 'all', shardCount: 0 } as never)).toEqual({});
  });

  it('summarises them in one line', () => {
    expect(shardSummary(undefined)).toBeUndefined();
    expect(
      shardSummary([
        { id: 4, status: 'ready', guilds: 10, ping: 30 },
        { id: 5, status: 'lost', guilds: 0 },
        { id: 6, status: 'connecting' },
        { id: 7, status: 'lost' },
      ]),
    ).toBe('1/4 ready (5,7 lost, 6 connecting), 10 guilds, 30ms');
  });
});
