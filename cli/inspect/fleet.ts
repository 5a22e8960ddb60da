// `status` of a sharded fleet: one row per shard group of the desired state (its release, role,
// instance, state and health, with the shards the instance's /health reports), rows for live
// sharded instances the desired state no longer names (on their way out), and the identify
// budget the next rollout will spend. An environment whose desired state has no shard groups has
// no fleet section at all, so its status reads as it always did.
import type { Context } from '../core/context.js';
import { loadDesired, type ShardGroupState } from '../core/desired/state.js';
import { groupKey, groupName, instanceOfGroup, runsFleet, shardGroups } from '../core/fleet.js';
import { readIdentifyBudget, type IdentifyBudget } from '../core/budget.js';
import type { Instance, InstanceState } from '../ports.js';
import type { HealthState, HealthProbe } from './health.js';
import { groupOf, shardsOfBody, type ShardHealth } from './shards.js';

export interface GroupStatus {
  /** The desired state's key ("v2.s0-1of4"), or the same form for an instance it no longer names. */
  key: string;
  /** "s0-1of4". */
  name: string;
  release: string;
  shards: number[];
  shardCount: number;
  /** The role the desired state gives the group; undefined for an instance it no longer names. */
  role?: ShardGroupState['role'];
  desired: boolean;
  instanceId?: string;
  /** The instance's EC2 state; missing: no live instance runs the group; unknown: instances not read. */
  state: InstanceState | 'missing' | 'unknown';
  health?: HealthState;
  /** The bot's own role, from its /health body. */
  botRole?: HealthProbe['botRole'];
  /** Each shard of the instance, from its /health body (absent from bots that do not report them). */
  shardHealth?: ShardHealth[];
  reason?: string;
}

export interface FleetStatus {
  /** Shards in all, of the groups that serve (the active ones; any group's when none is active). */
  shardCount: number;
  groups: GroupStatus[];
  /** The identify budget; undefined when it could not be read (`budgetError` says why). */
  budget?: IdentifyBudget;
  budgetError?: string;
}

/** What the fleet section reads itself: the desired state's groups and the identify budget. */
export interface FleetReading {
  groups: Record<string, ShardGroupState>;
  budget?: IdentifyBudget;
  budgetError?: string;
}

export type FleetDeps = Pick<Context, 'env' | 'store' | 'clock'> &
  Partial<Pick<Context, 'secrets' | 'discord' | 'signal'>>;

/**
 * The desired state's shard groups and the identify budget; null when the desired state runs no
 * fleet. A budget that cannot be read (or not within `bounded`'s time) is a warning
 * (`budgetError`), never a failed section.
 */
export async function readFleet(
  deps: FleetDeps,
  bounded: <T>(work: Promise<T>) => Promise<T>,
): Promise<FleetReading | null> {
  const desired = await loadDesired(deps);
  if (!runsFleet(desired)) return null;
  const reading: FleetReading = { groups: shardGroups(desired) };
  if (!deps.secrets || !deps.discord) return { ...reading, budgetError: 'no Discord access in this context' };
  const { secrets, discord } = deps;
  const cached = recentBudget(deps);
  if (cached) return { ...reading, budget: cached };
  try {
    reading.budget = await bounded(readIdentifyBudget({ ...deps, secrets, discord }));
    lastBudget.set(deps, { at: deps.clock.now(), budget: reading.budget });
  } catch (error) {
    if (deps.signal?.aborted) throw deps.signal.reason;
    reading.budgetError = (error as Error).message;
  }
  return reading;
}

/**
 * `status --watch` redraws every few seconds, and the budget moves only when sessions start: it
 * is read again once BUDGET_REFRESH_MS have passed, the time to its reset counted down meanwhile.
 */
const BUDGET_REFRESH_MS = 30_000;
const lastBudget = new WeakMap<object, { at: number; budget: IdentifyBudget }>();

function recentBudget(deps: FleetDeps): IdentifyBudget | undefined {
  const last = lastBudget.get(deps);
  const age = last ? deps.clock.now() - last.at : Infinity;
  if (!last || age >= BUDGET_REFRESH_MS) return undefined;
  return { ...last.budget, resetAfterMs: Math.max(0, last.budget.resetAfterMs - age) };
}

/** An instance of the status list, with what the group rows need of it. */
export interface FleetInstance extends Pick<Instance, 'id' | 'kind' | 'state' | 'release' | 'shards' | 'shardCount'> {
  launchTime?: Date;
  health?: HealthProbe;
}

/**
 * The rows: every desired group with the instance that runs it (instanceOfGroup: the newest live
 * one), then live sharded instances no desired group claims. `instances` undefined: not read.
 */
export function fleetStatus(reading: FleetReading, instances: FleetInstance[] | undefined): FleetStatus {
  const live = (instances ?? []) as Instance[];
  const claimed = new Set<string>();
  const groups: GroupStatus[] = Object.entries(reading.groups).map(([key, group]) => {
    const row: GroupStatus = {
      key,
      name: groupName(group.shards, group.shard_count),
      release: group.release,
      shards: [...group.shards],
      shardCount: group.shard_count,
      role: group.role,
      desired: true,
      state: instances ? 'missing' : 'unknown',
    };
    const instance = instanceOfGroup(live, group) as FleetInstance | undefined;
    if (!instance) return row;
    claimed.add(instance.id);
    return { ...row, ...instanceFacts(instance) };
  });
  for (const i of instances ?? []) {
    if (claimed.has(i.id) || i.kind !== 'enhanced' || !i.shards?.length || !i.shardCount) continue;
    if (['shutting-down', 'terminated'].includes(i.state)) continue;
    const release = i.release ?? '—';
    groups.push({
      key: groupKey(release, { shards: i.shards, shardCount: i.shardCount }),
      name: groupOf(i)!,
      release,
      shards: [...i.shards],
      shardCount: i.shardCount,
      desired: false,
      ...instanceFacts(i),
    });
  }
  groups.sort(
    (a, b) =>
      a.shardCount - b.shardCount ||
      Math.min(...a.shards) - Math.min(...b.shards) ||
      Number(b.desired) - Number(a.desired) ||
      roleOrder(a) - roleOrder(b) ||
      a.release.localeCompare(b.release),
  );
  const active = groups.filter((g) => g.desired && g.role === 'active');
  const counted = active.length ? active : groups.filter((g) => g.desired);
  const { budget, budgetError } = reading;
  return {
    shardCount: Math.max(0, ...counted.map((g) => g.shardCount)),
    groups,
    ...(budget ? { budget } : {}),
    ...(budgetError ? { budgetError } : {}),
  };
}

function instanceFacts(i: FleetInstance): Partial<GroupStatus> & Pick<GroupStatus, 'state'> {
  const { shards } = shardsOfBody(i.health?.body);
  return {
    instanceId: i.id,
    state: i.state,
    ...(i.health ? { health: i.health.state } : {}),
    ...(i.health?.botRole ? { botRole: i.health.botRole } : {}),
    ...(shards ? { shardHealth: shards } : {}),
    ...(i.health?.reason && i.health.state !== 'healthy' ? { reason: i.health.reason } : {}),
  };
}

const roleOrder = (g: Pick<GroupStatus, 'role'>): number => (g.role === 'active' ? 0 : g.role === 'standby' ? 1 : 2);
