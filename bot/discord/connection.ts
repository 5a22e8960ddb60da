// Tracks the gateway connection of each shard for the readiness file: ready, ping, guilds, and
// since when it has been lost (the health server allows a grace period for RESUME). The bot is
// ready on Discord only while every one of its shards is.
import { Events, type Client } from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordState, ShardState } from '../contracts/readiness.js';

/** What the tracker needs of the client: its shards' pings and the shard each guild is on. */
export interface ShardSource {
  isReady(): boolean;
  ping(id: number): number;
  guilds(): Iterable<{ shardId: number }>;
}

/** The shards' states, changed by the gateway's events. Pure over its clock, so tests drive it. */
export class ShardTracker {
  private readonly states = new Map<number, { readyOnce: boolean; lostAt: number | null }>();

  constructor(
    readonly shards: readonly number[],
    readonly shardCount: number,
    private readonly now: () => number = Date.now,
  ) {
    for (const id of shards) this.states.set(id, { readyOnce: false, lostAt: null });
  }

  /** The shard is lost; returns whether it was connected until now (so the caller logs once). */
  lost(id: number): boolean {
    const state = this.states.get(id);
    if (!state || !state.readyOnce || state.lostAt !== null) return false;
    state.lostAt = this.now();
    return true;
  }

  /** The shard is ready (identified or resumed); returns for how long it was lost, or null. */
  back(id: number): number | null {
    const state = this.states.get(id);
    if (!state) return null;
    const downMs = state.lostAt === null ? null : this.now() - state.lostAt;
    state.readyOnce = true;
    state.lostAt = null;
    return downMs;
  }

  snapshot(source: ShardSource): DiscordState {
    const guilds = new Map<number, number>();
    for (const guild of source.guilds()) guilds.set(guild.shardId, (guilds.get(guild.shardId) ?? 0) + 1);
    const shards: ShardState[] = this.shards.map((id) => {
      const state = this.states.get(id)!;
      return {
        id,
        ready: state.readyOnce && state.lostAt === null,
        ping: Math.round(source.ping(id)),
        guilds: guilds.get(id) ?? 0,
        lostAt: state.lostAt,
      };
    });
    const lost = shards.map((shard) => shard.lostAt).filter((at): at is number => at !== null);
    const pings = shards.map((shard) => shard.ping).filter((ping) => ping >= 0);
    return {
      ready: source.isReady() && shards.every((shard) => shard.ready),
      ping: pings.length ? Math.round(pings.reduce((a, b) => a + b, 0) / pings.length) : -1,
      guilds: shards.reduce((sum, shard) => sum + shard.guilds, 0),
      lostAt: lost.length ? Math.min(...lost) : null,
      shards,
      shardCount: this.shardCount,
    };
  }
}

export function trackConnection(
  client: Client,
  shards: { shards: readonly number[]; shardCount: number },
  log: Logger,
  onChange: () => void,
): () => DiscordState {
  const tracker = new ShardTracker(shards.shards, shards.shardCount);
  const lost = (shard: number, why: string, fields: Record<string, unknown>) => {
    if (tracker.lost(shard)) log.warn({ shard, ...fields }, `Discord connection lost (shard ${shard}): ${why}`);
    onChange();
  };
  const back = (shard: number, how: string) => {
    const downMs = tracker.back(shard);
    if (downMs !== null) log.info({ shard, downMs }, `Discord connection back (shard ${shard}): ${how}`);
    onChange();
  };
  client.on(Events.ShardDisconnect, (event, shard) => lost(shard, 'disconnected', { code: event.code }));
  client.on(Events.ShardReconnecting, (shard) => lost(shard, 'reconnecting', {}));
  client.on(Events.ShardResume, (shard, replayed) => back(shard, `resumed, ${replayed} events replayed`));
  client.on(Events.ShardReady, (shard) => back(shard, 'ready'));
  const source: ShardSource = {
    isReady: () => client.isReady(),
    ping: (id) => client.ws.shards.get(id)?.ping ?? -1,
    guilds: () => client.guilds.cache.values(),
  };
  return () => tracker.snapshot(source);
}
