// A sharded fleet seen from outside: the group an instance runs (its Shards and ShardCount tags),
// the shards its /health body reports, and a one-line summary of them. The body's shard fields
// are read leniently: a bot from before the fleet sends none, and a newer one may add statuses.
import * as z from 'zod';
import { groupName } from '../core/fleet.js';
import type { Instance } from '../ports.js';
import type { HealthBody } from './health.js';

/** One gateway shard of an instance, as its /health body reports it. */
export interface ShardHealth {
  id: number;
  /** ready, connecting or lost (another word from a newer bot is kept as it is). */
  status: string;
  guilds?: number;
  ping?: number;
}

const shardHealthSchema = z.object({
  id: z.number().int().min(0),
  status: z.string(),
  guilds: z.number().optional(),
  ping: z.number().optional(),
});

/** The body's `shards` (entries that break the shape are left out) and `shardCount`. */
export function shardsOfBody(body: HealthBody | undefined): { shards?: ShardHealth[]; shardCount?: number } {
  if (!body) return {};
  const out: { shards?: ShardHealth[]; shardCount?: number } = {};
  if (Array.isArray(body.shards)) {
    out.shards = body.shards
      .map((s) => shardHealthSchema.safeParse(s))
      .filter((r) => r.success)
      .map((r) => r.data!)
      .sort((a, b) => a.id - b.id);
  }
  const count: unknown = body.shardCount;
  if (typeof count === 'number' && Number.isInteger(count) && count >= 1) out.shardCount = count;
  return out;
}

/** "s0-1of4" for an instance of a sharded fleet; undefined for a single-shard instance. */
export function groupOf(instance: Pick<Instance, 'shards' | 'shardCount'>): string | undefined {
  return instance.shards?.length && instance.shardCount ? groupName(instance.shards, instance.shardCount) : undefined;
}

/** "2/2 ready, 2400 guilds, 41ms" or "1/2 ready (1 connecting), 1200 guilds, 40ms". */
export function shardSummary(shards: ShardHealth[] | undefined): string | undefined {
  if (!shards?.length) return undefined;
  const ready = shards.filter((s) => s.status === 'ready').length;
  const others = new Map<string, number[]>();
  for (const s of shards.filter((x) => x.status !== 'ready'))
    others.set(s.status, [...(others.get(s.status) ?? []), s.id]);
  const notReady = [...others].map(([status, ids]) => `${ids.join(',')} ${status}`).join(', ');
  const guilds = shards.reduce((sum, s) => sum + (s.guilds ?? 0), 0);
  const pings = shards.map((s) => s.ping).filter((p): p is number => p !== undefined && p >= 0);
  const parts = [`${ready}/${shards.length} ready${notReady ? ` (${notReady})` : ''}`];
  if (shards.some((s) => s.guilds !== undefined)) parts.push(`${guilds} guild${guilds === 1 ? '' : 's'}`);
  if (pings.length) parts.push(`${Math.max(...pings)}ms`);
  return parts.join(', ');
}
