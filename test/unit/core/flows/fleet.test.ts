import { describe, expect, it } from 'vitest';
import { emptyDesired, type DesiredState } from '../../../../cli/core/desired/state.js';
import { fleetDeploy, fleetRollbackTarget, fleetRun } from '../../../../cli/core/flows/fleet.js';
import { scale } from '../../../../cli/core/flows/scale.js';
import { groupKey, groupsOf } from '../../../../cli/core/fleet.js';
import { listJournal } from '../../../../cli/core/journal/journal.js';
import { keys } from '../../../../cli/core/storage.js';
import { ExitCode } from '../../../../cli/errors.js';
import { coreContext, EXAMPLE_COMMANDS, FakeWorld, type TestContext } from '../../../_helpers/fakes.js';

/** `release` serving on `shards` shards, `perInstance` per instance, as after a deploy. */
async function fleetWorld(
  release = 'v1',
  shards = 4,
  perInstance = 2,
): Promise<{ world: FakeWorld; ctx: TestContext; desired: DesiredState }> {
  const world = new FakeWorld();
  const ctx = coreContext(world);
  const groups = Object.fromEntries(
    groupsOf({ shards, perInstance }).map((g) => [
      groupKey(release, g),
      { release, shards: g.shards, shard_count: g.shardCount, role: 'active' as const },
    ]),
  );
  const desired = {
    ...emptyDesired(ctx.env),
    enable_enhanced_instance: true,
    release_version: release,
    shard_groups: groups,
  };
  await world.terraform.apply({ varFiles: [await world.writeVarFile(desired)] });
  world.clock.advance(60_000);
  await ctx.store.put(keys.desired('test'), JSON.stringify(desired));
  world.withRelease(release);
  world.discord.seed(EXAMPLE_COMMANDS);
  world.timeline.length = 0;
  world.applies.length = 0;
  return { world, ctx, desired };
}

const groupsIn = (ctx: TestContext) =>
  Object.entries((ctx.store.json(keys.desired('test')) as DesiredState).shard_groups ?? {}).map(
    ([key, g]) => `${key} ${g.role}`,
  );

describe('a sharded fleet: rolling deploy', () => {
  it('replaces one group at a time: candidate standby, gate, handoff, old retired; one bot per shard throughout', async () => {
    const { world, ctx } = await fleetWorld();
    expect(await fleetRun(ctx, 'deploy', false)).toBe(true);
    const result = await fleetDeploy(ctx, { release: 'v2' });
    expect(world.timeline).toEqual([
      'apply',
      'launch i-0003 enhanced v2 standby',
      'healthy i-0003',
      'step-down i-0001',
      'activate i-0003',
      'apply',
      'terminate i-0001',
      'apply',
      'launch i-0004 enhanced v2 standby',
      'healthy i-0004',
      'step-down i-0002',
      'activate i-0004',
      'apply',
      'terminate i-0002',
    ]);
    expect(world.violations).toEqual([]);
    expect(result.state.batches).toEqual([['s0-1of4'], ['s2-3of4']]);
    expect(groupsIn(ctx)).toEqual(['v2.s0-1of4 active', 'v2.s2-3of4 active']);
    expect(ctx.store.json(keys.desired('test'))).toMatchObject({ release_version: 'v2' });
    // Each group's answer check goes to a guild on its own shards.
    expect(world.probed).toEqual(['ping@0/4', 'ping@2/4']);
  });

  it('groupsAtOnce: 2 starts both candidates in one apply and hands both over', async () => {
    const { world, ctx } = await fleetWorld();
    const result = await fleetDeploy(ctx, { release: 'v2', groupsAtOnce: 2 });
    expect(result.state.batches).toEqual([['s0-1of4', 's2-3of4']]);
    expect(world.timeline.filter((t) => t === 'apply')).toHaveLength(2);
    expect(world.violations).toEqual([]);
    expect(groupsIn(ctx)).toEqual(['v2.s0-1of4 active', 'v2.s2-3of4 active']);
  });

  it('a failed group stops the rollout (exit 4): groups not reached keep the old release; rollback returns the changed ones', async () => {
    const { world, ctx } = await fleetWorld();
    // The second group's candidate never becomes healthy.
    const apply = world.terraform.apply;
    let applies = 0;
    world.terraform.apply = async (options) => {
      if (++applies === 3) world.faultsFor.set('v2', ['never-healthy']);
      return apply(options);
    };
    const error = await fleetDeploy(ctx, { release: 'v2' }).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.message).toContain('s2-3of4');
    expect(world.violations).toEqual([]);
    expect(groupsIn(ctx)).toEqual(['v2.s0-1of4 active', 'v1.s2-3of4 active']);
    const [entry] = await listJournal(ctx);
    expect(entry).toMatchObject({ outcome: 'failed', recovered: true });

    world.faultsFor.clear();
    const target = await fleetRollbackTarget(ctx);
    expect(target).toBe('v1');
    const back = await fleetDeploy(ctx, { release: target, existing: true, command: 'rollback' });
    expect(back.state.batches).toEqual([['s0-1of4']]);
    expect(groupsIn(ctx)).toEqual(['v1.s0-1of4 active', 'v1.s2-3of4 active']);
    expect(world.violations).toEqual([]);
  });

  it('refuses (exit 3) when the identify budget cannot cover the sessions it starts, before any change', async () => {
    const { world, ctx } = await fleetWorld();
    world.discord.sessionStartLimit = { total: 1000, remaining: 12, resetAfter: 3_600_000, maxConcurrency: 1 };
    const error = await fleetDeploy(ctx, { release: 'v2' }).catch((e) => e);
    expect(error.code).toBe(ExitCode.preflight);
    expect(error.message).toMatch(/needs 4 session starts .* 12 of 1000 remain/);
    expect(world.applies).toEqual([]);
  });

  it('a first deploy of an environment configured for shards starts every group, active', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    ctx.env = { ...ctx.env, fleet: { shards: 4, shardsPerInstance: 2, groupsAtOnce: 1 } };
    world.discord.seed(EXAMPLE_COMMANDS);
    expect(await fleetRun(ctx, 'deploy', false)).toBe(true);
    await fleetDeploy(ctx, { release: 'v1' });
    expect(world.running().map((b) => `${b.instance.shards} ${b.role}`)).toEqual(['0,1 active', '2,3 active']);
    expect(world.violations).toEqual([]);
    expect(groupsIn(ctx)).toEqual(['v1.s0-1of4 active', 'v1.s2-3of4 active']);
  });
});

describe('a sharded fleet: scale', () => {
  it('4 → 8 shards on 4 instances: a full new set standby, gated, one cut, old set retired', async () => {
    const { world, ctx } = await fleetWorld();
    const result = await scale(ctx, { shards: 8, instances: 4 });
    const t = world.timeline;
    expect(t.slice(0, 5)).toEqual([
      'apply',
      'launch i-0003 enhanced v1 standby',
      'launch i-0004 enhanced v1 standby',
      'launch i-0005 enhanced v1 standby',
      'launch i-0006 enhanced v1 standby',
    ]);
    // Every old instance steps down before any new one activates.
    const lastStepDown = Math.max(t.indexOf('step-down i-0001'), t.indexOf('step-down i-0002'));
    const firstActivate = t.findIndex((e) => e.startsWith('activate'));
    expect(lastStepDown).toBeGreaterThan(0);
    expect(firstActivate).toBeGreaterThan(lastStepDown);
    expect(t.filter((e) => e.startsWith('activate'))).toHaveLength(4);
    expect(t.slice(-3)).toEqual(['apply', 'terminate i-0001', 'terminate i-0002']);
    expect(world.violations).toEqual([]);
    expect(groupsIn(ctx)).toEqual(['v1.s0-1of8 active', 'v1.s2-3of8 active', 'v1.s4-5of8 active', 'v1.s6-7of8 active']);
    // The new bots learn where each old shard stopped.
    const activations = world.commands.filter((c) => c.script.includes(' activate'));
    expect(activations.every((c) => /--after-shards '4:\d+,\d+,\d+,\d+'/.test(c.script))).toBe(true);
    expect(result.state.cut).toMatchObject({ from: ['i-0001', 'i-0002'] });
  });

  it('from one instance: it serves on under its own key until the cut, never replaced', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const desired = { ...emptyDesired(ctx.env), enable_enhanced_instance: true, release_version: 'v1' };
    await world.terraform.apply({ varFiles: [await world.writeVarFile(desired)] });
    world.clock.advance(60_000);
    await ctx.store.put(keys.desired('test'), JSON.stringify(desired));
    world.withRelease('v1');
    world.timeline.length = 0;
    await scale(ctx, { shards: 2, instances: 2 });
    expect(world.timeline.filter((e) => e.startsWith('launch'))).toEqual([
      'launch i-0002 enhanced v1 standby',
      'launch i-0003 enhanced v1 standby',
    ]);
    expect(world.timeline.indexOf('terminate i-0001')).toBe(world.timeline.length - 1);
    expect(world.violations).toEqual([]);
    expect(groupsIn(ctx)).toEqual(['v1.s0of2 active', 'v1.s1of2 active']);
  });

  it('a new instance that cannot activate: the ones that did step down again, the old set answers again, the new set retires (exit 4)', async () => {
    const { world, ctx } = await fleetWorld();
    const apply = world.terraform.apply;
    let applies = 0;
    world.terraform.apply = async (options) => {
      if (++applies === 1) world.faultsFor.set('v1', ['refuse-activate']);
      const result = await apply(options);
      world.faultsFor.clear();
      return result;
    };
    // Only the last new instance refuses.
    const before = world.remote.run;
    ctx.remote = {
      ...world.remote,
      run: async (id, commands, options) => {
        for (const bot of world.running())
          if (bot.instance.id !== 'i-0006' && bot.instance.shardCount === 8) bot.faults.delete('refuse-activate');
        return before(id, commands, options);
      },
    };
    const error = await scale(ctx, { shards: 8, instances: 4 }).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.message).toContain('i-0006');
    expect(world.violations).toEqual([]);
    expect(
      world
        .active()
        .map((b) => b.instance.id)
        .sort(),
    ).toEqual(['i-0001', 'i-0002']);
    expect(groupsIn(ctx)).toEqual(['v1.s0-1of4 active', 'v1.s2-3of4 active']);
  });

  it('refuses a split that does not come out even, and the layout it already runs', async () => {
    const { ctx } = await fleetWorld();
    await expect(scale(ctx, { shards: 8, instances: 5 })).rejects.toThrow('8 shards do not split over 5 instances');
    await expect(scale(ctx, { shards: 4, instances: 2 })).rejects.toThrow('already runs 4 shards on 2 instances');
  });
});

describe('a single instance under a config that asks for shards', () => {
  it('deploys as one instance and says how to reshard', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    ctx.env = { ...ctx.env, fleet: { shards: 4, shardsPerInstance: 2, groupsAtOnce: 1 } };
    const desired = { ...emptyDesired(ctx.env), enable_enhanced_instance: true, release_version: 'v1' };
    await ctx.store.put(keys.desired('test'), JSON.stringify(desired));
    expect(await fleetRun(ctx, 'deploy', false)).toBe(false);
    expect(ctx.reporter.lines.join('\n')).toContain('⚠ the config asks for 4 shards but test runs one instance');
  });
});
