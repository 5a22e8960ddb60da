import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitForIdentifyBudget, type BudgetNotice } from '../../../../bot/discord/identify-budget.js';
import {
  backoffMs,
  fileStore,
  StartGuard,
  type BackoffNotice,
  type StartRead,
  type StartRecord,
  type StartStore,
} from '../../../../bot/runtime/starts.js';

const OPTIONS = { firstMs: 5000, maxMs: 600_000 };

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

function memoryStore(): StartStore & { record?: StartRecord } {
  const store: StartStore & { record?: StartRecord } = {
    read: (): StartRead => (store.record ? { kind: 'ok', record: { ...store.record } } : { kind: 'missing' }),
    write: (record) => void (store.record = { ...record }),
    remove: () => void delete store.record,
  };
  return store;
}

/** One start: its guard, the backoffs it announced, and whether before() has finished. */
function start(store: StartStore) {
  const notices: BackoffNotice[] = [];
  const guard = new StartGuard(store, OPTIONS, clock, (n) => notices.push(n));
  let identified = false;
  const before = guard.before().then(() => void (identified = true));
  return { guard, notices, before, identified: () => identified };
}

describe('backoffMs', () => {
  it('is 0 after a ready start, 5 s after one failure, doubling to 10 min', () => {
    expect([0, 1, 2, 3, 4, 7, 8, 9, 50].map((n) => backoffMs(n, OPTIONS))).toEqual([
      0, 5000, 10_000, 20_000, 40_000, 320_000, 600_000, 600_000, 600_000,
    ]);
  });
});

describe('StartGuard', () => {
  it('a first start identifies at once; a start after one that never became ready waits 5 s, then 10 s', async () => {
    const store = memoryStore();
    const first = start(store);
    await vi.advanceTimersByTimeAsync(0);
    expect(first.identified()).toBe(true);
    expect(first.notices).toEqual([]);
    first.guard.failed('login to Discord failed: Used disallowed intents');
    expect(store.record).toMatchObject({ failures: 1, reason: 'login to Discord failed: Used disallowed intents' });

    const second = start(store);
    await vi.advanceTimersByTimeAsync(4999);
    expect(second.identified()).toBe(false);
    expect(second.notices).toEqual([
      {
        waitMs: 5000,
        failures: 1,
        lastStartAt: Date.parse('2026-01-01T00:00:00Z'),
        reason: 'login to Discord failed: Used disallowed intents',
      },
    ]);
    await vi.advanceTimersByTimeAsync(1);
    expect(second.identified()).toBe(true);
    expect(store.record).toMatchObject({ failures: 2 });
    expect(store.record?.reason).toBeUndefined();

    // Killed without a word (SIGKILL, OOM): the record still says it never became ready.
    const third = start(store);
    await vi.advanceTimersByTimeAsync(9999);
    expect(third.identified()).toBe(false);
    expect(third.notices[0]).toMatchObject({ waitMs: 10_000, reason: 'it exited before it was ready on Discord' });
    await vi.advanceTimersByTimeAsync(1);
    expect(third.identified()).toBe(true);
  });

  it('a start that becomes ready clears the record: the next one identifies at once', async () => {
    const store = memoryStore();
    store.record = { failures: 3, startedAt: 0 };
    const one = start(store);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(one.identified()).toBe(true);
    one.guard.ready();
    expect(store.record).toBeUndefined();
    one.guard.failed('too late: it was ready');
    expect(store.record).toBeUndefined();
    const next = start(store);
    await vi.advanceTimersByTimeAsync(0);
    expect(next.identified()).toBe(true);
    expect(next.notices).toEqual([]);
  });

  it('a stop asked for before ready puts back the record as it was: no failure counted', async () => {
    const store = memoryStore();
    const clean = start(store);
    await vi.advanceTimersByTimeAsync(0);
    clean.guard.stopped();
    expect(store.record).toBeUndefined();

    store.record = { failures: 2, startedAt: 5, reason: 'crashed' };
    const after = start(store);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.record).toMatchObject({ failures: 3 });
    after.guard.stopped();
    expect(store.record).toEqual({ failures: 2, startedAt: 5, reason: 'crashed' });
  });

  it('never waits longer than the cap', async () => {
    const store = memoryStore();
    store.record = { failures: 40, startedAt: 0 };
    const s = start(store);
    await vi.advanceTimersByTimeAsync(599_999);
    expect(s.identified()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.identified()).toBe(true);
    expect(s.notices[0]?.waitMs).toBe(600_000);
  });

  it('keeps the record in an owned file; a record it cannot trust counts as one failed start', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ydb-starts-')), 'starts.json');
    const store = fileStore(path);
    expect(store.read()).toEqual({ kind: 'missing' });
    const s = start(store);
    await vi.advanceTimersByTimeAsync(0);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ failures: 1, startedAt: Date.now() });
    expect(statSync(path).mode & 0o777).toBe(0o640);
    s.guard.ready();
    expect(store.read()).toEqual({ kind: 'missing' });

    writeFileSync(path, 'garbage');
    const wary = start(store);
    await vi.advanceTimersByTimeAsync(4999);
    expect(wary.identified()).toBe(false);
    expect(wary.notices[0]?.reason).toBe('the start record cannot be trusted: not JSON');
    await vi.advanceTimersByTimeAsync(1);
    expect(store.read()).toMatchObject({ kind: 'ok', record: { failures: 2 } });
  });
});

describe('waitForIdentifyBudget', () => {
  function budget(limits: { remaining: number; total?: number; reset_after: number }[]) {
    const notices: BudgetNotice[] = [];
    const unknown: unknown[] = [];
    let asked = 0;
    let done = false;
    const waiting = waitForIdentifyBudget(2, {
      fetchLimit: async () => {
        const limit = limits[Math.min(asked++, limits.length - 1)]!;
        if (limit.remaining < 0) throw new Error('401: Unauthorized');
        return { total: 1000, ...limit };
      },
      now: () => Date.now(),
      sleep: clock.sleep,
      onWait: (n) => notices.push(n),
      onUnknown: (e) => unknown.push(e),
    }).then(() => void (done = true));
    return { notices, unknown, waiting, done: () => done, asked: () => asked };
  }

  it('goes on at once when enough session starts remain for its shards', async () => {
    const b = budget([{ remaining: 2, reset_after: 1000 }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(b.done()).toBe(true);
    expect(b.notices).toEqual([]);
  });

  it('waits for the reset, says when it is, and asks again before identifying', async () => {
    const b = budget([
      { remaining: 1, reset_after: 60_000 },
      { remaining: 1000, reset_after: 86_400_000 },
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(b.notices).toEqual([
      { remaining: 1, total: 1000, needed: 2, waitMs: 62_000, resetAt: '2026-01-01T00:01:00.000Z' },
    ]);
    await vi.advanceTimersByTimeAsync(61_999);
    expect(b.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(b.done()).toBe(true);
    expect(b.asked()).toBe(2);
  });

  it('keeps waiting while Discord still says too few remain: it never identifies into a token reset', async () => {
    const b = budget([{ remaining: 0, reset_after: 1000 }]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(b.done()).toBe(false);
    expect(b.notices.length).toBe(11); // at 0, 3 s, ... 30 s: reset_after + 2 s each
  });

  it('leaves a limit it cannot read to the login, which reports the error its own way', async () => {
    const b = budget([{ remaining: -1, reset_after: 0 }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(b.done()).toBe(true);
    expect(String(b.unknown[0])).toContain('401');
  });
});
