import { describe, expect, it } from 'vitest';
import { migrate } from '../../../../cli/core/flows/migrate.js';
import { listJournal } from '../../../../cli/core/journal/journal.js';
import { emptyDesired } from '../../../../cli/core/desired/state.js';
import { keys } from '../../../../cli/core/storage.js';
import { ExitCode, InterruptedError } from '../../../../cli/errors.js';
import { coreContext, FakeWorld } from '../../../_helpers/fakes.js';

async function setup() {
  const world = new FakeWorld();
  world.withLegacy('v0');
  const ctx = coreContext(world);
  await ctx.store.put(
    keys.desired('test'),
    JSON.stringify({ ...emptyDesired(ctx.env), enable_legacy_instance: true, legacy_release_version: 'v0' }),
  );
  return { world, ctx };
}

describe('journal, Ctrl-C and --resume', () => {
  it('Ctrl-C mid-apply: terraform gets the signal, the journal says interrupted at that step, the lock goes, exit 130', async () => {
    const { world, ctx } = await setup();
    const signals: (AbortSignal | undefined)[] = [];
    const apply = world.terraform.apply;
    ctx.terraform = {
      ...world.terraform,
      apply: (options) => {
        signals.push(options?.signal);
        setImmediate(() => ctx.abort.abort(new InterruptedError('SIGINT received')));
        return apply(options);
      },
    };
    const error = await migrate(ctx, {}).catch((e) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.code).toBe(ExitCode.interrupted);
    expect(error.message).toBe(
      'stopped at "Step 1: enable both instances (enhanced in the private subnet)": interrupted by signal',
    );
    expect(error.fix).toBe('ydeploy migrate --resume --env test');
    expect(signals[0]).toBe(ctx.signal);
    const [entry] = await listJournal(ctx);
    expect(entry).toMatchObject({
      command: 'migrate',
      outcome: 'interrupted',
      who: 'tester@laptop',
      identity: 'arn:aws:iam::123456789012:user/tester',
    });
    expect(entry.steps).toMatchObject([{ id: 'enable-enhanced', outcome: 'interrupted', detail: 'Ctrl-C' }]);
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
    expect(world.byRole('legacy')!.role).toBe('active');
  });

  it('--resume continues the same deployment from its first unfinished step', async () => {
    const { world, ctx } = await setup();
    const run = world.remote.run;
    ctx.remote = {
      ...world.remote,
      run: (id, commands, options) => {
        // Ctrl-C while the gate polls /health, after step 1 finished
        if (commands[0].includes('/health')) ctx.abort.abort(new InterruptedError('SIGINT received'));
        return run(id, commands, options);
      },
    };
    const error = await migrate(ctx, {}).catch((e) => e);
    expect(error.code).toBe(ExitCode.interrupted);
    expect(error.message).toContain('stopped at "Step 2: verify enhanced health (the health gate)"');
    const [interrupted] = await listJournal(ctx);
    expect(interrupted.steps.map((s) => `${s.id}:${s.outcome}`)).toEqual([
      'enable-enhanced:succeeded',
      'gate-enhanced:interrupted',
    ]);

    const again = coreContext(world, { store: ctx.store });
    const result = await migrate(again, { resume: true });
    expect(result.deploymentId).toBe(interrupted.id);
    const [entry] = await listJournal(again);
    expect(entry.outcome).toBe('succeeded');
    expect(entry.steps.map((s) => `${s.id}:${s.outcome}`)).toEqual([
      'enable-enhanced:succeeded',
      'gate-enhanced:interrupted',
      'gate-enhanced:succeeded',
      'handoff:succeeded',
      'sync-commands:succeeded',
      'disable-legacy:succeeded',
    ]);
    expect(again.reporter.text()).toContain(
      '↷ Step 1: enable both instances (enhanced in the private subnet) — done before the interruption',
    );
    expect(world.applies).toHaveLength(2);
    expect(world.byRole('legacy')).toBeUndefined();
    expect(world.byRole('enhanced')!.role).toBe('active');
    expect(world.violations).toEqual([]);
  });

  it('--resume after a terraform error retries the failed step', async () => {
    const { world, ctx } = await setup();
    world.failApplies = 1;
    await expect(migrate(ctx, {})).rejects.toThrow('InsufficientInstanceCapacity');
    const [failed] = await listJournal(ctx);
    expect(failed).toMatchObject({ outcome: 'failed', recovered: false });
    await migrate(coreContext(world, { store: ctx.store }), { resume: true });
    expect(world.byRole('enhanced')!.role).toBe('active');
  });

  it('nothing to resume after a success, or after a failure that was rolled back', async () => {
    const { world, ctx } = await setup();
    await migrate(ctx, {});
    await expect(migrate(ctx, { resume: true })).rejects.toThrow(
      /nothing to resume: the last migrate \(.+\) succeeded/,
    );
    const other = await setup();
    other.world.faultsFor.set('v0', ['never-healthy']);
    await expect(migrate(other.ctx, {})).rejects.toThrow('health gate failed');
    await expect(migrate(other.ctx, { resume: true })).rejects.toThrow(/failed and was rolled back/);
    void world;
  });
});
