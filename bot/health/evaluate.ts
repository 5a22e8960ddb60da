// What /health says, as a pure function of the readiness file and the clock (DESIGN.md §4.1).
// Healthy means: file present (a regular file owned by the bot's user), not stopping, pid
// alive, heartbeat fresh (not older than the stale limit, not in the future), Discord ready or
// lost for less than the grace period; a sharded bot: every one of its shards ready or lost for
// less than the grace. Anything else is 503 with a reason.
import { healthHttpCode } from '../contracts/health.js';
import type { DiscordState, ReadResult, ShardState } from '../contracts/readiness.js';
import type { HealthBody, ShardHealth } from '../contracts/schemas.js';

/** How far ahead of the clock a heartbeat may be (the file is written and read on one machine). */
export const HEARTBEAT_FUTURE_MS = 1000;

export interface HealthInputs {
  now: number;
  read: ReadResult;
  /** Whether the pid in the file is a live process (checked by the caller). */
  pidAlive: boolean;
  /** This health server has seen a readiness file before (so a missing one means the bot went away). */
  seenReady: boolean;
  /** The health server itself is shutting down. */
  shuttingDown: boolean;
  staleMs: number;
  graceMs: number;
}

export interface HealthReport {
  code: 200 | 503;
  body: HealthBody;
}

/** The answer for a body: its HTTP code follows from its status. */
function report(body: HealthBody): HealthReport {
  return { code: healthHttpCode(body.status), body };
}

export function evaluateHealth(input: HealthInputs): HealthReport {
  const timestamp = new Date(input.now).toISOString();
  const unhealthy = (reason: string, extra: Partial<HealthBody> = {}): HealthReport =>
    report({ status: 'unhealthy', timestamp, reason, ...extra });
  if (input.shuttingDown) return report({ status: 'stopping', timestamp, reason: 'health server shutting down' });
  const { read } = input;
  if (read.kind === 'missing') {
    return input.seenReady
      ? unhealthy('readiness file removed: the bot is not running')
      : report({ status: 'starting', timestamp });
  }
  if (read.kind === 'invalid') return unhealthy(read.why);

  const r = read.readiness;
  const facts = { version: r.version, instanceId: r.instanceId, role: r.role, pid: r.pid };
  // A stopping bot keeps its pid and heartbeat in the file, so one killed mid-shutdown (or one
  // whose file is left behind) reads unhealthy, never "stopping" forever.
  const stopping = r.state === 'stopping' ? ' while stopping' : '';
  if (!input.pidAlive) return unhealthy(`bot process ${r.pid} is not running${stopping}`, facts);
  const age = input.now - r.heartbeatAt;
  // The bot writes the heartbeat with this machine's clock: one from the future was not written
  // by it (or the clock jumped back) and proves nothing about the bot now.
  if (-age > HEARTBEAT_FUTURE_MS)
    return unhealthy(`heartbeat stale: it is ${seconds(-age)} s in the future${stopping}`, facts);
  if (age > input.staleMs)
    return unhealthy(
      `heartbeat stale: last one ${seconds(age)} s ago (limit ${seconds(input.staleMs)} s)${stopping}`,
      facts,
    );
  if (r.state === 'stopping') return report({ status: 'stopping', timestamp, ...facts });
  const shards = shardsBody(r.discord);
  const down = discordDown(r.discord, input.now, input.graceMs);
  if (down) return unhealthy(down, { ...facts, ...shards });

  return report({
    status: 'healthy',
    timestamp,
    uptime: Math.max(0, Math.round((input.now - r.startedAt) / 1000)),
    ...facts,
    // Both ends of "bot start → ready on Discord", so a deployment can record how long it took.
    startedAt: new Date(r.startedAt).toISOString(),
    readyAt: new Date(r.readyAt).toISOString(),
    discord: { ready: r.discord.ready, ping: r.discord.ping, guilds: r.discord.guilds },
    lastEventAt: r.lastEventAt,
    ...shards,
  });
}

/**
 * Why Discord makes the bot unhealthy, or undefined: the connection (a file without shards) or
 * a shard lost for longer than the grace, or a shard not ready without ever having been (the
 * file appears once every shard was ready, so this one did not come back as it should).
 */
function discordDown(discord: DiscordState, now: number, graceMs: number): string | undefined {
  const grace = `grace ${seconds(graceMs)} s`;
  if (!discord.shards?.length) {
    const lostFor = discord.lostAt === null ? 0 : now - discord.lostAt;
    if (!discord.ready && lostFor > graceMs) return `Discord connection lost for ${seconds(lostFor)} s (${grace})`;
    return undefined;
  }
  // An unsharded bot (shard 0 of 1) keeps the words it always had: its connection is the shard.
  const sharded = (discord.shardCount ?? 1) > 1;
  for (const shard of discord.shards) {
    if (shard.ready) continue;
    const what = sharded ? `Discord shard ${shard.id}` : 'Discord connection';
    if (shard.lostAt === null) return `${what} is not ready (never connected since the bot started)`;
    const lostFor = now - shard.lostAt;
    if (lostFor > graceMs) return `${what} lost for ${seconds(lostFor)} s (${grace})`;
  }
  return undefined;
}

/** The body's per-shard fields, when the file has them. */
function shardsBody(discord: DiscordState): Pick<HealthBody, 'shards' | 'shardCount'> {
  if (!discord.shards) return {};
  const shards = discord.shards.map((shard): ShardHealth => ({
    id: shard.id,
    status: shardStatus(shard),
    guilds: shard.guilds,
    ping: shard.ping,
  }));
  return discord.shardCount === undefined ? { shards } : { shards, shardCount: discord.shardCount };
}

function shardStatus(shard: ShardState): ShardHealth['status'] {
  if (shard.ready) return 'ready';
  return shard.lostAt === null ? 'connecting' : 'lost';
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** Whether a pid names a live process (EPERM: alive, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
