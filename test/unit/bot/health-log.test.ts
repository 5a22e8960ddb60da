// The health server's log lines feed the health-failure alarm: it evaluates itself on a timer
// and logs every result (so the alarm has data with nobody polling /health); requests log only
// changes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHealthServer, HealthLog, healthLine } from '../../../bot/health/server.js';
import type { BotProbe } from '../../../bot/health/probe.js';

let server: Server | undefined;
afterEach(() => {
  vi.useRealTimers();
  return new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

function fakeProbe(state: { status: string }) {
  return {
    shuttingDown: false,
    report: () => ({
      code: state.status === 'healthy' ? 200 : 503,
      body: { status: state.status, timestamp: new Date().toISOString() },
    }),
  } as unknown as BotProbe;
}

describe('health server logging', () => {
  it('times each timer evaluation (the HealthResponseTime metric); requests carry no time', () => {
    const times: (number | undefined)[] = [];
    const slow = {
      shuttingDown: false,
      report: () => {
        const until = performance.now() + 5;
        while (performance.now() < until);
        return { code: 200, body: { status: 'healthy', timestamp: new Date().toISOString() } };
      },
    } as unknown as BotProbe;
    const log = new HealthLog(slow, (_status, _body, _check, elapsedMs) => times.push(elapsedMs));
    log.check();
    log.request('unhealthy', {});
    expect(times[0]).toBeGreaterThanOrEqual(5);
    expect(times[0]).toBeLessThan(1000);
    expect(times[1]).toBeUndefined();
  });

  it('evaluates itself on a timer with nobody requesting /health, and logs every result', () => {
    vi.useFakeTimers();
    const state = { status: 'healthy' };
    const logged: [string, string][] = [];
    const log = new HealthLog(fakeProbe(state), (status, _body, check) => logged.push([check, status]));
    const stop = log.start(30_000);
    expect(logged).toEqual([['timer', 'healthy']]);
    vi.advanceTimersByTime(30_000);
    state.status = 'unhealthy';
    vi.advanceTimersByTime(30_000);
    vi.advanceTimersByTime(30_000);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(logged).toEqual([
      ['timer', 'healthy'],
      ['timer', 'healthy'],
      ['timer', 'unhealthy'],
      ['timer', 'unhealthy'],
    ]);
  });

  it("a timer line carries failed (1 only when unhealthy) for the alarm's metric filter; a request line does not", () => {
    expect(healthLine('unhealthy', { status: 'unhealthy' }, 'timer')).toEqual({
      check: 'timer',
      failed: 1,
      health: { status: 'unhealthy' },
    });
    for (const status of ['healthy', 'starting', 'stopping'])
      expect(healthLine(status, { status }, 'timer')).toMatchObject({ check: 'timer', failed: 0 });
    expect(healthLine('unhealthy', { status: 'unhealthy' }, 'request')).toEqual({
      check: 'request',
      health: { status: 'unhealthy' },
    });
  });

  it('logs a request only when the status changed since the last line', async () => {
    const state = { status: 'starting' };
    const probe = fakeProbe(state);
    const logged: [string, string][] = [];
    const log = new HealthLog(probe, (status, _body, check) => logged.push([check, status]));
    server = createHealthServer(probe, log);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    const get = async () => (await fetch(url)).status;
    await get();
    state.status = 'healthy';
    await get();
    await get();
    log.check();
    state.status = 'unhealthy';
    await get();
    await get();
    state.status = 'healthy';
    await get();
    expect(logged).toEqual([
      ['request', 'starting'],
      ['request', 'healthy'],
      ['timer', 'healthy'],
      ['request', 'unhealthy'],
      ['request', 'healthy'],
    ]);
  });
});
