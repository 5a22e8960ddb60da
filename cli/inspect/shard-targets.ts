// `--shard N` and `--group s0-1of4` (health, logs): the instances of a sharded fleet that run a
// shard or a group, read from the desired state's shard groups — the fleet as the deployment
// wants it, so an instance on its way out is not picked, and a rollout's new group is.
import { UsageError } from '../errors.js';
import type { DesiredState, ShardGroupState } from '../core/desired/state.js';
import { groupName, instanceOfGroup, runsFleet, shardGroups } from '../core/fleet.js';
import type { Instance } from '../ports.js';
import type { Selector } from './targets.js';

export interface ShardFlags {
  shard?: string;
  group?: string;
}

/** --shard and --group as given; a conflict with each other or with --instance is refused. */
export function readShardFlags(
  options: { shard?: unknown; group?: unknown; instance?: unknown },
  command: string,
): ShardFlags | undefined {
  const shard = options.shard === undefined ? undefined : String(options.shard).trim();
  const group = options.group === undefined ? undefined : String(options.group).trim();
  if (shard === undefined && group === undefined) return undefined;
  const given = [shard !== undefined && '--shard', group !== undefined && '--group', options.instance && '--instance'];
  const flags = given.filter(Boolean);
  if (flags.length > 1)
    throw new UsageError(`${flags.join(' and ')} cannot be combined`, 'each picks the instances on its own', {
      fix: `ydeploy ${command} ${shard !== undefined ? `--shard ${shard}` : `--group ${group}`}`,
    });
  return { shard, group };
}

/**
 * The selector of `flags` on the environment's desired state. A shard or group the fleet does
 * not run is a UsageError naming what it runs. An environment that runs no fleet runs shard 0
 * of 1 on its one instance: `--shard 0` picks every instance there, anything else is refused.
 */
export function shardSelector(
  desired: Pick<DesiredState, 'shard_groups'> | undefined,
  flags: ShardFlags,
  environment: string,
  command: string,
): Selector {
  const env = `--env ${environment}`;
  if (!runsFleet(desired)) {
    if (flags.shard === '0') return { by: 'all' };
    const what =
      flags.group !== undefined
        ? `--group ${flags.group || '""'} is not a shard group`
        : `--shard ${flags.shard || '""'} is not a shard`;
    throw new UsageError(
      `${what} of ${environment}`,
      `${environment} runs no sharded fleet: 1 shard (shard 0) on one instance`,
      { fix: `ydeploy ${command} ${env}` },
    );
  }
  const groups = Object.values(shardGroups(desired));
  const count = shardCountOf(groups);
  if (flags.group !== undefined) {
    const chosen = groups.filter((g) => groupName(g.shards, g.shard_count) === flags.group);
    if (chosen.length) return { by: 'groups', groups: chosen, what: `group ${flags.group}` };
    const names = [...new Set(groups.map((g) => groupName(g.shards, g.shard_count)))];
    throw new UsageError(
      `--group ${flags.group || '""'} is not a shard group of ${environment}`,
      `its fleet runs ${count} shards in groups ${names.join(', ')}`,
      { fix: `ydeploy ${command} --group ${names[0]} ${env} (ydeploy status ${env} lists the groups)` },
    );
  }
  const text = flags.shard ?? '';
  const shard = /^\d+$/.test(text) ? Number(text) : undefined;
  const chosen = shard === undefined ? [] : groups.filter((g) => g.shards.includes(shard));
  if (chosen.length) return { by: 'groups', groups: chosen, what: `shard ${shard}` };
  throw new UsageError(
    `--shard ${text || '""'} is not a shard of ${environment}`,
    `${shard === undefined ? 'expected a shard number; ' : ''}its fleet runs ${count} shards (0-${count - 1})`,
    { fix: `ydeploy ${command} --shard 0 ${env} (ydeploy status ${env} lists the groups)` },
  );
}

/** The fleet's shard count: the active groups' (while resharding, the count that serves). */
function shardCountOf(groups: ShardGroupState[]): number {
  const active = groups.filter((g) => g.role === 'active');
  return Math.max(...(active.length ? active : groups).map((g) => g.shard_count));
}

/** A desired shard group that no live instance runs (its bot is not serving its shards). */
export interface MissingGroup {
  key: string;
  name: string;
  release: string;
  role: ShardGroupState['role'];
}

/**
 * The desired state's shard groups, of those `selector` picks, with no live instance: health
 * reports them, since a group nobody runs leaves its shards' guilds unanswered.
 */
export function groupsWithoutInstance(
  desired: Pick<DesiredState, 'shard_groups'> | undefined,
  live: Instance[],
  selector: Selector,
): MissingGroup[] {
  if (selector.by === 'id' || (selector.by === 'kind' && selector.kind !== 'enhanced')) return [];
  const picked = selector.by === 'groups' ? selector.groups : undefined;
  return Object.entries(shardGroups(desired))
    .filter(([, g]) => (!picked || picked.some((p) => sameGroup(p, g))) && !instanceOfGroup(live, g))
    .map(([key, g]) => ({ key, name: groupName(g.shards, g.shard_count), release: g.release, role: g.role }));
}

function sameGroup(a: ShardGroupState, b: ShardGroupState): boolean {
  return (
    a.release === b.release &&
    a.role === b.role &&
    a.shard_count === b.shard_count &&
    a.shards.length === b.shards.length &&
    a.shards.every((id, i) => id === b.shards[i])
  );
}
