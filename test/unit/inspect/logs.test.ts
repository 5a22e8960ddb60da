import { describe, expect, it } from 'vitest';
import { CredentialsError } from '../../../cli/errors.js';
import { mergePages } from '../../../cli/inspect/logs/merge.js';
import { SeenEvents } from '../../../cli/inspect/logs/seen.js';
import { followLogs, readLogs, type TaggedEvent } from '../../../cli/inspect/logs/read.js';
import { parseStreamName, StreamDirectory } from '../../../cli/inspect/logs/streams.js';
import { parseSelector } from '../../../cli/inspect/targets.js';
import { collect, FakeClock, FakeInstances, FakeLogStore, instance } from './fakes.js';

/** The log group the module names for project ydeploy, environment test. */
const GROUP = '/ec2/ydeploy-test-logs';

async function* source(pages: number[][], pulls?: { n: number }) {
  for (const page of pages) {
    if (pulls) pulls.n++;
    yield page.map((timestamp) => ({ timestamp }));
  }
}

describe('mergePages', () => {
  it('merges time-ordered sources into one time-ordered stream', async () => {
    const pages = await collect(
      mergePages([
        source([
          [1, 4, 7],
          [9, 12],
        ]),
        source([[2, 3], [5, 6, 8], [20]]),
        source([[10, 11]]),
      ]),
    );
    expect(pages.flat().map((e) => e.timestamp)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20]);
  });

  it('streams: yields before a source is drained, holding one page per source', async () => {
    const pulls = { n: 0 };
    const many = Array.from({ length: 50 }, (_, i) => [i * 10, i * 10 + 5]);
    const merged = mergePages([source(many, pulls), source([[0, 1000]])]);
    const first = await merged.next();
    expect(first.value!.length).toBeGreaterThan(0);
    expect(pulls.n).toBeLessThan(3);
    await merged.return(undefined);
  });

  it('keeps events that share a timestamp', async () => {
    const pages = await collect(mergePages([source([[5, 5, 5]]), source([[5, 5]])]));
    expect(pages.flat()).toHaveLength(5);
  });

  it('sorts a single source page by time', async () => {
    const pages = await collect(mergePages([source([[3, 1, 2]])]));
    expect(pages.flat().map((e) => e.timestamp)).toEqual([1, 2, 3]);
  });
});

describe('SeenEvents', () => {
  it('recognises ids, not timestamps, and forgets ids older than the cutoff', () => {
    const seen = new SeenEvents();
    expect(seen.add('a', 100)).toBe(true);
    expect(seen.add('b', 100)).toBe(true);
    expect(seen.add('a', 100)).toBe(false);
    seen.add('c', 200);
    seen.forgetBefore(150);
    expect(seen.size).toBe(1);
    expect(seen.add('c', 200)).toBe(false);
  });
});

describe('streams', () => {
  it('parses stream names', () => {
    expect(parseStreamName('i-0abc-bot')).toEqual({ instanceId: 'i-0abc', kind: 'bot' });
    expect(parseStreamName('i-0abc-health')).toEqual({ instanceId: 'i-0abc', kind: 'health' });
    expect(parseStreamName('something-else')).toBeUndefined();
  });

  it('tags kinds from EC2, keeps gone instances as unknown, filters by selector and stream', async () => {
    const logs = new FakeLogStore();
    for (const s of ['i-legacy-bot', 'i-legacy-health', 'i-new-bot', 'i-new-health', 'i-gone-bot'])
      logs.put(s, 1000, 'x');
    const instances = new FakeInstances([instance('i-legacy', 'legacy'), instance('i-new', 'enhanced')]);
    const dir = new StreamDirectory(logs, instances, 'test', GROUP);
    const all = await dir.discover({ selector: parseSelector(undefined) });
    expect(all.map((s) => `${s.name}:${s.instanceKind}`)).toEqual([
      'i-gone-bot:unknown',
      'i-legacy-bot:legacy',
      'i-legacy-health:legacy',
      'i-new-bot:enhanced',
      'i-new-health:enhanced',
    ]);
    expect((await dir.discover({ selector: parseSelector('enhanced'), kind: 'health' })).map((s) => s.name)).toEqual([
      'i-new-health',
    ]);
    expect((await dir.discover({ selector: parseSelector('i-gone') })).map((s) => s.name)).toEqual(['i-gone-bot']);
  });

  it("takes kinds from terraform's outputs first, and asks EC2 only for instances they do not name", async () => {
    const logs = new FakeLogStore();
    for (const s of ['i-legacy-bot', 'i-extra-bot']) logs.put(s, 1000, 'x');
    const instances = new FakeInstances([instance('i-extra', 'enhanced')]);
    const asked: string[][] = [];
    const describe = instances.describe.bind(instances);
    instances.describe = async (ids) => (asked.push(ids), describe(ids));
    const dir = new StreamDirectory(
      logs,
      instances,
      'test',
      GROUP,
      async () => new Map([['i-legacy', 'legacy' as const]]),
    );
    const all = await dir.discover({ selector: parseSelector(undefined) });
    expect(all.map((s) => `${s.name}:${s.instanceKind}`)).toEqual(['i-extra-bot:enhanced', 'i-legacy-bot:legacy']);
    expect(asked).toEqual([['i-extra']]);
  });
});

const T0 = Date.parse('2026-11-26T10:00:00Z');

describe('readLogs', () => {
  it('reads every stream of the environment merged by time, across pages, tagged with kind and stream', async () => {
    const logs = new FakeLogStore();
    for (let n = 0; n < 250; n++) {
      logs.put('i-a-bot', T0 + n * 2, `a-bot ${n}`);
      logs.put('i-b-health', T0 + n * 2 + 1, `b-health ${n}`);
    }
    const deps = {
      logs,
      instances: new FakeInstances([instance('i-a', 'legacy'), instance('i-b', 'enhanced')]),
      clock: new FakeClock(),
      environment: 'test',
      logGroup: GROUP,
    };
    const pages = await collect(readLogs(deps, { selector: parseSelector(undefined), since: T0, pageSize: 64 }));
    const events = pages.flat();
    expect(pages.length).toBeGreaterThan(5);
    expect(events).toHaveLength(500);
    expect(events.map((e) => e.timestamp)).toEqual([...events.map((e) => e.timestamp)].sort((a, b) => a - b));
    expect(events[0]).toMatchObject({ instanceId: 'i-a', instanceKind: 'legacy', kind: 'bot', message: 'a-bot 0' });
    expect(events[1]).toMatchObject({ instanceId: 'i-b', instanceKind: 'enhanced', kind: 'health' });
    expect(logs.queries[0]).toMatchObject({ group: GROUP, start: T0 });
  });

  it('passes --since and --filter to the query and leaves out streams of other kinds', async () => {
    const logs = new FakeLogStore();
    logs.put('i-a-bot', T0 - 5000, 'old error');
    logs.put('i-a-bot', T0 + 1, 'new error');
    logs.put('i-a-bot', T0 + 2, 'new info');
    logs.put('i-a-health', T0 + 3, 'health error');
    const deps = {
      logs,
      instances: new FakeInstances([instance('i-a', 'enhanced')]),
      clock: new FakeClock(),
      environment: 'test',
      logGroup: GROUP,
    };
    const events = (
      await collect(
        readLogs(deps, { selector: parseSelector(undefined), kind: 'bot', since: T0, filterPattern: 'error' }),
      )
    ).flat();
    expect(events.map((e) => e.message)).toEqual(['new error']);
  });
});

describe('followLogs', () => {
  it('shows every event once, including events that share a millisecond across polls, and picks up new instances', async () => {
    const logs = new FakeLogStore();
    const clock = new FakeClock(T0);
    const instances = new FakeInstances([instance('i-a', 'legacy')]);
    logs.put('i-a-bot', T0 - 1000, 'before');
    const controller = new AbortController();
    const seen: TaggedEvent[] = [];
    let polls = 0;
    const follow = followLogs(
      { logs, instances, clock, environment: 'test', logGroup: GROUP },
      { selector: parseSelector(undefined), since: T0 - 10_000, signal: controller.signal },
      { pollMs: 500, discoverEveryMs: 0 },
    );
    const script: (() => void)[] = [
      // Two events in the same millisecond as the last one shown: a timestamp+1 cursor would drop them.
      () => {
        logs.put('i-a-bot', T0 - 1000, 'same ms 1');
        logs.put('i-a-bot', T0 - 1000, 'same ms 2');
      },
      // A new enhanced instance appears mid-deploy.
      () => {
        instances.all.push(instance('i-b', 'enhanced'));
        logs.put('i-b-bot', clock.now(), 'enhanced up');
        logs.put('i-b-health', clock.now(), 'healthy');
      },
      // A late event (ingested after newer ones), within the overlap.
      () => logs.put('i-a-health', T0 - 500, 'late'),
      () => controller.abort(),
    ];
    for await (const page of follow) {
      seen.push(...page);
      script[polls++]?.();
    }
    expect(seen.map((e) => e.message)).toEqual(['before', 'same ms 1', 'same ms 2', 'enhanced up', 'healthy', 'late']);
    expect(seen.find((e) => e.message === 'enhanced up')).toMatchObject({
      instanceKind: 'enhanced',
      instanceId: 'i-b',
      kind: 'bot',
    });
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  });

  it('keeps its memory to the overlap window: each poll starts near the newest event, not at --since', async () => {
    const logs = new FakeLogStore();
    const clock = new FakeClock(T0);
    for (let n = 0; n < 1000; n++) logs.put('i-a-bot', T0 - 600_000 + n * 600, `e${n}`);
    const controller = new AbortController();
    let pages = 0;
    for await (const _ of followLogs(
      {
        logs,
        instances: new FakeInstances([instance('i-a', 'enhanced')]),
        clock,
        environment: 'test',
        logGroup: GROUP,
      },
      { selector: parseSelector(undefined), since: T0 - 600_000, signal: controller.signal },
      { overlapMs: 10_000 },
    )) {
      if (++pages === 1) {
        logs.put('i-a-bot', clock.now(), 'next');
      } else controller.abort();
    }
    const starts = logs.queries.map((q) => q.start!);
    expect(starts[0]).toBe(T0 - 600_000);
    expect(starts[1]).toBeGreaterThanOrEqual(T0 - 600 - 10_000);
  });

  it('retries a failed poll and reports it', async () => {
    const logs = new FakeLogStore();
    logs.put('i-a-bot', T0, 'one');
    let fail = true;
    const original = logs.pages.bind(logs);
    logs.pages = (q) => {
      if (fail) {
        fail = false;
        throw new Error('throttled');
      }
      return original(q);
    };
    const controller = new AbortController();
    const errors: string[] = [];
    const got: string[] = [];
    for await (const page of followLogs(
      {
        logs,
        instances: new FakeInstances([instance('i-a', 'enhanced')]),
        clock: new FakeClock(T0),
        environment: 'test',
        logGroup: GROUP,
      },
      { selector: parseSelector(undefined), since: T0 - 1000, signal: controller.signal },
      { onRetry: (e) => errors.push((e as Error).message) },
    )) {
      got.push(...page.map((e) => e.message));
      controller.abort();
    }
    expect(errors).toEqual(['throttled']);
    expect(got).toEqual(['one']);
  });

  it('stops with the error when there are no AWS credentials: retrying cannot help', async () => {
    const logs = new FakeLogStore();
    logs.streams = () =>
      Promise.reject(new CredentialsError('cannot list the streams', 'no AWS credentials were found', 'missing'));
    const retried: unknown[] = [];
    const follow = followLogs(
      { logs, instances: new FakeInstances([]), clock: new FakeClock(T0), environment: 'test', logGroup: GROUP },
      { selector: parseSelector(undefined), since: T0 - 1000, signal: new AbortController().signal },
      { onRetry: (e) => retried.push(e) },
    );
    await expect(follow.next()).rejects.toBeInstanceOf(CredentialsError);
    expect(retried).toEqual([]);
  });
});
