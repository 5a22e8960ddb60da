import { describe, expect, it } from 'vitest';
import { healthGate } from '../../../../cli/core/gate/gate.js';
import { coreContext, FakeWorld } from '../../../_helpers/fakes.js';

describe('health gate', () => {
  it('detects healthy within one poll interval and records launch and readiness times', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const bot = world.withLegacy('v0');
    Object.assign(bot, { onlineAfter: 4_000, answeringAfter: 6_000, healthyAfter: 12_345 });
    const report = await healthGate(ctx, {
      label: 'legacy',
      find: async () => ({ ...bot.instance }),
      expectActive: true,
    });
    expect(report.launchSeconds).toBeGreaterThanOrEqual(4);
    expect(report.launchSeconds).toBeLessThanOrEqual(4.5);
    expect(report.readinessSeconds).toBeGreaterThanOrEqual(12.345);
    expect(report.readinessSeconds! - 12.345).toBeLessThanOrEqual(ctx.env.health.pollInterval / 1000);
    expect(report.startingSeen).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'instance running and Online in SSM',
      '/health: "starting" then "healthy"',
      'Discord reachable from the instance',
      'logs flowing (bot and health streams)',
      'commands answered',
    ]);
    expect(report.checks[4].detail).toBe('/ping answered by i-0001 in 12 ms');
  });

  it('says so honestly when the bot was healthy before "starting" was ever seen', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const bot = world.withLegacy('v0');
    const report = await healthGate(ctx, {
      label: 'legacy',
      find: async () => ({ ...bot.instance }),
      expectActive: true,
    });
    expect(report.startingSeen).toBe(false);
    expect(ctx.reporter.text()).toContain('healthy (became ready before "starting" was observed)');
  });

  it('an instance that never comes Online fails the first check', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const bot = world.withLegacy('v0');
    bot.faults.add('unreachable');
    const error = await healthGate(ctx, {
      label: 'legacy',
      find: async () => ({ ...bot.instance }),
      expectActive: true,
    }).catch((e) => e);
    expect(error.message).toBe(
      'health gate failed for legacy (i-0001) at "instance running and Online in SSM": i-0001 is running, SSM agent ConnectionLost after 60s',
    );
    expect(error.code).toBe(4);
  });

  it('a standby bot passes without answering commands; an active one must answer', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const bot = world.withLegacy('v0');
    bot.role = 'standby';
    const report = await healthGate(ctx, {
      label: 'legacy',
      find: async () => ({ ...bot.instance }),
      expectActive: false,
    });
    expect(report.checks[4].detail).toBe('standby: connected, 1 guilds; answers after the handoff');
    await expect(
      healthGate(ctx, { label: 'legacy', find: async () => ({ ...bot.instance }), expectActive: true }),
    ).rejects.toThrow('/ping was answered by nobody, not by i-0001');
  });

  it('a new bot that is already active beside the serving one fails: it would answer twice', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const bot = world.withLegacy('v0');
    const error = await healthGate(ctx, {
      label: 'enhanced',
      find: async () => ({ ...bot.instance }),
      expectActive: false,
    }).catch((e) => e);
    expect(error.why).toBe(
      'the new bot is already active beside the serving one (it should stand by until the handoff)',
    );
  });
});
