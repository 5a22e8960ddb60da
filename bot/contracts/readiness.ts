// The readiness file (DESIGN.md §4.2): the one channel from the bot to its health server, one
// JSON object rewritten on every heartbeat. Healthy, read from it (bot/health/evaluate.ts):
// present, state "ready", pid alive, heartbeat younger than the stale limit, and Discord ready
// or lost for less than the grace. Pure: the bot's fs side is bot/readiness/file.ts.
import { ROLES, type Role } from './roles.js';

/** Where the bot writes it and the health server reads it, unless READY_FILE says otherwise. */
export const READY_FILE_DEFAULT = '/tmp/bot-ready';
/** A heartbeat older than this reads unhealthy (HEALTH_STALE_MS). */
export const HEARTBEAT_STALE_MS_DEFAULT = 10_000;
/** Discord may be lost (reconnecting, resuming) this long before health says unhealthy (DISCORD_GRACE_MS). */
export const DISCORD_GRACE_MS_DEFAULT = 30_000;

/** One gateway shard of the bot. */
export interface ShardState {
  id: number;
  /** Ready on Discord now (identified or resumed, not lost since). */
  ready: boolean;
  /** Heartbeat round trip (ms), -1 before the first one. */
  ping: number;
  /** The guilds this shard serves. */
  guilds: number;
  /** When this shard's connection was lost (ms), null while connected or not yet ready once. */
  lostAt: number | null;
}

export interface DiscordState {
  /** Every shard is ready. */
  ready: boolean;
  ping: number;
  guilds: number;
  /** When the gateway connection was lost (ms; the earliest of the shards lost now), null while connected. */
  lostAt: number | null;
  /** Each shard this bot runs (absent from files written before sharding: one shard, the fields above). */
  shards?: ShardState[];
  /** The fleet's total shard count (absent from files written before sharding). */
  shardCount?: number;
}

export interface Readiness {
  pid: number;
  startedAt: number;
  readyAt: number;
  heartbeatAt: number;
  version: string;
  instanceId: string;
  role: Role;
  /** 'stopping' from the moment a graceful shutdown begins until the file is removed. */
  state: 'ready' | 'stopping';
  discord: DiscordState;
  /** Discord time (ms) of the last interaction this bot handled, for the handoff. */
  lastEventAt: number | null;
  lastInteractionId: string | null;
}

export type ReadResult = { kind: 'missing' } | { kind: 'invalid'; why: string } | { kind: 'ok'; readiness: Readiness };

export function parseReadiness(text: string): ReadResult {
  let value: any;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', why: 'readiness file is not JSON' };
  }
  const missing = ['pid', 'startedAt', 'readyAt', 'heartbeatAt'].find((key) => !Number.isFinite(value?.[key]));
  if (missing) return { kind: 'invalid', why: `readiness file has no numeric ${missing}` };
  if (!ROLES.includes(value.role))
    return { kind: 'invalid', why: `readiness file role ${JSON.stringify(value.role)} is not active or standby` };
  if (typeof value.discord?.ready !== 'boolean') return { kind: 'invalid', why: 'readiness file has no discord.ready' };
  return { kind: 'ok', readiness: readinessOf(value) };
}

/** The fields of a checked readiness object, with defaults for the optional ones. */
function readinessOf(value: any): Readiness {
  const discord = value.discord;
  return {
    pid: value.pid,
    startedAt: value.startedAt,
    readyAt: value.readyAt,
    heartbeatAt: value.heartbeatAt,
    version: String(value.version ?? 'unknown'),
    instanceId: String(value.instanceId ?? 'unknown'),
    role: value.role,
    state: value.state === 'stopping' ? 'stopping' : 'ready',
    discord: {
      ready: discord.ready,
      ping: Number(discord.ping ?? -1),
      guilds: Number(discord.guilds ?? 0),
      lostAt: Number.isFinite(discord.lostAt) ? discord.lostAt : null,
      ...shardsOf(discord),
    },
    lastEventAt: Number.isFinite(value.lastEventAt) ? value.lastEventAt : null,
    lastInteractionId: typeof value.lastInteractionId === 'string' ? value.lastInteractionId : null,
  };
}

/** The per-shard fields, when the file has them: shards that are not objects with a numeric id are left out. */
function shardsOf(discord: any): Pick<DiscordState, 'shards' | 'shardCount'> {
  const out: Pick<DiscordState, 'shards' | 'shardCount'> = {};
  if (Array.isArray(discord.shards))
    out.shards = discord.shards
      .filter((shard: any) => Number.isInteger(shard?.id))
      .map((shard: any) => ({
        id: shard.id,
        ready: shard.ready === true,
        ping: Number(shard.ping ?? -1),
        guilds: Number(shard.guilds ?? 0),
        lostAt: Number.isFinite(shard.lostAt) ? shard.lostAt : null,
      }));
  if (Number.isInteger(discord.shardCount) && discord.shardCount >= 1) out.shardCount = discord.shardCount;
  return out;
}
