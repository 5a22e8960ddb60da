import { describe, expect, it } from 'vitest';
import { evaluateHealth, pidAlive, type HealthInputs } from '../../../bot/health/evaluate.js';
import type { Readiness } from '../../../bot/contracts/readiness.js';

const now = Date.parse('2026-01-01T00:00:10Z');
const readiness: Readiness = {
  pid: 4242,
  startedAt: now - 65_000,
  readyAt: now - 60_000,
  heartbeatAt: now - 1000,
  version: 'v2',
  instanceId: 'i-abc',
  role: 'active',
  state: 'ready',
  discord: { ready: true, ping: 42, guilds: 3, lostAt: null },
  lastEventAt: null,
  lastInteractionId: null,
};
const base: HealthInputs = {
  now,
  read: { kind: 'ok', readiness },
  pidAlive: true,
  seenReady: true,
  shuttingDown: false,
  staleMs: 10_000,
  graceMs: 30_000,
};
const withReadiness = (patch: Partial<Readiness>): HealthInputs => ({
  ...base,
  read: { kind: 'ok', readiness: { ...readiness, ...patch } },
});

describe('evaluateHealth', () => {
  it('is healthy with uptime and the extra fields when the file is fresh, the pid alive and Discord ready', () => {
    expect(evaluateHealth(base)).toEqual({
      code: 200,
      body: {
        status: 'healthy',
        timestamp: '2026-01-01T00:00:10.000Z',
        uptime: 65,
        version: 'v2',
        instanceId: 'i-abc',
        role: 'active',
        pid: 4242,
        startedAt: new Date(now - 65_000).toISOString(),
        readyAt: new Date(now - 60_000).toISOString(),
        discord: { ready: true, ping: 42, guilds: 3 },
        lastEventAt: null,
      },
    });
  });

  it('reports the standby role as healthy too', () => {
    const report = evaluateHealth(withReadiness({ role: 'standby' }));
    expect(report.code).toBe(200);
    expect(report.body.role).toBe('standby');
  });

  it('is starting (503) before any readiness file was seen', () => {
    expect(evaluateHealth({ ...base, read: { kind: 'missing' }, seenReady: false })).toEqual({
      code: 503,
      body: { status: 'starting', timestamp: '2026-01-01T00:00:10.000Z' },
    });
  });

  it('is unhealthy when the file disappears after the bot was seen', () => {
    const report = evaluateHealth({ ...base, read: { kind: 'missing' } });
    expect(report).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: 'readiness file removed: the bot is not running' },
    });
  });

  it('is unhealthy when the bot pid is dead: a file left by a crash never reads healthy', () => {
    expect(evaluateHealth({ ...base, pidAlive: false })).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: 'bot process 4242 is not running' },
    });
  });

  it('is unhealthy when the heartbeat is older than the stale window, healthy at the limit', () => {
    expect(evaluateHealth(withReadiness({ heartbeatAt: now - 10_000 })).code).toBe(200);
    expect(evaluateHealth(withReadiness({ heartbeatAt: now - 10_001 }))).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: 'heartbeat stale: last one 10 s ago (limit 10 s)' },
    });
  });

  it('tolerates losing Discord for the grace period, then is unhealthy', () => {
    const lost = (ms: number) => withReadiness({ discord: { ready: false, ping: -1, guilds: 3, lostAt: now - ms } });
    expect(evaluateHealth(lost(29_000))).toMatchObject({
      code: 200,
      body: { status: 'healthy', discord: { ready: false } },
    });
    expect(evaluateHealth(lost(31_000))).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: 'Discord connection lost for 31 s (grace 30 s)' },
    });
  });

  it('says stopping while the bot shuts down, and while the health server itself does', () => {
    expect(evaluateHealth(withReadiness({ state: 'stopping' }))).toMatchObject({
      code: 503,
      body: { status: 'stopping', instanceId: 'i-abc' },
    });
    expect(evaluateHealth({ ...base, shuttingDown: true })).toMatchObject({ code: 503, body: { status: 'stopping' } });
  });

  it('reads a heartbeat from the future as stale (beyond a second of tolerance)', () => {
    expect(evaluateHealth(withReadiness({ heartbeatAt: now + 1000 })).code).toBe(200);
    expect(evaluateHealth(withReadiness({ heartbeatAt: now + 3_600_000 }))).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: 'heartbeat stale: it is 3600 s in the future' },
    });
  });

  it('never reads a bot killed mid-shutdown as stopping: its pid is dead or its heartbeat goes stale', () => {
    expect(evaluateHealth({ ...withReadiness({ state: 'stopping' }), pidAlive: false })).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: 'bot process 4242 is not running while stopping' },
    });
    expect(evaluateHealth(withReadiness({ state: 'stopping', heartbeatAt: now - 60_000 }))).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: 'heartbeat stale: last one 60 s ago (limit 10 s) while stopping' },
    });
  });

  it('is unhealthy with the parse error when the file is invalid', () => {
    expect(evaluateHealth({ ...base, read: { kind: 'invalid', why: 'readiness file is not JSON' } })).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: 'readiness file is not JSON' },
    });
  });
});

describe('pidAlive', () => {
  it('knows this process is alive and rejects nonsense pids', () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(0)).toBe(false);
    expect(pidAlive(-1)).toBe(false);
    expect(pidAlive(2 ** 22 + 1)).toBe(false);
  });
});
