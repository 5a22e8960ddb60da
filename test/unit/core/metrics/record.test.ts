import { describe, expect, it } from 'vitest';
import { deploy } from '../../../../cli/core/flows/deploy.js';
import { migrate } from '../../../../cli/core/flows/migrate.js';
import { emptyDesired } from '../../../../cli/core/desired/state.js';
import { keys } from '../../../../cli/core/storage.js';
import { listJournal } from '../../../../cli/core/journal/journal.js';
import { Meter, meterPorts } from '../../../../cli/core/metrics/meter.js';
import { botReadyMs, median, responseTimes, runMetrics } from '../../../../cli/core/metrics/metrics.js';
import { coreContext, EXAMPLE_COMMANDS, FakeWorld, type TestContext } from '../../../_helpers/fakes.js';

/** As cli/context.ts wires a command: every port timed from now on. */
function metered(world: FakeWorld, ctx: TestContext): TestContext {
  const meter = new Meter(world.clock);
  return Object.assign(ctx, meterPorts(ctx, meter), { meter });
}

/** Enhanced v1 serving alone, as after a migrate. */
async function enhancedWorld(): Promise<{ world: FakeWorld; ctx: TestContext }> {
  const world = new FakeWorld();
  const ctx = coreContext(world);
  const desired = {
    ...emptyDesired(ctx.env),
    enable_enhanced_instance: true,
    release_version: 'v1',
    legacy_release_version: 'v0',
  };
  await world.terraform.apply({ varFiles: [await world.writeVarFile(desired)] });
  world.clock.advance(60_000);
  await ctx.store.put(keys.desired('test'), JSON.stringify(desired));
  world.withRelease('v1');
  world.discord.seed(EXAMPLE_COMMANDS);
  return { world, ctx };
}

/** botctl answers after `ms` of virtual time, as SSM Run Command takes a moment. */
function slowBotctl(world: FakeWorld, ctx: TestContext, ms: number): void {
  const run = world.remote.run;
  ctx.remote = {
    ...world.remote,
    run: async (id, commands, options) => {
      if (commands.join('\n').includes('botctl')) await world.clock.sleep(ms);
      return run(id, commands, options);
    },
  };
}

describe('a deployment’s key metrics in its journal entry', () => {
  it('deploy: launch → healthy, bot start → ready, /health times, handoff, and the time split', async () => {
    const { world, ctx } = await enhancedWorld();
    slowBotctl(world, ctx, 250);
    metered(world, ctx);
    // Building the release is ydeploy's own work: 3 s of it before the upload.
    const publish = ctx.publisher!.publish;
    ctx.publisher = {
      ...ctx.publisher!,
      publish: async (version, signal) => {
        world.clock.advance(3000);
        return publish(version, signal);
      },
    };

    await deploy(ctx, { release: 'v2' });

    const [entry] = await listJournal(ctx);
    // The candidate is launched 15 s into its 20 s apply, so the gate starts when it is 5 s old;
    // it is healthy at 8 s (healthyAfter), its bot started when the health server first
    // answered (1.5 s) and was ready at 8 s. Probes every 500 ms: six "starting" (3 ms), one
    // "healthy" (4 ms). The handoff is three botctl calls of 250 ms (step-down, status, activate).
    expect(entry.metrics).toEqual({
      launchToHealthyMs: 8000,
      botReadyMs: 6500,
      healthResponseMs: { median: 3, p95: 4, probes: 7 },
      handoffMs: 750,
      // Two applies (start the candidate, retire the old) of 20 s.
      terraformMs: 40_000,
      // The gate (3 s of probing, 250 ms of botctl status) and the handoff.
      waitingMs: 4000,
      ownMs: 3000,
      totalMs: 47_000,
      runs: 1,
    });
  });

  it('migrate records the same metrics from its gate and handoff', async () => {
    const world = new FakeWorld();
    world.withLegacy('v0');
    const ctx = metered(world, coreContext(world));
    await migrate(ctx, {});
    const [entry] = await listJournal(ctx);
    expect(entry.metrics).toMatchObject({
      launchToHealthyMs: 8000,
      botReadyMs: 6500,
      handoffMs: 0,
      terraformMs: 40_000,
      ownMs: 0,
      runs: 1,
    });
    const m = entry.metrics!;
    expect(m.terraformMs! + m.waitingMs! + m.ownMs!).toBe(m.totalMs);
  });

  it('a context without a meter still records the gate’s metrics and the run’s total', async () => {
    const { ctx } = await enhancedWorld();
    await deploy(ctx, { release: 'v2' });
    const [entry] = await listJournal(ctx);
    expect(entry.metrics).toMatchObject({ launchToHealthyMs: 8000, totalMs: 43_000, runs: 1 });
    expect(entry.metrics).not.toHaveProperty('terraformMs');
    expect(entry.metrics).not.toHaveProperty('ownMs');
  });

  it('a failed gate leaves the run’s time split and no gate metrics', async () => {
    const { world, ctx } = await enhancedWorld();
    world.faultsFor.set('v2', ['never-healthy']);
    metered(world, ctx);
    await expect(deploy(ctx, { release: 'v2' })).rejects.toMatchObject({ code: 4 });
    const [entry] = await listJournal(ctx);
    expect(entry.outcome).toBe('failed');
    expect(entry.metrics).not.toHaveProperty('launchToHealthyMs');
    // The candidate's apply, then the retire-candidate apply of the recovery.
    expect(entry.metrics).toMatchObject({ terraformMs: 40_000, ownMs: 0, runs: 1 });
    expect(entry.metrics!.waitingMs).toBeGreaterThanOrEqual(ctx.env.health.gateTimeout);
  });
});

describe('the metrics’ arithmetic', () => {
  it('a resumed run adds its time to the earlier runs’ and takes the gate from the state', () => {
    const meter = { totals: () => ({ totalMs: 1000, terraformMs: 400, waitingMs: 500, ownMs: 100 }) } as Meter;
    const state = { gate: { readinessSeconds: 12.345, botReadyMs: 900 }, handoff: { seconds: 1.5 } };
    const earlier = { totalMs: 5000, terraformMs: 3000, waitingMs: 1000, ownMs: 1000, runs: 1 };
    expect(runMetrics(state, { meter, now: 0, runStarted: 0 }, earlier)).toEqual({
      launchToHealthyMs: 12_345,
      botReadyMs: 900,
      handoffMs: 1500,
      totalMs: 6000,
      terraformMs: 3400,
      waitingMs: 1500,
      ownMs: 1100,
      runs: 2,
    });
  });

  it('a fleet’s run: its slowest group’s gate, and its handoffs (or its one cut) together', () => {
    const meter = { totals: () => ({ totalMs: 1000 }) } as Meter;
    const rolling = {
      gates: { s0of2: { readinessSeconds: 10 }, s1of2: { readinessSeconds: 14.5, botReadyMs: 700 } },
      handoffs: { s0of2: { seconds: 1.25 }, s1of2: { seconds: 0.75 } },
    };
    expect(runMetrics(rolling, { meter, now: 0, runStarted: 0 })).toMatchObject({
      launchToHealthyMs: 14_500,
      botReadyMs: 700,
      handoffMs: 2000,
    });
    const scale = { gates: { s0of4: { readinessSeconds: 9 } }, cut: { seconds: 2.5 } };
    expect(runMetrics(scale, { meter, now: 0, runStarted: 0 })).toMatchObject({
      launchToHealthyMs: 9000,
      handoffMs: 2500,
    });
  });

  it('median, p95 (nearest rank) and the bot’s readiness from its health body', () => {
    expect(responseTimes([5, 1, 3, 2, 4, 100, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19])).toEqual({
      median: 10.5,
      p95: 19,
      probes: 20,
    });
    expect(responseTimes([])).toBeUndefined();
    expect(median([3, 1, 2])).toBe(2);
    expect(botReadyMs({ startedAt: '2026-11-26T10:00:00.000Z', readyAt: '2026-11-26T10:00:04.250Z' })).toBe(4250);
    expect(botReadyMs({ readyAt: '2026-11-26T10:00:04.250Z' })).toBeUndefined();
    expect(botReadyMs({ startedAt: 'soon', readyAt: '2026-11-26T10:00:04.250Z' })).toBeUndefined();
  });
});
