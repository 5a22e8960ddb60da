// The sharded fleet's arithmetic, in one place: how an environment's shards split into groups
// (one instance each), the stable key of a group's instance, and which shard a guild is on.
// One shard on one instance is not a fleet: that environment keeps the single-instance layout.
import type { Instance } from '../ports.js';
import type { ResolvedEnvironment } from '../config/load.js';
import { isLive } from './instances.js';
import type { DesiredState, ShardGroupState } from './desired/state.js';

export interface ShardLayout {
  /** Gateway shards in all (num_shards). */
  shards: number;
  /** Shards each instance runs; the last group may have fewer. */
  perInstance: number;
}

export interface ShardGroup {
  /** The shard ids this group's instance runs. */
  shards: number[];
  shardCount: number;
  /** "s0-1of4": the group's name in keys, tags and output. */
  name: string;
}

/** The environment's configured layout (fleet.shards, fleet.shardsPerInstance; default 1 of 1). */
export function layoutOf(env: Pick<ResolvedEnvironment, 'fleet'>): ShardLayout {
  const shards = env.fleet?.shards ?? 1;
  return { shards, perInstance: Math.min(shards, env.fleet?.shardsPerInstance ?? shards) };
}

/** A layout with more than one shard: it runs as shard groups (one shard is the single-instance layout). */
export function isFleet(layout: ShardLayout): boolean {
  return layout.shards > 1;
}

/** The groups of a layout, in shard order: group i runs shards [i·per, min((i+1)·per, shards)). */
export function groupsOf(layout: ShardLayout): ShardGroup[] {
  const groups: ShardGroup[] = [];
  for (let first = 0; first < layout.shards; first += layout.perInstance) {
    const shards = Array.from({ length: Math.min(layout.perInstance, layout.shards - first) }, (_, i) => first + i);
    groups.push({ shards, shardCount: layout.shards, name: groupName(shards, layout.shards) });
  }
  return groups;
}

export function groupName(shards: readonly number[], shardCount: number): string {
  const first = Math.min(...shards);
  const last = Math.max(...shards);
  return first === last ? `s${first}of${shardCount}` : `s${first}-${last}of${shardCount}`;
}

/**
 * The terraform key of a group's instance running a release: "<release>.<group>". A new release
 * or a new shard count is a new key, so starting it never replaces an instance that stays.
 */
export function groupKey(release: string, group: Pick<ShardGroup, 'shards' | 'shardCount'>): string {
  return `${release}.${groupName(group.shards, group.shardCount)}`;
}

/** The desired state's shard groups (an empty record when it has none). */
export function shardGroups(desired: Pick<DesiredState, 'shard_groups'> | undefined): Record<string, ShardGroupState> {
  return desired?.shard_groups ?? {};
}

/** Whether the desired state runs a sharded fleet. */
export function runsFleet(desired: Pick<DesiredState, 'shard_groups'> | undefined): boolean {
  return Object.keys(shardGroups(desired)).length > 0;
}

/** The shard a guild's events go to: (guild_id >> 22) % num_shards; DMs (no guild) go to shard 0. */
export function shardOfGuild(guildId: string | undefined, shardCount: number): number {
  if (!guildId) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** The live instance of a group key's release and shards, newest first when there are several. */
export function instanceOfGroup(instances: Instance[], group: ShardGroupState): Instance | undefined {
  return instances
    .filter(
      (i) =>
        i.kind === 'enhanced' &&
        i.release === group.release &&
        i.shardCount === group.shard_count &&
        sameShards(i.shards ?? [], group.shards) &&
        isLive(i),
    )
    .sort((a, b) => (b.launchTime?.getTime() ?? 0) - (a.launchTime?.getTime() ?? 0))[0];
}

function sameShards(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
