import { describe, expect, it } from 'vitest';
import { isAfter, parseAfter } from '../../../bot/roles/after.js';
import { Dispatcher, RefusedError, type Incoming, type ItemKind } from '../../../bot/roles/dispatcher.js';
import { snowflakeTime } from '../../../bot/roles/snowflake.js';

const EPOCH = 1_420_070_400_000n;
const idAt = (ms: number, n = 0) => (((BigInt(ms) - EPOCH) << 22n) | BigInt(n)).toString();
const T = 1_800_000_000_000;

function setup(role: 'active' | 'standby') {
  let clock = T;
  const answered: string[] = [];
  const roles: string[] = [];
  const dispatcher = new Dispatcher(
    role,
    (error) => {
      throw error;
    },
    (r) => roles.push(r),
    () => clock,
  );
  const receive = (id: string, kind: ItemKind = 'interaction') =>
    dispatcher.receive({ kind, id, receivedAt: clock, answer: async () => void answered.push(id) } satisfies Incoming);
  return { dispatcher, answered, roles, receive, advance: (ms: number) => (clock += ms) };
}

describe('Dispatcher', () => {
  it('answers everything while active and remembers the newest interaction handled', () => {
    const { dispatcher, answered, receive } = setup('active');
    receive(idAt(T, 1));
    receive(idAt(T + 5, 2));
    expect(answered).toEqual([idAt(T, 1), idAt(T + 5, 2)]);
    expect(dispatcher.lastHandled()).toEqual({ id: idAt(T + 5, 2), at: T + 5, kind: 'interaction' });
  });

  it('answers nothing on standby', () => {
    const { answered, receive, dispatcher } = setup('standby');
    receive(idAt(T, 1));
    expect(answered).toEqual([]);
    expect(dispatcher.status()).toMatchObject({ role: 'standby', buffered: 1, lastEventAt: null });
  });

  it('hands over: the old steps down, the new answers exactly what the old did not', () => {
    const old = setup('active');
    const next = setup('standby');
    const both = (id: string) => (old.receive(id), next.receive(id));
    both(idAt(T, 1));
    both(idAt(T + 10, 2));
    const down = old.dispatcher.stepDown();
    expect(down).toEqual({
      role: 'standby',
      lastEventAt: T + 10,
      lastInteractionId: idAt(T + 10, 2),
      lastHandledKind: 'interaction',
      after: idAt(T + 10, 2),
    });
    both(idAt(T + 10, 3)); // same millisecond as the last handled one: the id still orders it
    both(idAt(T + 20, 4));
    const result = next.dispatcher.activate({ after: parseAfter(down.after) });
    expect(result).toMatchObject({
      role: 'active',
      replayed: [idAt(T + 10, 3), idAt(T + 20, 4)],
      expired: 0,
      skipped: 2,
      alreadyActive: false,
    });
    both(idAt(T + 30, 5));
    expect(old.answered).toEqual([idAt(T, 1), idAt(T + 10, 2)]);
    expect(next.answered).toEqual([idAt(T + 10, 3), idAt(T + 20, 4), idAt(T + 30, 5)]);
    expect(old.roles).toEqual(['standby']);
    expect(next.roles).toEqual(['active']);
  });

  it('drops buffered interactions older than 3 s: Discord would reject their answers', () => {
    const next = setup('standby');
    next.receive(idAt(T, 1));
    next.advance(2000);
    next.receive(idAt(T + 2000, 2));
    next.advance(1500);
    const result = next.dispatcher.activate({ after: parseAfter('0') });
    expect(result).toMatchObject({ replayed: [idAt(T + 2000, 2)], expired: 1 });
  });

  it('one cut point over interactions and messages: the newest id handled, of either kind', () => {
    const old = setup('active');
    const next = setup('standby');
    const both = (id: string, kind: ItemKind) => (old.receive(id, kind), next.receive(id, kind));
    both(idAt(T, 1), 'interaction');
    both(idAt(T + 5, 2), 'message');
    const down = old.dispatcher.stepDown();
    expect(down).toMatchObject({
      after: idAt(T + 5, 2),
      lastInteractionId: idAt(T + 5, 2),
      lastHandledKind: 'message',
    });
    // Arrival order differs from Discord's order: the new bot handles them by snowflake.
    both(idAt(T + 30, 5), 'interaction');
    both(idAt(T + 10, 3), 'message');
    both(idAt(T + 20, 4), 'interaction');
    const result = next.dispatcher.activate({ after: parseAfter(down.after) });
    expect(result.replayed).toEqual([idAt(T + 10, 3), idAt(T + 20, 4), idAt(T + 30, 5)]);
    expect(next.answered).toEqual([idAt(T + 10, 3), idAt(T + 20, 4), idAt(T + 30, 5)]);
    expect(next.dispatcher.status()).toMatchObject({
      lastInteractionId: idAt(T + 30, 5),
      lastHandledKind: 'interaction',
    });
  });

  it('keeps buffered messages 60 s and interactions 3 s', () => {
    const next = setup('standby');
    next.receive(idAt(T, 1), 'message');
    next.receive(idAt(T, 2), 'interaction');
    next.advance(3000);
    next.receive(idAt(T + 3000, 3), 'interaction');
    next.advance(56_000);
    expect(next.dispatcher.activate({ after: parseAfter('0') })).toMatchObject({
      replayed: [idAt(T, 1)],
      expired: 1, // the 3 s old interaction; the older one was pruned when the next arrived
    });
    const late = setup('standby');
    late.receive(idAt(T, 1), 'message');
    late.advance(60_000);
    expect(late.dispatcher.activate({ after: parseAfter('0') })).toMatchObject({ replayed: [], expired: 1 });
  });

  it('a handler that throws (synchronously or not) is reported with its item; the rest still run', async () => {
    const failures: string[] = [];
    const answered: string[] = [];
    const dispatcher = new Dispatcher('active', (error, item) =>
      failures.push(`${item.kind} ${item.name} ${(error as Error).message}`),
    );
    const item = (id: number, answer: () => unknown, name = 'roll') => ({
      kind: 'message' as const,
      id: idAt(T, id),
      receivedAt: T,
      name,
      answer,
    });
    dispatcher.receive(
      item(1, () => {
        throw new Error('sync');
      }),
    );
    dispatcher.receive(item(2, () => Promise.reject(new Error('async'))));
    dispatcher.receive(item(3, () => void answered.push('3')));
    await dispatcher.drain();
    expect(failures).toEqual(['message roll sync', 'message roll async']);
    expect(answered).toEqual(['3']);
    expect(dispatcher.lastHandled()?.id).toBe(idAt(T, 3));
  });

  it('drain() waits for tracked work (events, jobs) too', async () => {
    const { dispatcher } = setup('active');
    let done = false;
    dispatcher.track(new Promise((resolve) => setTimeout(() => resolve((done = true)), 20)));
    await dispatcher.drain();
    expect(done).toBe(true);
  });

  it('refuses to activate while the peer reports active, unless forced', () => {
    const { dispatcher } = setup('standby');
    expect(() => dispatcher.activate({ after: parseAfter('0'), peerActive: true })).toThrow(RefusedError);
    expect(() => dispatcher.activate({})).toThrow(/--after/);
    expect(dispatcher.role()).toBe('standby');
  });

  it('a forced activation without --after answers nothing buffered (it may have been answered)', () => {
    const next = setup('standby');
    next.receive(idAt(T, 1));
    expect(next.dispatcher.activate({ force: true, peerActive: true })).toMatchObject({
      role: 'active',
      replayed: [],
      skipped: 1,
    });
    expect(next.answered).toEqual([]);
  });

  it('answers nothing once stopped', () => {
    const { dispatcher, answered, receive } = setup('active');
    dispatcher.stop();
    receive(idAt(T, 1));
    expect(answered).toEqual([]);
  });

  it('activating an active bot is harmless', () => {
    const { dispatcher, roles } = setup('active');
    expect(dispatcher.activate({ after: parseAfter('0') }).alreadyActive).toBe(true);
    expect(roles).toEqual([]);
  });
});

describe('after', () => {
  it('takes a snowflake or a millisecond timestamp', () => {
    expect(parseAfter(idAt(T, 7))).toEqual({ id: BigInt(idAt(T, 7)) });
    expect(parseAfter(String(T))).toEqual({ ms: T });
    expect(() => parseAfter('yesterday')).toThrow(/expected a snowflake id or a millisecond timestamp/);
    expect(isAfter(idAt(T, 2), parseAfter(idAt(T, 1)))).toBe(true);
    expect(isAfter(idAt(T, 1), parseAfter(String(T)))).toBe(false);
    expect(isAfter(idAt(T + 1), parseAfter(String(T)))).toBe(true);
    expect(snowflakeTime(idAt(T, 9))).toBe(T);
  });
});
