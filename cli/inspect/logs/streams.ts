// The environment's log streams (DESIGN.md §4.3): `{instance-id}-bot` and `{instance-id}-health`
// in `/ec2/{env}-logs`, each tagged with its instance's role. Streams of instances that are
// gone still hold their past events, so streams come from the log group, roles from EC2.
import type { InstanceRole, Instances, LogStore, LogStream } from '../../ports.js';
import { matches, type Selector } from '../targets.js';

export type StreamKind = 'bot' | 'health';

/** Instance id -> role from somewhere cheaper than EC2; undefined when it cannot tell. */
export type RoleSource = () => Promise<Map<string, InstanceRole> | undefined>;

export interface SourceStream {
  name: string;
  instanceId: string;
  kind: StreamKind;
  role: InstanceRole | 'unknown';
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}

export const logGroupName = (environment: string): string => `/ec2/${environment}-logs`;

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

/** Finds streams and remembers instance roles across calls (follow re-discovers every poll). */
export class StreamDirectory {
  private readonly roles = new Map<string, InstanceRole | 'unknown'>();

  constructor(
    private readonly logs: LogStore,
    private readonly instances: Instances,
    private readonly environment: string,
    private readonly knownRoles?: RoleSource,
  ) {}

  async discover(filter: StreamFilter): Promise<SourceStream[]> {
    const raw = await this.logs.streams(logGroupName(this.environment));
    const parsed = raw.map((s) => ({ stream: s, name: parseStreamName(s.name) })).filter((p) => p.name !== undefined);
    await this.learnRoles([...new Set(parsed.map((p) => p.name!.instanceId))]);
    const result: SourceStream[] = [];
    for (const { stream, name } of parsed) {
      const source = toSource(stream, name!.instanceId, name!.kind, this.roles.get(name!.instanceId) ?? 'unknown');
      if (filter.kind && source.kind !== filter.kind) continue;
      if (!selects(filter.selector, source)) continue;
      if (filter.since !== undefined && isStale(source, filter.since)) continue;
      result.push(source);
    }
    return result.sort((a, b) => a.name.localeCompare(b.name));
  }

  roleOf(instanceId: string): InstanceRole | 'unknown' {
    return this.roles.get(instanceId) ?? 'unknown';
  }

  private async learnRoles(ids: string[]): Promise<void> {
    let unknown = ids.filter((id) => !this.roles.has(id));
    if (!unknown.length) return;
    // terraform's outputs name every instance it manages: one small S3 read, and the EC2
    // client (100+ MiB) is loaded only for instances they do not name (gone, or not terraform's).
    const known = await this.knownRoles?.().catch(() => undefined);
    for (const id of unknown) if (known?.has(id)) this.roles.set(id, known.get(id)!);
    unknown = unknown.filter((id) => !this.roles.has(id));
    if (!unknown.length) return;
    let found: { id: string; role: InstanceRole }[];
    try {
      found = await this.instances.describe(unknown);
    } catch {
      // An id EC2 no longer knows fails the whole call: fall back to the live instances.
      found = await this.instances.list(this.environment).catch(() => []);
    }
    for (const i of found) this.roles.set(i.id, i.role);
    // Ids still unknown belong to instances that are gone: remember that, do not ask again.
    for (const id of unknown) if (!this.roles.has(id)) this.roles.set(id, 'unknown');
  }
}

function toSource(stream: LogStream, instanceId: string, kind: StreamKind, role: InstanceRole | 'unknown'): SourceStream {
  return { name: stream.name, instanceId, kind, role, lastEventTimestamp: stream.lastEventTimestamp, lastIngestionTime: stream.lastIngestionTime };
}

function selects(selector: Selector, source: SourceStream): boolean {
  if (selector.kind === 'all') return true;
  if (source.role === 'unknown') return selector.kind === 'id' && selector.id === source.instanceId;
  return matches(selector, { id: source.instanceId, role: source.role });
}

function isStale(source: SourceStream, since: number): boolean {
  const last = Math.max(source.lastIngestionTime ?? 0, source.lastEventTimestamp ?? 0);
  return last > 0 && last < since - STALE_SLACK_MS;
}
