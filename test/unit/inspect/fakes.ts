// In-memory ports for the ops tests: a fake clock, a paging log store, scripted SSM results.
import type {
  Alarm,
  Alarms,
  Clock,
  CommandResult,
  Instance,
  Instances,
  LogEvent,
  LogQuery,
  LogStore,
  LogStream,
  RemoteExec,
} from '../../../cli/ports.js';

export class FakeClock implements Clock {
  constructor(public time = Date.parse('2026-11-26T10:00:00Z')) {}
  now = (): number => this.time;
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    this.time += ms;
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw signal.reason;
  };
}

/** A CloudWatch group: events per stream, FilterLogEvents-like paging (interleaved by time). */
export class FakeLogStore implements LogStore {
  readonly events = new Map<string, LogEvent[]>();
  queries: LogQuery[] = [];
  private nextId = 1;

  put(stream: string, timestamp: number, message: string, id = String(this.nextId++)): LogEvent {
    const event = { id, timestamp, stream, message, ingestionTime: timestamp };
    if (!this.events.has(stream)) this.events.set(stream, []);
    this.events.get(stream)!.push(event);
    return event;
  }

  async *pages(query: LogQuery): AsyncIterable<LogEvent[]> {
    this.queries.push(query);
    const all = [...this.events]
      .filter(([name]) => !query.streams || query.streams.includes(name))
      .flatMap(([, events]) => events)
      .filter(
        (e) =>
          (query.start === undefined || e.timestamp >= query.start) &&
          (query.end === undefined || e.timestamp <= query.end),
      )
      .filter((e) => !query.filterPattern || e.message.includes(query.filterPattern))
      .sort((a, b) => a.timestamp - b.timestamp);
    const size = query.pageSize ?? 10_000;
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
  }

  async streams(): Promise<LogStream[]> {
    return [...this.events].map(([name, events]) => ({
      name,
      lastEventTimestamp: events.length ? Math.max(...events.map((e) => e.timestamp)) : undefined,
    }));
  }
}

export class FakeInstances implements Instances {
  constructor(public all: Instance[] = []) {}
  async list(environment: string): Promise<Instance[]> {
    return this.all.filter((i) => i.environment === environment && i.state !== 'terminated');
  }
  async describe(ids: string[]): Promise<Instance[]> {
    const found = this.all.filter((i) => ids.includes(i.id));
    if (found.length !== ids.length) throw new Error('InvalidInstanceID.NotFound');
    return found;
  }
  async stop(id: string): Promise<void> {
    throw new Error(`stop ${id}: the inspection commands never stop an instance`);
  }
}

export function instance(id: string, kind: Instance['kind'], extra: Partial<Instance> = {}): Instance {
  return {
    id,
    kind,
    state: 'running',
    environment: 'test',
    release: 'v1',
    launchTime: new Date('2026-11-26T09:00:00Z'),
    ...extra,
  };
}

export type Script = (instanceId: string, commands: string[]) => Promise<CommandResult> | CommandResult;

export class FakeRemote implements RemoteExec {
  calls: { instanceId: string; commands: string[] }[] = [];
  constructor(public script: Script) {}
  async online(ids: string[]) {
    return new Map(ids.map((id) => [id, 'Online' as const]));
  }
  async run(instanceId: string, commands: string[], options: { signal?: AbortSignal } = {}): Promise<CommandResult> {
    this.calls.push({ instanceId, commands });
    const work = Promise.resolve(this.script(instanceId, commands));
    if (!options.signal) return work;
    return Promise.race([
      work,
      new Promise<never>((_, reject) => {
        if (options.signal!.aborted) reject(options.signal!.reason);
        options.signal!.addEventListener('abort', () => reject(options.signal!.reason), { once: true });
      }),
    ]);
  }
}

export function healthAnswer(instanceId: string, code: number, body: unknown): CommandResult {
  return {
    instanceId,
    status: 'Success',
    exitCode: 0,
    stdout: `${typeof body === 'string' ? body : JSON.stringify(body)}\n${code}`,
    stderr: '',
  };
}

export const healthyBody = (role: 'active' | 'standby' = 'active') => ({
  status: 'healthy',
  timestamp: '2026-11-26T10:00:00Z',
  uptime: 120,
  version: 'v1',
  role,
  discord: { ready: true, ping: 42, guilds: 1 },
});

export class FakeAlarms implements Alarms {
  constructor(public alarms: Alarm[] = []) {}
  async list(prefix: string): Promise<Alarm[]> {
    return this.alarms.filter((a) => a.name.startsWith(prefix));
  }
}

export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}
