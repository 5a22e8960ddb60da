import { describe, expect, it } from 'vitest';
import { deploy } from '../../../../cli/core/flows/deploy.js';
import { emptyDesired } from '../../../../cli/core/desired/state.js';
import { keys } from '../../../../cli/core/storage.js';
import { listJournal } from '../../../../cli/core/journal/journal.js';
import { ExitCode, InterruptedError } from '../../../../cli/errors.js';
import { coreContext, EXAMPLE_COMMANDS, FakeWorld, type TestContext } from '../../../_helpers/fakes.js';

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
  world.timeline.length = 0;
  world.applies.length = 0;
  return { world, ctx };
}

describe('deploy', () => {
  it('a first Ctrl-C between step-down and activate: the handoff finishes, then the run stops as interrupted', async () => {
    const { world, ctx } = await enhancedWorld();
    const run = world.remote.run;
    // As the real Run Command adapter: an aborted signal rejects the call.
    ctx.remote = {
      ...world.remote,
      run: async (id, commands, options) => {
        if (options?.signal?.aborted) throw options.signal.reason;
        const result = await run(id, commands, options);
        if (commands.join('\n').includes('step-down')) ctx.abort.abort(new InterruptedError('SIGINT received'));
        return result;
      },
    };
    const error = await deploy(ctx, { release: 'v2' }).catch((e) => e);
    expect(error.code).toBe(ExitCode.interrupted);
    expect(error.fix).toBe('ydeploy deploy --resume --env test');
    // Exactly one bot answers: the new one; the old one stands by, not retired.
    expect(world.active().map((b) => b.instance.release)).toEqual(['v2']);
    expect(world.byRole('enhanced', 'v1')!.role).toBe('standby');
    expect(world.violations).toEqual([]);
    const [entry] = await listJournal(ctx);
    expect(entry.outcome).toBe('interrupted');
    expect(entry.state).toMatchObject({ handoff: { from: 'i-0001', to: 'i-0002', interrupted: true } });
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
  });

  it('publishes, starts the candidate beside the serving release, gates, hands off, retires the old', async () => {
    const { world, ctx } = await enhancedWorld();
    const result = await deploy(ctx, { release: 'v2' });
    expect(world.timeline).toEqual([
      'apply',
      'launch i-0002 enhanced v2 standby',
      'healthy i-0002',
      'step-down i-0001',
      'activate i-0002',
      'apply',
      'terminate i-0001',
    ]);
    expect(world.violations).toEqual([]);
    expect(world.applies.map((v) => [v.release_version, v.candidate_release_version])).toEqual([
      ['v1', 'v2'],
      ['v2', null],
    ]);
    expect(ctx.releases.objects.has('releases/v2/manifest.json')).toBe(true);
    expect(result.state).toMatchObject({ release: 'v2', oldId: 'i-0001', newId: 'i-0002' });
    expect(ctx.store.json(keys.desired('test'))).toMatchObject({
      release_version: 'v2',
      candidate_release_version: null,
    });
  });

  it('a failed gate retires the candidate and the old release keeps serving (exit 4)', async () => {
    const { world, ctx } = await enhancedWorld();
    world.faultsFor.set('v2', ['unhealthy']);
    const error = await deploy(ctx, { release: 'v2' }).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(world.byRole('enhanced', 'v1')!.role).toBe('active');
    expect(world.byRole('enhanced', 'v2')).toBeUndefined();
    expect(world.applies.map((v) => [v.release_version, v.candidate_release_version])).toEqual([
      ['v1', 'v2'],
      ['v1', null],
    ]);
    expect(world.violations).toEqual([]);
  });

  it('a candidate that passes the gate but answers nothing after the handoff is handed back and retired', async () => {
    const { world, ctx } = await enhancedWorld();
    world.faultsFor.set('v2', ['no-answer']);
    const error = await deploy(ctx, { release: 'v2' }).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.why).toBe('/ping was answered by nobody, not by i-0002');
    expect(world.timeline).toContain('activate i-0001 --force');
    expect(world.byRole('enhanced', 'v1')!.role).toBe('active');
    expect(world.byRole('enhanced', 'v2')).toBeUndefined();
  });

  it('onto an empty environment: the release becomes the first enhanced instance, nothing to hand off', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    await deploy(ctx, { release: 'v1' });
    expect(world.timeline).toEqual([
      'apply',
      'launch i-0001 enhanced v1 active',
      'healthy i-0001',
      'commands global ping,status',
    ]);
    expect(ctx.reporter.text()).toContain('↷ Hand traffic over to the new release — nothing was serving before');
  });

  it('refuses a version that already serves, one uploaded before, and a legacy-only environment', async () => {
    const { ctx } = await enhancedWorld();
    await expect(deploy(ctx, { release: 'v1' })).rejects.toThrow(
      'release v1 already serves test: there is nothing to hand over to',
    );
    await ctx.releases.put(keys.manifest('v9'), '{}');
    await expect(deploy(ctx, { release: 'v9' })).rejects.toThrow('release v9 was uploaded before');
    await ctx.store.put(
      keys.desired('test'),
      JSON.stringify({ ...emptyDesired(ctx.env), enable_legacy_instance: true }),
    );
    const error = await deploy(ctx, { release: 'v3' }).catch((e) => e);
    expect(error.fix).toBe('ydeploy migrate --env test');
  });

  it('rollback --to ships an uploaded release without building', async () => {
    const { world, ctx } = await enhancedWorld();
    await deploy(ctx, { release: 'v2' });
    let built = 0;
    const publisher = ctx.publisher!;
    ctx.publisher = { ...publisher, publish: async (v, s) => ((built += 1), publisher.publish(v, s)) };
    await deploy(ctx, { release: 'v1', existing: true, command: 'rollback' });
    expect(built).toBe(0);
    expect(world.byRole('enhanced', 'v1')!.role).toBe('active');
    expect(world.byRole('enhanced', 'v2')).toBeUndefined();
    await expect(deploy(ctx, { release: 'v7', existing: true, command: 'rollback' })).rejects.toThrow(
      'release v7 is not in s3://fake-releases/releases/',
    );
  });
});

describe('deploy and the identify budget', () => {
  it('refuses (exit 3) before any change when the new session would not fit, naming the reset time', async () => {
    const { world, ctx } = await enhancedWorld();
    world.discord.sessionStartLimit = { total: 1000, remaining: 5, resetAfter: 600_000, maxConcurrency: 1 };
    const error = await deploy(ctx, { release: 'v2' }).catch((e) => e);
    expect(error.code).toBe(ExitCode.preflight);
    expect(error.why).toMatch(/needs 1 session start \(12 with margin\), 5 of 1000 remain; resets at .* \(in 10m\)/);
    expect(error.fix).toContain('ydeploy deploy --release v2 --env test');
    expect(world.applies).toEqual([]);
    expect(ctx.releases.objects.has('releases/v2/manifest.json')).toBe(false);
    expect(await listJournal(ctx)).toEqual([]);
  });
});
