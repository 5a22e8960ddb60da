import { describe, expect, it } from 'vitest';
import { migrate } from '../../../../cli/core/flows/migrate.js';
import { desiredChanges, listJournal } from '../../../../cli/core/journal/journal.js';
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

  /** migrate interrupted by Ctrl-C while the gate polls, after step 1 wrote desired.json. */
  async function interruptedAtGate() {
    const { world, ctx } = await setup();
    const run = world.remote.run;
    ctx.remote = {
      ...world.remote,
      run: (id, commands, options) => {
        if (commands[0].includes('/health')) ctx.abort.abort(new InterruptedError('SIGINT received'));
        return run(id, commands, options);
      },
    };
    await expect(migrate(ctx, {})).rejects.toMatchObject({ code: ExitCode.interrupted });
    const [interrupted] = await listJournal(ctx);
    return { world, ctx, interrupted };
  }

  async function storedDesired(ctx: { store: { get(key: string): Promise<{ body: string } | undefined> } }) {
    return JSON.parse((await ctx.store.get(keys.desired('test')))!.body) as Record<string, unknown>;
  }

  it('--resume refuses (exit 2) when desired.json changed after the run stopped, naming the fields and the fix', async () => {
    const { world, ctx, interrupted } = await interruptedAtGate();
    expect(interrupted.desired).toMatchObject({ enable_legacy_instance: true, enable_enhanced_instance: true });
    // Someone else (an emergency rollback, a hand edit) changes desired.json meanwhile.
    const theirs = { ...(await storedDesired(ctx)), enable_enhanced_instance: false, release_version: 'v9' };
    await ctx.store.put(keys.desired('test'), JSON.stringify(theirs));
    const applies = world.applies.length;

    const again = coreContext(world, { store: ctx.store });
    const error = await migrate(again, { resume: true }).catch((e) => e);
    expect(error.code).toBe(ExitCode.usage);
    expect(error.message).toBe(
      `cannot resume ${interrupted.id}: s3://fake-state/${keys.desired('test')} changed since it stopped (enable_enhanced_instance true → false; release_version "v0" → "v9"), so resuming would apply a stale state over it`,
    );
    expect(error.fix).toBe(
      'see what runs now with ydeploy status --env test, then start a new run: ydeploy migrate --env test',
    );
    expect(error.details.changed).toEqual([
      { field: 'enable_enhanced_instance', then: true, now: false },
      { field: 'release_version', then: 'v0', now: 'v9' },
    ]);
    // Nothing was applied, desired.json is theirs, the journal still says interrupted, the lock is gone.
    expect(world.applies).toHaveLength(applies);
    expect(await storedDesired(ctx)).toEqual(theirs);
    const [entry] = await listJournal(again);
    expect(entry).toMatchObject({ id: interrupted.id, outcome: 'interrupted' });
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
  });

  it('--resume refuses when desired.json was deleted after the run stopped', async () => {
    const { world, ctx, interrupted } = await interruptedAtGate();
    await ctx.store.delete(keys.desired('test'));
    const error = await migrate(coreContext(world, { store: ctx.store }), { resume: true }).catch((e) => e);
    expect(error.code).toBe(ExitCode.usage);
    expect(error.message).toContain(`cannot resume ${interrupted.id}:`);
    expect(error.message).toContain('changed since it stopped (it was deleted)');
  });

  it('desired.json rewritten with the same content (other order and spacing) resumes as before', async () => {
    const { world, ctx, interrupted } = await interruptedAtGate();
    const same = await storedDesired(ctx);
    const reordered = Object.fromEntries(Object.entries(same).reverse());
    expect(desiredChanges({ ...same, tags: { a: 1, b: [2] } }, { ...same, tags: { b: [2], a: 1 } })).toEqual([]);
    await ctx.store.put(keys.desired('test'), JSON.stringify(reordered, null, 4));
    const result = await migrate(coreContext(world, { store: ctx.store }), { resume: true });
    expect(result.deploymentId).toBe(interrupted.id);
    expect(world.byRole('enhanced')!.role).toBe('active');
  });

  it('a run killed while a step wrote desired.json resumes: that write was its own', async () => {
    const { world, ctx } = await setup();
    let applying!: () => void;
    const reached = new Promise<void>((resolve) => (applying = resolve));
    ctx.terraform = {
      ...world.terraform,
      // The process dies here: after desired.json was written, before the step ended.
      apply: () => {
        applying();
        return new Promise(() => {});
      },
    };
    void migrate(ctx, {});
    await reached;
    const [killed] = await listJournal(ctx);
    expect(killed.outcome).toBe('running');
    expect(killed.desiredWriting).toEqual(await storedDesired(ctx));
    expect(killed.desired).not.toEqual(await storedDesired(ctx));
    // The dead run's lock is cleared (lock release --force), then --resume continues it.
    await ctx.store.delete(keys.lock('test'));
    const result = await migrate(coreContext(world, { store: ctx.store }), { resume: true });
    expect(result.deploymentId).toBe(killed.id);
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
