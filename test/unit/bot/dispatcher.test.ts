import { describe, expect, it } from 'vitest';
import { isAfter, parseAfter } from '../../../bot/roles/after.js';
import {
  Dispatcher,
  RefusedError,
  type ForcedReplay,
  type Incoming,
  type ItemKind,
} from '../../../bot/roles/dispatcher.js';
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

  it('a forced activation answers nothing it cannot ask Discord about (messages)', async () => {
    const next = setup('standby');
    next.receive(idAt(T, 1), 'message');
    expect(next.dispatcher.activate({ force: true, peerActive: true })).toMatchObject({
      role: 'active',
      replayed: [],
      skipped: 1,
      checking: [],
    });
    await next.dispatcher.drain();
    expect(next.answered).toEqual([]);
  });

  describe('forced activation (predecessor stopped): Discord says what was answered', () => {
    /** A standby whose interactions ask a fake Discord: `answeredIds` have a response, `failing` cannot be read. */
    function forced(answeredIds: string[], options: { failing?: string[]; delayMs?: (id: string) => number } = {}) {
      let clock = T;
      const answered: string[] = [];
      const asked: string[] = [];
      const outcomes: ForcedReplay[] = [];
      const dispatcher = new Dispatcher(
        'standby',
        (error) => {
          throw error;
        },
        () => {},
        () => clock,
        (outcome) => outcomes.push(outcome),
      );
      const receive = (id: string) =>
        dispatcher.receive({
          kind: 'interaction',
          id,
          receivedAt: clock,
          answer: async () => void answered.push(id),
          answered: async () => {
            asked.push(id);
            const delay = options.delayMs?.(id) ?? 0;
            if (delay) clock += delay;
            if (options.failing?.includes(id)) throw new Error('503: Service Unavailable');
            return answeredIds.includes(id);
          },
        });
      return { dispatcher, answered, asked, outcomes, receive, advance: (ms: number) => (clock += ms) };
    }

    it('answers, in snowflake order, the buffered interactions Discord has no response for', async () => {
      const next = forced([idAt(T, 1), idAt(T + 20, 3)]);
      next.receive(idAt(T + 30, 4)); // arrival order differs from Discord's
      next.receive(idAt(T, 1));
      next.receive(idAt(T + 10, 2));
      next.receive(idAt(T + 20, 3));
      next.advance(1000);
      const result = next.dispatcher.activate({ force: true });
      expect(result).toMatchObject({
        role: 'active',
        replayed: [],
        checking: [idAt(T, 1), idAt(T + 10, 2), idAt(T + 20, 3), idAt(T + 30, 4)],
      });
      await next.dispatcher.drain();
      expect(next.answered).toEqual([idAt(T + 10, 2), idAt(T + 30, 4)]);
      expect(next.outcomes).toEqual([
        {
          replayed: [idAt(T + 10, 2), idAt(T + 30, 4)],
          answeredBefore: [idAt(T, 1), idAt(T + 20, 3)],
          expired: [],
          unknown: [],
        },
      ]);
      expect(next.dispatcher.lastHandled()?.id).toBe(idAt(T + 30, 4));
    });

    it('skips every interaction the predecessor answered, and a later step-down cuts after them', async () => {
      const next = forced([idAt(T, 1), idAt(T + 10, 2)]);
      next.receive(idAt(T, 1));
      next.receive(idAt(T + 10, 2));
      next.dispatcher.activate({ force: true });
      await next.dispatcher.drain();
      expect(next.answered).toEqual([]);
      expect(next.dispatcher.stepDown().after).toBe(idAt(T + 10, 2));
    });

    it('never answers outside the window: not expired ones, nor one whose window passes while Discord is asked', async () => {
      const next = forced([], { delayMs: (id) => (id === idAt(T + 500, 2) ? 2000 : 0) });
      next.receive(idAt(T, 1));
      next.advance(500);
      next.receive(idAt(T + 500, 2));
      next.advance(2600); // the first is 3.1 s old: not even asked about
      const result = next.dispatcher.activate({ force: true });
      expect(result).toMatchObject({ expired: 1, checking: [idAt(T + 500, 2)] });
      await next.dispatcher.drain();
      expect(next.asked).toEqual([idAt(T + 500, 2)]);
      expect(next.answered).toEqual([]);
      expect(next.outcomes[0]).toMatchObject({ replayed: [], expired: [idAt(T + 500, 2)] });
    });

    it('does not answer what Discord could not be asked about: a double is worse than a miss', async () => {
      const next = forced([], { failing: [idAt(T, 1)] });
      next.receive(idAt(T, 1));
      next.receive(idAt(T + 10, 2));
      next.dispatcher.activate({ force: true });
      await next.dispatcher.drain();
      expect(next.answered).toEqual([idAt(T + 10, 2)]);
      expect(next.outcomes[0]!.unknown).toEqual([{ id: idAt(T, 1), error: '503: Service Unavailable' }]);
    });

    it('the handoff with --after never asks Discord: it knows the cut point', () => {
      const next = forced([]);
      next.receive(idAt(T, 1));
      next.receive(idAt(T + 10, 2));
      expect(next.dispatcher.activate({ after: parseAfter(idAt(T, 1)) })).toMatchObject({
        replayed: [idAt(T + 10, 2)],
      });
      expect(next.asked).toEqual([]);
      expect(next.answered).toEqual([idAt(T + 10, 2)]);
    });

    it('answers live interactions at once while it asks about buffered ones; nothing once stopped', async () => {
      const next = forced([]);
      next.receive(idAt(T, 1));
      next.dispatcher.activate({ force: true });
      next.receive(idAt(T + 10, 2));
      expect(next.answered).toEqual([idAt(T + 10, 2)]);
      await next.dispatcher.drain();
      expect(next.answered).toEqual([idAt(T + 10, 2), idAt(T, 1)]);

      const stopping = forced([]);
      stopping.receive(idAt(T, 1));
      stopping.dispatcher.activate({ force: true });
      stopping.dispatcher.stop();
      await stopping.dispatcher.drain();
      expect(stopping.answered).toEqual([]);
    });
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
