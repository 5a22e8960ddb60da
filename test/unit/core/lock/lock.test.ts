import { describe, expect, it } from 'vitest';
import { acquireLock, readLock, releaseLock, withLock } from '../../../../cli/core/lock/lock.js';
import { keys } from '../../../../cli/core/storage.js';
import { ExitCode } from '../../../../cli/errors.js';
import { coreContext, FakeWorld } from '../../../_helpers/fakes.js';

describe('the deployment lock', () => {
  it('is created with If-None-Match and a second taker exits 5 naming the holder', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const held = await acquireLock(ctx, { command: 'migrate' });
    const other = { ...ctx, user: 'bob@ci' };
    const error = await acquireLock(other, { command: 'deploy' }).catch((e) => e);
    expect(error.code).toBe(ExitCode.locked);
    expect(error.message).toBe(
      'another deployment holds the lock of test: tester@laptop is running "migrate" since 2026-11-26T10:00:00.000Z (lock expires 2026-11-26T10:02:00.000Z)',
    );
    expect(error.fix).toBe('wait for it, or if it is dead: ydeploy lock release --force --env test');
    await held.release();
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
  });

  it('an expired lock (its holder died) is taken over', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    // Written an hour ago on S3's clock, with a two-minute ttl.
    ctx.store.seed(
      keys.lock('test'),
      JSON.stringify({
        holder: 'dead@box',
        command: 'migrate',
        since: '2026-11-26T09:00:00.000Z',
        renewedAt: '2026-11-26T09:00:00.000Z',
        expiresAt: '2026-11-26T09:02:00.000Z',
      }),
      { ageMs: 3_600_000 },
    );
    const held = await acquireLock(ctx, { command: 'migrate' });
    expect(held.body.holder).toBe('tester@laptop');
    expect(ctx.reporter.text()).toContain('taking over an expired lock held by dead@box');
    await held.release();
  });

  it('is renewed every ttl/3 while held, so a long deployment never loses it', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    await withLock(ctx, { command: 'migrate' }, async () => {
      await world.clock.sleep(5 * 60_000);
      const lock = await readLock(ctx);
      expect(lock!.expired).toBe(false);
      expect(Date.parse(lock!.body.expiresAt)).toBeGreaterThan(world.clock.now());
      expect(lock!.body.since).toBe('2026-11-26T10:00:00.000Z');
    });
    expect(ctx.store.writes.filter((w) => w === 'put ydeploy/test/lock.json').length).toBeGreaterThanOrEqual(7);
  });

  it('is released when the work fails, and the error goes on', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    await expect(withLock(ctx, { command: 'deploy' }, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
  });

  it("release: someone else's needs --force; an expired one or your own does not", async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    await acquireLock({ ...ctx, user: 'bob@ci' }, { command: 'deploy' });
    const error = await releaseLock(ctx, { force: false }).catch((e) => e);
    expect(error.code).toBe(ExitCode.locked);
    expect(error.fix).toBe('ydeploy lock release --force --env test (only if that deployment is dead)');
    const released = await releaseLock(ctx, { force: true });
    expect(released!.body.holder).toBe('bob@ci');
    expect(await releaseLock(ctx, { force: false })).toBeUndefined();
  });

  it("a renewal that finds the lock taken (released with --force) warns and does not delete the new holder's lock", async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const held = await acquireLock(ctx, { command: 'migrate' });
    await releaseLock({ ...ctx, user: 'ops@box' }, { force: true });
    await acquireLock({ ...ctx, user: 'ops@box' }, { command: 'rollback' });
    await held.renew();
    await held.release();
    expect(ctx.reporter.text()).toContain('the deployment lock was taken from this run');
    expect((await readLock(ctx))!.body.holder).toBe('ops@box');
  });
});
