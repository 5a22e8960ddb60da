// The health server's log lines feed the health-failure alarm: changes are logged, and an
// instance that stays unhealthy is logged again every UNHEALTHY_LOG_EVERY_MS, no more often.
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHealthServer, UNHEALTHY_LOG_EVERY_MS } from '../../../bot/health/server.js';
import type { BotProbe } from '../../../bot/health/probe.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('health server logging', () => {
  it('logs each change, and repeats unhealthy at most once per interval', async () => {
    let status = 'starting';
    let now = 1_000_000;
    const probe = {
      shuttingDown: false,
      report: () => ({
        code: status === 'healthy' ? 200 : 503,
        body: { status, timestamp: new Date(now).toISOString() },
      }),
    } as unknown as BotProbe;
    const logged: string[] = [];
    server = createHealthServer(
      probe,
      (s) => logged.push(s),
      () => now,
    );
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    const get = async () => (await fetch(url)).status;
    await get();
    status = 'healthy';
    await get();
    await get();
    status = 'unhealthy';
    await get();
    now += 1_000;
    await get();
    now += UNHEALTHY_LOG_EVERY_MS;
    await get();
    status = 'healthy';
    await get();
    expect(logged).toEqual(['starting', 'healthy', 'unhealthy', 'unhealthy', 'healthy']);
  });
});
