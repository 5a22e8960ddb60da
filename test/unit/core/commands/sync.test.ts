// Slash commands follow the release through the flows: one bulk overwrite after the handoff and
// before the old release is retired; rollbacks restore the target release's definitions.
import { describe, expect, it } from 'vitest';
import { deploy } from '../../../../cli/core/flows/deploy.js';
import { migrate } from '../../../../cli/core/flows/migrate.js';
import { rollback } from '../../../../cli/core/flows/rollback.js';
import { emptyDesired } from '../../../../cli/core/desired/state.js';
import { keys } from '../../../../cli/core/storage.js';
import { ApiError } from '../../../../cli/errors.js';
import { coreContext, EXAMPLE_COMMANDS, FakeWorld, type TestContext } from '../../../_helpers/fakes.js';

const COIN = { name: 'coin', description: 'Flip a coin' };
const WITH_COIN = [...EXAMPLE_COMMANDS, COIN];

/** Enhanced v1 serving alone, its commands registered. */
async function enhancedWorld(v1 = EXAMPLE_COMMANDS): Promise<{ world: FakeWorld; ctx: TestContext }> {
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
  world.commandsFor.set('v1', v1);
  world.withRelease('v1');
  world.discord.seed(v1);
  world.timeline.length = 0;
  return { world, ctx };
}

const names = (world: FakeWorld, scope = 'global') => (world.discord.registered.get(scope) ?? []).map((c) => c.name);
const steps = (ctx: TestContext) =>
  ctx.store.json<{ steps: { id: string; outcome: string; detail?: string }[] }>(
    [...ctx.store.objects.keys()]
      .filter((k) => k.includes('/journal/'))
      .sort()
      .pop()!,
  )!.steps;

describe('sync-commands in deploy', () => {
  it('overwrites once after the handoff and before the old release is retired, reporting +a ~c -r', async () => {
    const { world, ctx } = await enhancedWorld();
    world.commandsFor.set('v2', WITH_COIN);
    await deploy(ctx, { release: 'v2' });
    expect(world.timeline).toEqual([
      'apply',
      'launch i-0002 enhanced v2 standby',
      'healthy i-0002',
      'step-down i-0001',
      'activate i-0002',
      'commands global ping,status,coin',
      'apply',
      'terminate i-0001',
    ]);
    expect(world.discord.overwrites).toHaveLength(1);
    expect(world.discord.tokens.every((t) => t === 'fake-bot-token')).toBe(true);
    expect(ctx.reporter.text()).toContain(
      '✔ Sync the slash commands to the release — global → v2: +1 ~0 -0 (added coin)',
    );
    expect(steps(ctx).map((s) => s.id)).toEqual([
      'publish',
      'start-candidate',
      'gate-candidate',
      'handoff',
      'sync-commands',
      'retire-old',
    ]);
  });

  it('registers to the environment’s guild when it names one', async () => {
    const { world, ctx } = await enhancedWorld();
    Object.assign(ctx.env, { guild: '555000000000000555' });
    await deploy(ctx, { release: 'v2' });
    expect(world.discord.overwrites).toEqual([{ scope: '555000000000000555', names: ['ping', 'status'] }]);
    expect(names(world)).toEqual(['ping', 'status']);
  });

  it('sends nothing when the release’s definitions are already registered', async () => {
    const { world, ctx } = await enhancedWorld();
    await deploy(ctx, { release: 'v2' });
    expect(world.discord.overwrites).toEqual([]);
    expect(ctx.reporter.text()).toContain("global already has v2's 2 commands: nothing to overwrite");
  });

  it('is skipped, saying why, when the release records no commands (an older build)', async () => {
    const { world, ctx } = await enhancedWorld();
    world.commandsFor.set('v2', null);
    await deploy(ctx, { release: 'v2' });
    expect(world.discord.overwrites).toEqual([]);
    expect(ctx.reporter.text()).toContain(
      '↷ Sync the slash commands to the release — v2 records no slash commands (built before releases carried them): what is registered stays',
    );
    expect(steps(ctx).find((s) => s.id === 'sync-commands')!.outcome).toBe('skipped');
    expect(world.byRole('enhanced', 'v1')).toBeUndefined();
  });

  it('a first deploy registers after the gate', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    await deploy(ctx, { release: 'v1' });
    expect(world.timeline).toEqual([
      'apply',
      'launch i-0001 enhanced v1 active',
      'healthy i-0001',
      'commands global ping,status',
    ]);
  });

  it('a refused sync fails the deploy with Discord’s error; the new release serves, the old stands by, --resume finishes', async () => {
    const { world, ctx } = await enhancedWorld();
    world.commandsFor.set('v2', WITH_COIN);
    world.discord.failNext = new ApiError(
      'Discord refused the slash commands (PUT /applications/100000000000000001/commands)',
      '429 Max number of daily application command creates has been reached (200) (code 30034)',
      { status: 429 },
    );
    const error = await deploy(ctx, { release: 'v2' }).catch((e) => e);
    expect(error.message).toContain('(code 30034)');
    expect(error.fix).toBe(
      'v2 serves and v1 stands by; ydeploy deploy --resume --env test retries the sync, then retires v1',
    );
    expect(world.byRole('enhanced', 'v2')!.role).toBe('active');
    expect(world.byRole('enhanced', 'v1')!.role).toBe('standby');
    expect(names(world)).toEqual(['ping', 'status']);
    expect(world.violations).toEqual([]);

    const again = coreContext(world, { store: ctx.store });
    await deploy(again, { release: 'v2', resume: true });
    expect(names(world)).toEqual(['ping', 'status', 'coin']);
    expect(world.byRole('enhanced', 'v1')).toBeUndefined();
    expect(world.violations).toEqual([]);
  });

  it('--dry-run diffs the built release against what is registered now, changing nothing', async () => {
    const { world, ctx } = await enhancedWorld();
    world.commandsFor.set('v2', [{ ...EXAMPLE_COMMANDS[0], description: 'Pong!' }, COIN]);
    const built = await ctx.publisher!.build('v2', ctx.signal);
    const result = await deploy(ctx, { release: 'v2', dryRun: true, built });
    expect(result.dryRun!.find((s) => s.id === 'sync-commands')!.wouldRun).toBe(
      "one bulk overwrite of the global commands to v2's 2: +1 ~1 -1 (added coin; changed ping; removed status)",
    );
    expect(world.discord.overwrites).toEqual([]);
    const plain = await deploy(ctx, { release: 'v2', dryRun: true });
    expect(plain.dryRun!.find((s) => s.id === 'sync-commands')!.wouldRun).toContain('skipped: v2 records no');
  });
});

describe('sync-commands in rollbacks and migrate', () => {
  it('rollback --to restores the earlier release’s definitions (the added command is gone)', async () => {
    const { world, ctx } = await enhancedWorld();
    world.commandsFor.set('v2', WITH_COIN);
    await deploy(ctx, { release: 'v2' });
    expect(names(world)).toContain('coin');
    await deploy(ctx, { release: 'v1', existing: true, command: 'rollback' });
    expect(names(world)).toEqual(['ping', 'status']);
    expect(world.timeline.slice(-3)).toEqual(['commands global ping,status', 'apply', 'terminate i-0002']);
  });

  it('a planned rollback restores legacy’s definitions after its handoff, before enhanced goes', async () => {
    const { world, ctx } = await enhancedWorld(WITH_COIN);
    world.commandsFor.set('v0', [EXAMPLE_COMMANDS[0]]);
    world.withRelease('v0');
    await rollback(ctx, {});
    expect(world.timeline.slice(3)).toEqual([
      'step-down i-0001',
      'activate i-0002',
      'commands global ping',
      'apply',
      'terminate i-0001',
    ]);
  });

  it('an emergency rollback only warns when the sync fails: legacy is still recorded as serving', async () => {
    const { world, ctx } = await enhancedWorld(WITH_COIN);
    world.withRelease('v0');
    world.discord.failNext = new ApiError('Discord refused the slash commands', '500 Internal Server Error');
    await rollback(ctx, { emergency: true });
    expect(ctx.reporter.text()).toContain('⚠ slash commands not synced: Discord refused the slash commands');
    expect(ctx.store.json(keys.desired('test'))).toMatchObject({ serving_role: 'legacy' });
  });

  it('migrate registers the enhanced release’s definitions after its handoff, before legacy goes', async () => {
    const world = new FakeWorld();
    world.commandsFor.set('v0', WITH_COIN);
    world.withLegacy('v0');
    world.discord.seed(EXAMPLE_COMMANDS);
    const ctx = coreContext(world);
    await ctx.store.put(
      keys.desired('test'),
      JSON.stringify({ ...emptyDesired(ctx.env), enable_legacy_instance: true, legacy_release_version: 'v0' }),
    );
    await migrate(ctx, {});
    expect(world.timeline.slice(-4)).toEqual([
      'activate i-0002',
      'commands global ping,status,coin',
      'apply',
      'terminate i-0001',
    ]);
  });
});
