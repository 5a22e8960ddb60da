// The lock stays exclusive when the clocks and the network are not kind: expiry on S3's clock, a
// run that cannot renew or finds its lock taken stops before its next write, and desired.json and
// journal writes are conditional on what the run read.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../../cli/ports.js';
import { acquireLock, readLock, releaseLock } from '../../../../cli/core/lock/lock.js';
import { runFlow } from '../../../../cli/core/flows/common.js';
import { emptyDesired, loadDesired, saveDesired } from '../../../../cli/core/desired/state.js';
import { Journal, listJournal, resumable } from '../../../../cli/core/journal/journal.js';
import type { Step } from '../../../../cli/core/steps/step.js';
import { keys } from '../../../../cli/core/storage.js';
import { renderLock } from '../../../../cli/output/lock.js';
import { ExitCode } from '../../../../cli/errors.js';
import { coreContext, FakeWorld, type TestContext } from '../../../_helpers/fakes.js';

const HOUR = 3_600_000;

/** The world's clock, read `offset` ms off: a laptop whose clock is wrong. */
function skewed(world: FakeWorld, offset: number): Clock {
  return { now: () => world.clock.now() + offset, sleep: (ms, signal) => world.clock.sleep(ms, signal) };
}

describe('lock expiry is judged on S3 clock', () => {
  it('a local clock an hour fast does not steal a lock renewed a moment ago', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    await acquireLock({ ...ctx, user: 'bob@ci' }, { command: 'deploy' });
    const fast = { ...ctx, clock: skewed(world, HOUR) };
    expect((await readLock(fast))!.expired).toBe(false);
    const error = await acquireLock(fast, { command: 'migrate' }).catch((e) => e);
    expect(error.code).toBe(ExitCode.locked);
    // Its expiry is told on the reader's own clock: two minutes from its now.
    expect(error.message).toContain('(lock expires 2026-11-26T11:02:00.000Z)');
  });

  it("a dead run's lock written by a clock a day fast expires after its ttl on S3's clock", async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const dead = await acquireLock(
      { ...ctx, user: 'dead@box', clock: skewed(world, 24 * HOUR) },
      { command: 'deploy' },
    );
    expect(dead.body.expiresAt).toBe('2026-11-27T10:02:00.000Z');
    world.clock.advance(60_000);
    expect((await readLock(ctx))!.expired).toBe(false);
    world.clock.advance(61_000);
    const lock = await readLock(ctx);
    expect(lock).toMatchObject({ expired: true, judgedBy: 's3' });
    const held = await acquireLock(ctx, { command: 'migrate' });
    expect(held.body.holder).toBe('tester@laptop');
    await held.release();
  });

  it('S3 clock itself off from both runs changes nothing: age counts on one clock', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    ctx.store.skewMs = -5 * HOUR;
    await acquireLock({ ...ctx, user: 'bob@ci' }, { command: 'deploy' });
    world.clock.advance(119_000);
    expect((await readLock(ctx))!.expired).toBe(false);
    world.clock.advance(2_000);
    expect((await readLock(ctx))!.expired).toBe(true);
  });
});

/** Two steps under runFlow: the first does `during`, the second only records that it ran. */
async function twoSteps(ctx: TestContext, during: () => Promise<void>) {
  const ran: string[] = [];
  const steps: Step<Record<string, unknown>>[] = [
    {
      id: 'first',
      title: 'First',
      run: async () => {
        ran.push('first');
        await during();
      },
      dryRun: () => '',
    },
    {
      id: 'second',
      title: 'Second',
      run: async () => {
        ran.push('second');
      },
      dryRun: () => '',
    },
  ];
  let recovered = false;
  const error = await runFlow(ctx, {
    command: 'deploy',
    steps,
    fresh: async () => ({}),
    resume: false,
    dryRun: false,
    recover: async () => {
      recovered = true;
      return true;
    },
  }).catch((e) => e);
  const [entry] = await listJournal(ctx);
  return { error, ran, entry, recovered };
}

describe('a run that loses its lock stops before its next write', () => {
  it('renewals failing until less than the safety margin is left: exit 5, the journal says why', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const { error, ran, entry, recovered } = await twoSteps(ctx, async () => {
      ctx.store.failPut = (key) => (key === keys.lock('test') ? new Error('connect ETIMEDOUT') : undefined);
      await world.clock.sleep(120_000);
      ctx.store.failPut = undefined;
    });
    expect(ran).toEqual(['first']);
    expect(error.code).toBe(ExitCode.locked);
    expect(error.what).toBe('this run lost the deployment lock of test');
    expect(error.why).toMatch(
      /^it could not be renewed for \d+s of its 120s ttl \(connect ETIMEDOUT\), so another run may take it over; this run stopped before its next write$/,
    );
    expect(error.fix).toBe(
      'ydeploy status --env test, then once no other deployment runs: ydeploy deploy --resume --env test',
    );
    expect(recovered).toBe(false);
    expect(entry).toMatchObject({ outcome: 'failed', error: error.message });
    expect(entry.steps.map((s) => s.id)).toEqual(['first']);
    // Nobody took it: the stopped run still frees it.
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
  });

  it('a lock taken over mid-run (released with --force, then locked again): exit 5 naming the new holder', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const ops = { ...ctx, user: 'ops@box' };
    const { error, ran, entry } = await twoSteps(ctx, async () => {
      await releaseLock(ops, { force: true });
      await acquireLock(ops, { command: 'rollback' });
      // Long enough for this run's renewal to find the lock changed.
      await world.clock.sleep(50_000);
    });
    expect(ran).toEqual(['first']);
    expect(error.code).toBe(ExitCode.locked);
    expect(error.message).toBe(
      'the deployment lock of test was taken from this run: ops@box holds it now, running "rollback" since 2026-11-26T10:00:00.000Z; this run stopped before its next write',
    );
    expect(entry).toMatchObject({ outcome: 'failed', error: error.message });
    expect((await readLock(ctx))!.body.holder).toBe('ops@box');
  });

  it('a lock that has gone stale while a step ran (an event loop stuck, a laptop asleep) is not trusted', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const { error, ran } = await twoSteps(ctx, async () => {
      // Time jumps past the margin with no renewal tick in between.
      world.clock.advance(100_000);
    });
    expect(ran).toEqual(['first']);
    expect(error.code).toBe(ExitCode.locked);
    expect(error.why).toContain('it could not be renewed for 100s of its 120s ttl');
  });
});

describe('desired.json and the journal are written only over what the run read', () => {
  it('desired.json changed by someone else since it was read: the write is refused (exit 5)', async () => {
    const ctx = coreContext(new FakeWorld());
    await ctx.store.put(keys.desired('test'), JSON.stringify(emptyDesired(ctx.env)));
    const read = (await loadDesired(ctx))!;
    await ctx.store.put(keys.desired('test'), JSON.stringify({ ...read, enable_legacy_instance: true }));
    const error = await saveDesired(ctx, { ...read, enable_enhanced_instance: true }).catch((e) => e);
    expect(error.code).toBe(ExitCode.locked);
    expect(error.message).toBe(
      's3://fake-state/ydeploy/test/desired.json changed since this run read it: someone else (another deployment, or a hand edit) wrote or deleted it, so this run stopped rather than overwrite their state',
    );
    expect(error.fix).toBe('ydeploy status --env test, then rerun the command');
    expect(ctx.store.json(keys.desired('test'))).toMatchObject({ enable_legacy_instance: true });
  });

  it('desired.json created by someone else after the run found none: refused (If-None-Match)', async () => {
    const ctx = coreContext(new FakeWorld());
    expect(await loadDesired(ctx)).toBeUndefined();
    await ctx.store.put(keys.desired('test'), JSON.stringify(emptyDesired(ctx.env)));
    const error = await saveDesired(ctx, emptyDesired(ctx.env)).catch((e) => e);
    expect(error.code).toBe(ExitCode.locked);
    expect(error.why).toContain('created it');
  });

  it("the run's own writes follow one another (each conditional on the last)", async () => {
    const ctx = coreContext(new FakeWorld());
    expect(await loadDesired(ctx)).toBeUndefined();
    await saveDesired(ctx, emptyDesired(ctx.env));
    await saveDesired(ctx, { ...emptyDesired(ctx.env), enable_enhanced_instance: true });
    expect(ctx.store.json(keys.desired('test'))).toMatchObject({ enable_enhanced_instance: true });
  });

  it('a stale run writing a journal entry another run resumed is refused (exit 5)', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const stale = await Journal.start(ctx, 'deploy', {});
    await stale.finish('failed', { error: 'stalled' });
    // Another run resumes the same entry (with the lock that expired meanwhile).
    const other = { ...ctx, store: ctx.store, user: 'ops@box' };
    await Journal.resume(other, await resumable(other, 'deploy'));
    const error = await stale.begin('late', 'A late step').catch((e) => e);
    expect(error.code).toBe(ExitCode.locked);
    expect(error.what).toBe(`journal entry ${stale.id} changed since this run wrote it`);
    expect((await listJournal(ctx))[0].outcome).toBe('running');
  });
});

describe('the lock is shown with its expiry on S3 clock', () => {
  it("lock status shows when it expires for the reader, not the holder's skewed expiresAt", async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const held = await acquireLock(
      { ...ctx, user: 'dead@box', clock: skewed(world, 24 * HOUR) },
      { command: 'deploy' },
    );
    expect(held.body.expiresAt).toBe('2026-11-27T10:02:00.000Z');
    const text = renderLock('sandbox', await readLock(ctx));
    expect(text).toContain('held, expires 2026-11-26T10:02:00.000Z');
  });
});
