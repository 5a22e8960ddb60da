// Tracks the gateway connection for the readiness file: ready, ping, guilds, and since when
// it has been lost (the health server allows a grace period for RESUME).
import { Events, type Client } from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordState } from '../contracts/readiness.js';

export function trackConnection(client: Client, log: Logger, onChange: () => void): () => DiscordState {
  let lostAt: number | null = null;
  const lost = (why: string, fields: Record<string, unknown>) => {
    if (lostAt === null) lostAt = Date.now();
    log.warn(fields, `Discord connection lost: ${why}`);
    onChange();
  };
  const back = (how: string) => {
    if (lostAt !== null) log.info({ downMs: Date.now() - lostAt }, `Discord connection back: ${how}`);
    lostAt = null;
    onChange();
  };
  client.on(Events.ShardDisconnect, (event) => lost('disconnected', { code: event.code }));
  client.on(Events.ShardReconnecting, () => lost('reconnecting', {}));
  client.on(Events.ShardResume, (_id, replayed) => back(`resumed, ${replayed} events replayed`));
  client.on(Events.ShardReady, () => back('ready'));
  return () => ({
    ready: client.isReady() && lostAt === null,
    ping: Math.round(client.ws.ping),
    guilds: client.guilds.cache.size,
    lostAt,
  });
}
