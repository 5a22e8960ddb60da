import { describe, expect, it } from 'vitest';
import { parseReadiness, type Readiness, type ShardState } from '../../../bot/contracts/readiness.js';
import { healthBodySchema } from '../../../bot/contracts/schemas.js';
import { ShardTracker, type ShardSource } from '../../../bot/discord/connection.js';
import { evaluateHealth, type HealthInputs } from '../../../bot/health/evaluate.js';

const now = Date.parse('2026-01-01T00:00:10Z');
const shard = (id: number, patch: Partial<ShardState> = {}): ShardState => ({
  id,
  ready: true,
  ping: 40 + id,
  guilds: 2,
  lostAt: null,
  ...patch,
});
const readiness = (shards: ShardState[]): Readiness => ({
  pid: 4242,
  startedAt: now - 65_000,
  readyAt: now - 60_000,
  heartbeatAt: now - 1000,
  version: 'v2',
  instanceId: 'i-abc',
  role: 'active',
  state: 'ready',
  discord: {
    ready: shards.every((s) => s.ready),
    ping: 41,
    guilds: 4,
    lostAt: shards.some((s) => s.lostAt !== null) ? Math.min(...shards.map((s) => s.lostAt ?? Infinity)) : null,
    shards,
    shardCount: 4,
  },
  lastEventAt: null,
  lastInteractionId: null,
});
const inputs = (r: Readiness): HealthInputs => ({
  now,
  read: { kind: 'ok', readiness: r },
  pidAlive: true,
  seenReady: true,
  shuttingDown: false,
  staleMs: 10_000,
  graceMs: 30_000,
});

describe('readiness file: shards', () => {
  it('reads the shards and the count, and a file written before sharding still parses', () => {
    const r = readiness([shard(0), shard(1, { ready: false, lostAt: now - 5 })]);
    expect(parseReadiness(JSON.stringify(r))).toEqual({ kind: 'ok', readiness: r });
    const { shards: _s, shardCount: _c, ...old } = r.discord;
    const parsed = parseReadiness(JSON.stringify({ ...r, discord: old }));
    expect(parsed.kind === 'ok' && parsed.readiness.discord).toEqual(old);
  });

  it('leaves out a shard entry without an integer id, and ignores a nonsense count', () => {
    const r = readiness([shard(0)]);
    const text = JSON.stringify({ ...r, discord: { ...r.discord, shards: [{ id: 'x' }, shard(0)], shardCount: 0 } });
    const parsed = parseReadiness(text);
    expect(parsed.kind === 'ok' && parsed.readiness.discord.shards).toEqual([shard(0)]);
    expect(parsed.kind === 'ok' && parsed.readiness.discord.shardCount).toBeUndefined();
  });
});

describe('evaluateHealth: shards', () => {
  it('is healthy with every shard ready, and lists them with the count', () => {
    const report = evaluateHealth(inputs(readiness([shard(0), shard(1)])));
    expect(report.code).toBe(200);
    expect(report.body).toMatchObject({
      status: 'healthy',
      shardCount: 4,
      shards: [
        { id: 0, status: 'ready', guilds: 2, ping: 40 },
        { id: 1, status: 'ready', guilds: 2, ping: 41 },
      ],
    });
    expect(healthBodySchema.parse(report.body)).toEqual(report.body);
  });

  it('stays healthy while a shard is lost within the grace, and says which shard is lost', () => {
    const report = evaluateHealth(inputs(readiness([shard(0), shard(1, { ready: false, lostAt: now - 29_000 })])));
    expect(report.body).toMatchObject({ status: 'healthy', shards: [{ status: 'ready' }, { id: 1, status: 'lost' }] });
  });

  it('is unhealthy when one shard is lost past the grace, naming it, even though the others are ready', () => {
    const report = evaluateHealth(
      inputs(readiness([shard(0), shard(1, { ready: false, lostAt: now - 31_000 }), shard(2)])),
    );
    expect(report.code).toBe(503);
    expect(report.body).toMatchObject({
      status: 'unhealthy',
      reason: 'Discord shard 1 lost for 31 s (grace 30 s)',
      shards: [{ status: 'ready' }, { id: 1, status: 'lost' }, { status: 'ready' }],
    });
  });

  it('is unhealthy when a shard is not ready without having been lost', () => {
    const report = evaluateHealth(inputs(readiness([shard(0), shard(1, { ready: false })])));
    expect(report.body).toMatchObject({
      status: 'unhealthy',
      reason: expect.stringContaining('Discord shard 1 is not ready'),
      shards: [{ status: 'ready' }, { id: 1, status: 'connecting' }],
    });
  });

  it("an older bot's body (no shards) still validates", () => {
    const body = { status: 'healthy', timestamp: new Date(now).toISOString(), discord: { ready: true } };
    expect(healthBodySchema.parse(body)).toEqual(body);
    expect(() =>
      healthBodySchema.parse({ ...body, shards: [{ id: 0, status: 'gone', guilds: 0, ping: 0 }] }),
    ).toThrow();
  });
});

describe('ShardTracker', () => {
  const source = (guilds: number[], ready = true): ShardSource => ({
    isReady: () => ready,
    ping: (id) => (id === 1 ? -1 : 30 + id),
    guilds: () => guilds.map((shardId) => ({ shardId })),
  });

  it('is ready only when every shard is, counts guilds per shard, and dates the earliest loss', () => {
    let clock = now;
    const tracker = new ShardTracker([0, 1], 2, () => clock);
    expect(tracker.snapshot(source([0, 0, 1], false))).toMatchObject({
      ready: false,
      lostAt: null,
      shards: [
        { id: 0, ready: false, guilds: 2, lostAt: null },
        { id: 1, ready: false, guilds: 1, lostAt: null },
      ],
    });
    expect(tracker.lost(0)).toBe(false); // never ready yet: still connecting, not lost
    tracker.back(0);
    tracker.back(1);
    expect(tracker.snapshot(source([0, 0, 1]))).toMatchObject({ ready: true, ping: 30, guilds: 3, shardCount: 2 });
    clock += 100;
    expect(tracker.lost(1)).toBe(true);
    clock += 100;
    expect(tracker.lost(1)).toBe(false); // one outage, logged once
    expect(tracker.lost(0)).toBe(true);
    expect(tracker.snapshot(source([0, 0, 1]))).toMatchObject({
      ready: false,
      lostAt: now + 100,
      shards: [
        { ready: false, lostAt: now + 200 },
        { ready: false, lostAt: now + 100 },
      ],
    });
    expect(tracker.back(1)).toBe(100);
    expect(tracker.snapshot(source([]))).toMatchObject({ ready: false, lostAt: now + 200, guilds: 0 });
    tracker.back(0);
    expect(tracker.snapshot(source([]))).toMatchObject({ ready: true, lostAt: null });
  });
});

describe('evaluateHealth: an unsharded bot', () => {
  it('keeps the connection wording for shard 0 of 1', () => {
    const r = readiness([shard(0, { ready: false, lostAt: now - 31_000 })]);
    const report = evaluateHealth(inputs({ ...r, discord: { ...r.discord, shardCount: 1 } }));
    expect(report.body).toMatchObject({
      status: 'unhealthy',
      reason: 'Discord connection lost for 31 s (grace 30 s)',
      shardCount: 1,
      shards: [{ id: 0, status: 'lost' }],
    });
  });
});
