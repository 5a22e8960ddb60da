// The environment's log streams (DESIGN.md §4.3): `{instance-id}-bot` and `{instance-id}-health`
// in `/ec2/{project}-{env}-logs`, each tagged with its instance's kind. Streams of instances that are
// gone still hold their past events, so streams come from the log group, kinds from EC2. On a
// sharded fleet each stream also carries its instance's group ("s0-1of4", from its tags).
import type { Instance, InstanceKind, Instances, LogStore, LogStream } from '../../ports.js';
import { matches, type Selector } from '../targets.js';
import { groupOf } from '../shards.js';

export type StreamKind = 'bot' | 'health';

/** Instance id -> kind from somewhere cheaper than EC2; undefined when it cannot tell. */
export type KindSource = () => Promise<Map<string, InstanceKind> | undefined>;

export interface SourceStream {
  name: string;
  instanceId: string;
  kind: StreamKind;
  instanceKind: InstanceKind | 'unknown';
  /** The instance's shard group on a sharded fleet. */
  group?: string;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}

export function parseStreamName(name: string): { instanceId: string; kind: StreamKind } | undefined {
  const match = /^(.+)-(bot|health)$/.exec(name);
  return match ? { instanceId: match[1], kind: match[2] as StreamKind } : undefined;
}

export interface StreamFilter {
  selector: Selector;
  kind?: StreamKind;
  /** Streams with nothing ingested since this long before `since` are left out. */
  since?: number;
}

/** CloudWatch updates a stream's lastEventTimestamp lazily (up to an hour), hence the slack. */
const STALE_SLACK_MS = 60 * 60 * 1000;

/** What the directory knows of an instance: its kind, and from EC2 its release and shards. */
type InstanceFacts = Pick<Instance, 'kind'> & Partial<Pick<Instance, 'release' | 'shards' | 'shardCount'>>;

/** Finds streams and remembers instances' facts across calls (follow re-discovers every poll). */
export class StreamDirectory {
  private readonly kinds = new Map<string, InstanceKind | 'unknown'>();
  private readonly facts = new Map<string, InstanceFacts>();

  constructor(
    private readonly logs: LogStore,
    private readonly instances: Instances,
    private readonly environment: string,
    private readonly logGroup: string,
    private readonly knownKinds?: KindSource,
  ) {}

  async discover(filter: StreamFilter): Promise<SourceStream[]> {
    const raw = await this.logs.streams(this.logGroup);
    const parsed = raw.map((s) => ({ stream: s, name: parseStreamName(s.name) })).filter((p) => p.name !== undefined);
    await this.learnKinds([...new Set(parsed.map((p) => p.name!.instanceId))]);
    const result: SourceStream[] = [];
    for (const { stream, name } of parsed) {
      const id = name!.instanceId;
      const source = toSource(stream, id, name!.kind, this.kinds.get(id) ?? 'unknown', this.facts.get(id));
      if (filter.kind && source.kind !== filter.kind) continue;
      if (!selects(filter.selector, source, this.facts.get(id))) continue;
      if (filter.since !== undefined && isStale(source, filter.since)) continue;
      result.push(source);
    }
    return result.sort((a, b) => a.name.localeCompare(b.name));
  }

  kindOf(instanceId: string): InstanceKind | 'unknown' {
    return this.kinds.get(instanceId) ?? 'unknown';
  }

  private async learnKinds(ids: string[]): Promise<void> {
    let unknown = ids.filter((id) => !this.kinds.has(id));
    if (!unknown.length) return;
    // terraform's outputs name every instance it manages: one small S3 read, and the EC2
    // client (100+ MiB) is loaded only for instances they do not name (gone, or not terraform's).
    const known = await this.knownKinds?.().catch(() => undefined);
    for (const id of unknown) if (known?.has(id)) this.kinds.set(id, known.get(id)!);
    unknown = unknown.filter((id) => !this.kinds.has(id));
    if (!unknown.length) return;
    let found: Instance[];
    try {
      found = await this.instances.describe(unknown);
    } catch {
      // An id EC2 no longer knows fails the whole call: fall back to the live instances.
      found = await this.instances.list(this.environment).catch(() => []);
    }
    for (const i of found) {
      this.kinds.set(i.id, i.kind);
      this.facts.set(i.id, { kind: i.kind, release: i.release, shards: i.shards, shardCount: i.shardCount });
    }
    // Ids still unknown belong to instances that are gone: remember that, do not ask again.
    for (const id of unknown) if (!this.kinds.has(id)) this.kinds.set(id, 'unknown');
  }
}

function toSource(
  stream: LogStream,
  instanceId: string,
  kind: StreamKind,
  instanceKind: InstanceKind | 'unknown',
  facts: InstanceFacts | undefined,
): SourceStream {
  const group = facts ? groupOf(facts) : undefined;
  return {
    name: stream.name,
    instanceId,
    kind,
    instanceKind,
    ...(group ? { group } : {}),
    lastEventTimestamp: stream.lastEventTimestamp,
    lastIngestionTime: stream.lastIngestionTime,
  };
}

function selects(selector: Selector, source: SourceStream, facts: InstanceFacts | undefined): boolean {
  if (selector.by === 'all') return true;
  if (source.instanceKind === 'unknown') return selector.by === 'id' && selector.id === source.instanceId;
  return matches(selector, { ...facts, id: source.instanceId, kind: source.instanceKind });
}

function isStale(source: SourceStream, since: number): boolean {
  const last = Math.max(source.lastIngestionTime ?? 0, source.lastEventTimestamp ?? 0);
  return last > 0 && last < since - STALE_SLACK_MS;
}
