import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BotContext } from '../../../../bot/index.js';
import { JobRunner } from '../../../../bot/runtime/jobs.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup(run: () => unknown) {
  const errors: string[] = [];
  const tracked: Promise<unknown>[] = [];
  const runner = new JobRunner([{ name: 'digest', every: '1s', run }], {
    ctx: {} as BotContext,
    track: (work) => void tracked.push(work),
    onError: (error, job) => errors.push(`${job.name}: ${(error as Error).message}`),
  });
  return { runner, errors, tracked };
}

describe('jobs', () => {
  it('run every interval only between start and stop (the active bot)', async () => {
    let runs = 0;
    const { runner } = setup(() => void runs++);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(0);
    runner.sync(true);
    runner.sync(true); // activating again does not start a second timer
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(3);
    runner.sync(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(3);
    expect(runner.active()).toBe(false);
  });

  it('skip a tick while the previous run is still going; a run that throws is reported', async () => {
    let release!: () => void;
    let runs = 0;
    const slow = setup(() => (runs++, new Promise<void>((resolve) => (release = resolve))));
    slow.runner.sync(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(1);
    release();
    await Promise.all(slow.tracked);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    slow.runner.sync(false);

    const failing = setup(() => {
      throw new Error('no database');
    });
    failing.runner.sync(true);
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(failing.tracked);
    expect(failing.errors).toEqual(['digest: no database', 'digest: no database']);
    failing.runner.sync(false);
  });
});
