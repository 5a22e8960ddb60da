// `logs` and `logs --follow`: the environment's streams, merged by time, page by page.
import { CredentialsError } from '../../errors.js';
import type { Clock, Instances, LogEvent, LogStore } from '../../ports.js';
import type { Selector } from '../targets.js';
import { mergePages } from './merge.js';
import { SeenEvents } from './seen.js';
import { StreamDirectory, type KindSource, type SourceStream, type StreamKind } from './streams.js';

export interface TaggedEvent extends LogEvent {
  instanceId: string;
  instanceKind: SourceStream['instanceKind'];
  kind: StreamKind;
  /** The instance's shard group on a sharded fleet ("s0-1of4"). */
  group?: string;
}

export interface LogsDeps {
  logs: LogStore;
  instances: Instances;
  clock: Clock;
  environment: string;
  /** The environment's log group (logGroupName in cli/config/names.ts). */
  logGroup: string;
  /**
   * Kinds known without asking EC2 (terraform's outputs); undefined when unknown there. Leave it
   * out on a sharded fleet: only EC2 knows each instance's shards (its group's label).
   */
  knownKinds?: KindSource;
}

export interface LogsRequest {
  selector: Selector;
  kind?: StreamKind;
  /** Epoch ms of the first event wanted. */
  since: number;
  until?: number;
  filterPattern?: string;
  pageSize?: number;
  signal?: AbortSignal;
}

/** FilterLogEvents takes at most 100 stream names per call. */
const STREAMS_PER_QUERY = 100;

/** Every matching event since `since`, in time order, one page at a time. */
export async function* readLogs(deps: LogsDeps, request: LogsRequest): AsyncGenerator<TaggedEvent[]> {
  const directory = new StreamDirectory(deps.logs, deps.instances, deps.environment, deps.logGroup, deps.knownKinds);
  const streams = await directory.discover({ selector: request.selector, kind: request.kind, since: request.since });
  yield* queryStreams(deps, streams, request, request.since);
}

export interface FollowOptions {
  /** Time between polls. */
  pollMs?: number;
  /** How far back each poll looks again, for events ingested late; bounds the seen-set. */
  overlapMs?: number;
  /** How often the stream list is refreshed (new instances during a deploy). */
  discoverEveryMs?: number;
  /** A failed poll is retried after the next interval; this hears about it. */
  onRetry?: (error: unknown) => void;
}

/** readLogs, then keep polling until the signal aborts; each event is yielded once. */
export async function* followLogs(
  deps: LogsDeps,
  request: LogsRequest,
  options: FollowOptions = {},
): AsyncGenerator<TaggedEvent[]> {
  const { pollMs = 500, overlapMs = 60_000, discoverEveryMs = 2_000 } = options;
  const directory = new StreamDirectory(deps.logs, deps.instances, deps.environment, deps.logGroup, deps.knownKinds);
  const seen = new SeenEvents();
  let newest = -Infinity;
  let streams: SourceStream[] = [];
  let discovered = -Infinity;
  // The next poll starts here; ids of events before it can never come back, so they are dropped.
  const horizon = () => Math.max(request.since, Math.min(newest, deps.clock.now()) - overlapMs);
  while (!request.signal?.aborted) {
    try {
      if (deps.clock.now() - discovered >= discoverEveryMs) {
        streams = await directory.discover({ selector: request.selector, kind: request.kind, since: request.since });
        discovered = deps.clock.now();
      }
      for await (const page of queryStreams(deps, streams, request, horizon())) {
        const fresh = page.filter((e) => seen.add(e.id, e.timestamp));
        for (const e of fresh) if (e.timestamp > newest) newest = e.timestamp;
        if (fresh.length) yield fresh;
        seen.forgetBefore(horizon());
      }
    } catch (error) {
      if (request.signal?.aborted) return;
      // Missing or rejected credentials fail every poll the same way: retrying cannot help.
      if (error instanceof CredentialsError) throw error;
      options.onRetry?.(error);
    }
    try {
      await deps.clock.sleep(pollMs, request.signal);
    } catch {
      return;
    }
  }
}

async function* queryStreams(
  deps: LogsDeps,
  streams: SourceStream[],
  request: LogsRequest,
  start: number,
): AsyncGenerator<TaggedEvent[]> {
  if (!streams.length) return;
  const byName = new Map(streams.map((s) => [s.name, s]));
  const group = deps.logGroup;
  const sources: AsyncIterable<LogEvent[]>[] = [];
  for (let i = 0; i < streams.length; i += STREAMS_PER_QUERY) {
    const names = streams.slice(i, i + STREAMS_PER_QUERY).map((s) => s.name);
    sources.push(
      deps.logs.pages({
        group,
        streams: names,
        start,
        end: request.until,
        filterPattern: request.filterPattern,
        pageSize: request.pageSize,
        signal: request.signal,
      }),
    );
  }
  for await (const page of mergePages(sources)) {
    yield page.map((event) => {
      const source = byName.get(event.stream);
      return {
        ...event,
        instanceId: source?.instanceId ?? event.stream,
        instanceKind: source?.instanceKind ?? 'unknown',
        kind: source?.kind ?? 'bot',
        ...(source?.group ? { group: source.group } : {}),
      };
    });
  }
}
