// The bot's and health server's configuration, from the environment only (the instance's
// systemd units and the sandbox's instance host set it; bot/README.md lists every variable).
import { hostname } from 'node:os';
import { CONTROL_SOCKET_DEFAULT } from './contracts/botctl.js';
import { DISCORD_GRACE_MS_DEFAULT, HEARTBEAT_STALE_MS_DEFAULT, READY_FILE_DEFAULT } from './contracts/readiness.js';
import { ROLES, type Role } from './contracts/roles.js';

export interface BotConfig {
  token?: string;
  /** SSM parameter holding the token, read with the instance role when DISCORD_TOKEN is unset. */
  tokenParameter?: string;
  api: string;
  healthHost: string;
  healthPort: number;
  readyFile: string;
  controlSocket: string;
  instanceId: string;
  version: string;
  /** The launch role (BOT_ROLE); undefined when it is not known ("unknown" or unset): the bot stands by. */
  role: Role | undefined;
  /** Where the bot keeps the role botctl last set, beside the control socket; it wins over BOT_ROLE on a restart. */
  roleFile: string;
  /** The gateway shards this bot runs (BOT_SHARDS), ascending; [0] unless set. */
  shards: number[];
  /** The fleet's total shard count (BOT_SHARD_COUNT); 1 unless set. */
  shardCount: number;
  /** The record of starts that never became ready (beside the role file: control.starts.json), read by the next start's backoff. */
  startFile: string;
  /** The first backoff after a start that never became ready; it doubles with each one in a row. */
  startBackoffMs: number;
  /** The longest backoff. */
  startBackoffMaxMs: number;
  heartbeatMs: number;
  /** A heartbeat older than this reads unhealthy. */
  staleMs: number;
  /** Discord may be lost this long (reconnecting, resuming) before health says unhealthy. */
  graceMs: number;
  /** How long a gracefully stopping bot keeps "stopping" in the readiness file before removing it. */
  stoppingHoldMs: number;
  /** How long the health server reuses one read of the readiness file. */
  cacheMs: number;
  /** How often the health server evaluates itself and logs the result (the health-failure alarm's data). */
  checkMs: number;
  /** How long a stopping health server keeps answering "stopping" before it closes. */
  drainMs: number;
  /** CloudWatch namespace of the health server's embedded metrics (METRIC_NAMESPACE); unset: none written. */
  metricNamespace?: string;
  logLevel: string;
}

/** A bad setting: "{what}: {why}", never carrying a secret. */
export class ConfigError extends Error {}

declare const __BOT_VERSION__: string | undefined;
const builtVersion = typeof __BOT_VERSION__ === 'string' ? __BOT_VERSION__ : 'dev';

export function readConfig(env: NodeJS.ProcessEnv): BotConfig {
  const launch = env.BOT_ROLE || 'unknown';
  const role = ROLES.find((known) => known === launch);
  if (!role && launch !== 'unknown')
    throw new ConfigError(`BOT_ROLE=${env.BOT_ROLE}: must be "active", "standby" or "unknown"`);
  const controlSocket = env.CONTROL_SOCKET || CONTROL_SOCKET_DEFAULT;
  const roleFile = env.ROLE_FILE || roleFileBeside(controlSocket);
  const { shards, shardCount } = readShards(env);
  return {
    token: env.DISCORD_TOKEN || undefined,
    tokenParameter: env.DISCORD_TOKEN_PARAMETER || undefined,
    api: (env.DISCORD_API || 'https://discord.com/api').replace(/\/+$/, ''),
    healthHost: env.HEALTH_HOST || '0.0.0.0',
    healthPort: integer(env, 'HEALTH_PORT', 3000, 0, 65535),
    readyFile: env.READY_FILE || READY_FILE_DEFAULT,
    controlSocket,
    instanceId: env.INSTANCE_ID || hostname(),
    version: env.RELEASE_VERSION || builtVersion,
    role,
    roleFile,
    shards,
    shardCount,
    startFile: env.START_FILE || `${socketBase(controlSocket)}.starts.json`,
    startBackoffMs: integer(env, 'START_BACKOFF_MS', 5000, 0, 600_000),
    startBackoffMaxMs: integer(env, 'START_BACKOFF_MAX_MS', 600_000, 0, 86_400_000),
    heartbeatMs: integer(env, 'HEARTBEAT_MS', 2000, 100, 60_000),
    staleMs: integer(env, 'HEALTH_STALE_MS', HEARTBEAT_STALE_MS_DEFAULT, 500, 600_000),
    graceMs: integer(env, 'DISCORD_GRACE_MS', DISCORD_GRACE_MS_DEFAULT, 0, 600_000),
    stoppingHoldMs: integer(env, 'STOPPING_HOLD_MS', 300, 0, 5000),
    cacheMs: integer(env, 'HEALTH_CACHE_MS', 200, 0, 5000),
    checkMs: integer(env, 'HEALTH_CHECK_MS', 30_000, 1000, 300_000),
    drainMs: integer(env, 'HEALTH_DRAIN_MS', 500, 0, 5000),
    metricNamespace: env.METRIC_NAMESPACE || undefined,
    logLevel: env.LOG_LEVEL || 'info',
  };
}

/**
 * The role file's default: the control socket's path with .role for .sock (/run/discord-bot/
 * control.role), in the bot's own runtime directory rather than world-writable /tmp.
 */
function roleFileBeside(controlSocket: string): string {
  return `${socketBase(controlSocket)}.role`;
}

/** The control socket's path without .sock: the role file and the start record are named after it, one per bot. */
function socketBase(controlSocket: string): string {
  return controlSocket.replace(/\.sock$/, '');
}

/** The largest shard count accepted: far beyond any bot's, small enough to catch a typo. */
const SHARD_COUNT_MAX = 65_536;
const WHERE_SHARDS = "the instance's Shards and ShardCount tags set them";

/**
 * The shards this bot runs, from BOT_SHARDS ("0,1") and BOT_SHARD_COUNT ("4"). Neither set: shard
 * 0 of 1, an unsharded bot. A count alone: every shard of it. Ids alone: refused, since the
 * guilds a shard serves depend on the count ((guild_id >> 22) % count).
 */
function readShards(env: NodeJS.ProcessEnv): { shards: number[]; shardCount: number } {
  const rawIds = (env.BOT_SHARDS ?? '').trim();
  const rawCount = (env.BOT_SHARD_COUNT ?? '').trim();
  if (!rawIds && !rawCount) return { shards: [0], shardCount: 1 };
  if (!rawCount)
    throw new ConfigError(
      `BOT_SHARDS=${rawIds}: needs BOT_SHARD_COUNT, the fleet's total shard count (${WHERE_SHARDS})`,
    );
  const shardCount = integer({ BOT_SHARD_COUNT: rawCount }, 'BOT_SHARD_COUNT', 1, 1, SHARD_COUNT_MAX);
  if (!rawIds) return { shards: Array.from({ length: shardCount }, (_, i) => i), shardCount };
  const parts = rawIds.split(',').map((part) => part.trim());
  const bad = parts.find((part) => !/^\d{1,6}$/.test(part));
  if (bad !== undefined)
    throw new ConfigError(
      `BOT_SHARDS=${rawIds}: ${JSON.stringify(bad)} is not a shard id; expected comma-separated integers like "0,1" (${WHERE_SHARDS})`,
    );
  const shards = parts.map(Number);
  const twice = shards.find((id, i) => shards.indexOf(id) !== i);
  if (twice !== undefined) throw new ConfigError(`BOT_SHARDS=${rawIds}: shard ${twice} is listed twice`);
  const outside = shards.find((id) => id >= shardCount);
  if (outside !== undefined)
    throw new ConfigError(
      `BOT_SHARDS=${rawIds}: shard ${outside} is outside BOT_SHARD_COUNT=${shardCount} (ids go from 0 to ${shardCount - 1})`,
    );
  return { shards: shards.sort((a, b) => a - b), shardCount };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name}=${raw}: must be an integer from ${min} to ${max}`);
  return value;
}

/** The token, from DISCORD_TOKEN or the SSM parameter (decrypted). The SDK loads only when needed. */
export async function resolveToken(config: BotConfig): Promise<string> {
  if (config.token) return config.token;
  if (!config.tokenParameter)
    throw new ConfigError('no Discord token: set DISCORD_TOKEN or DISCORD_TOKEN_PARAMETER (an SSM SecureString name)');
  hideNodeVersionWarning();
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const ssm = new SSMClient({ maxAttempts: 3 });
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: config.tokenParameter, WithDecryption: true }));
    if (!out.Parameter?.Value) throw new ConfigError(`SSM parameter ${config.tokenParameter}: it has no value`);
    return out.Parameter.Value;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `reading the Discord token from SSM parameter ${config.tokenParameter}: ${(error as Error).name}: ${(error as Error).message}`,
    );
  } finally {
    ssm.destroy();
  }
}

/** The SDK warns about Node 20 on stderr at every start: noise in the bot's log stream, not news. */
function hideNodeVersionWarning(): void {
  const emit = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
    if (
      /NodeVersionSupportWarning|upgrade to node/.test(String((warning as Error)?.message ?? warning)) ||
      rest.includes('NodeVersionSupportWarning')
    )
      return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}
