import { describe, expect, it } from 'vitest';
import { rollback } from '../../../../cli/core/flows/rollback.js';
import { emptyDesired } from '../../../../cli/core/desired/state.js';
import { keys } from '../../../../cli/core/storage.js';
import { ExitCode } from '../../../../cli/errors.js';
import { coreContext, FakeWorld, type TestContext } from '../../../_helpers/fakes.js';

async function migratedWorld(): Promise<{ world: FakeWorld; ctx: TestContext }> {
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
  world.timeline.length = 0;
  world.applies.length = 0;
  return { world, ctx };
}

describe('rollback', () => {
  it('--emergency: legacy back in the public subnet, gated, handed to, enhanced kept', async () => {
    const { world, ctx } = await migratedWorld();
    await rollback(ctx, { emergency: true });
    expect(world.timeline).toEqual([
      'apply',
      'launch i-0002 legacy v0 standby',
      'healthy i-0002',
      'step-down i-0001',
      'activate i-0002',
      'apply',
    ]);
    expect(world.applies[0]).toMatchObject({
      enable_legacy_instance: true,
      enable_enhanced_instance: true,
      legacy_release_version: 'v0',
      serving_role: 'enhanced',
    });
    expect(world.applies[1]).toMatchObject({
      enable_legacy_instance: true,
      enable_enhanced_instance: true,
      serving_role: 'legacy',
    });
    expect(world.violations).toEqual([]);
    expect(world.byRole('enhanced')!.role).toBe('standby');
    expect(ctx.reporter.text()).toContain('↷ Remove enhanced — kept for investigation');
  });

  it('--emergency --destroy-enhanced removes enhanced once legacy serves', async () => {
    const { world, ctx } = await migratedWorld();
    await rollback(ctx, { emergency: true, destroyEnhanced: true });
    expect(world.byRole('enhanced')).toBeUndefined();
    expect(world.violations).toEqual([]);
  });

  it('--emergency works when enhanced cannot be reached: enhanced is stopped, then legacy activates after the documented grace', async () => {
    const { world, ctx } = await migratedWorld();
    world.bots.get('i-0001')!.faults.add('unreachable');
    const result = await rollback(ctx, { emergency: true });
    expect(result.state.handoff).toMatchObject({ from: 'i-0001', to: 'i-0002', oldUnreachable: true, fenced: true });
    expect(result.state.handoff!.seconds).toBeGreaterThanOrEqual(1);
    expect(world.timeline).toEqual(
      expect.arrayContaining(['stop i-0001', 'stopped i-0001', 'activate i-0002 --force']),
    );
    expect(ctx.reporter.text()).toContain(
      '⚠ i-0001 did not step down (Undeliverable: instance not reachable); stopping it before i-0002 activates',
    );
    expect(ctx.reporter.text()).toContain('⚠ i-0001 is stopped; activating i-0002 after 1s');
    expect(ctx.reporter.text()).toContain(
      '✔ Hand traffic back, enhanced → legacy — i-0001 → i-0002 (fenced: i-0001 was unreachable and is stopped);',
    );
  });

  it('planned: legacy verified first, then enhanced removed and the subnet back to public', async () => {
    const { world, ctx } = await migratedWorld();
    await rollback(ctx, {});
    expect(world.timeline).toEqual([
      'apply',
      'launch i-0002 legacy v0 standby',
      'healthy i-0002',
      'step-down i-0001',
      'activate i-0002',
      'apply',
      'terminate i-0001',
    ]);
    expect(world.applies[1]).toMatchObject({
      enable_legacy_instance: true,
      enable_enhanced_instance: false,
      use_private_subnet: false,
    });
    expect(world.violations).toEqual([]);
  });

  it('a legacy that fails its gate goes again and enhanced serves on', async () => {
    const { world, ctx } = await migratedWorld();
    world.faultsFor.set('legacy', ['never-healthy']);
    const error = await rollback(ctx, {}).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(world.byRole('legacy')).toBeUndefined();
    expect(world.byRole('enhanced')!.role).toBe('active');
  });

  it('nothing to roll back without an enhanced deployment', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    await expect(rollback(ctx, { emergency: true })).rejects.toThrow(
      'nothing to roll back in test: no deployment is recorded',
    );
  });
});

describe('rollback after an emergency', () => {
  it('a planned rollback then verifies legacy and removes enhanced', async () => {
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
    await rollback(ctx, { emergency: true });
    await expect(rollback(ctx, { emergency: true })).rejects.toThrow('legacy is already enabled in test');
    await rollback(ctx, {});
    expect(world.byRole('enhanced')).toBeUndefined();
    expect(world.byRole('legacy')!.role).toBe('active');
    expect(world.violations).toEqual([]);
  });
});
