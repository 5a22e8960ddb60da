// The gateway: HELLO, IDENTIFY (with its intents and shard) -> READY (+ GUILD_CREATE for the shard's
// guilds), heartbeats, RESUME with replay, presence updates, and Discord's refusals: close 4004 for a
// token it does not know, 4010 for an invalid shard, 4011 when sharding is required, op 9 when
// max_concurrency is exceeded, and a token reset when the identify budget is spent (DESIGN.md §6).
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { EmulatorState, Guild, Session } from './emulator-state.js';
import { parseShard, type IdentifyOutcome } from './identify-limits.js';

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  resumeUrl: string;
}

export function acceptGateway(ws: WebSocket, state: EmulatorState, options: GatewayOptions): void {
  let session: Session | undefined;
  const send = (payload: unknown) => ws.readyState === 1 && ws.send(JSON.stringify(payload));
  send({ op: 10, d: { heartbeat_interval: options.heartbeatIntervalMs }, s: null, t: null });

  ws.on('message', (raw, isBinary) => {
    if (isBinary) return ws.close(4002, 'Error while decoding payload.');
    let payload: { op?: number; d?: any };
    try {
      payload = JSON.parse(raw.toString());
    } catch {
      return ws.close(4002, 'Error while decoding payload.');
    }
    if (state.stalled && (payload.op === 2 || payload.op === 6)) return;
    if (payload.op === 2 && state.stalledShards.size && state.stalledShards.has(shardKey(payload.d?.shard))) return;
    switch (payload.op) {
      case 1:
        return send({ op: 11, d: null, s: null, t: null });
      case 2:
        if (session) return ws.close(4005, 'Already authenticated.');
        session = identify(ws, state, payload.d, options);
        return;
      case 6:
        if (session) return ws.close(4005, 'Already authenticated.');
        session = resume(ws, state, payload.d, send);
        return;
      case 3:
        if (!session) return ws.close(4003, 'Not authenticated.');
        session.presence = payload.d;
        session.instance = instanceOf(payload.d) ?? session.instance;
        return;
      default:
        if (!session) return ws.close(4003, 'Not authenticated.');
    }
  });
  ws.on('close', (code) => {
    if (session?.ws !== ws) return;
    session.ws = undefined;
    session.disconnectedAt = Date.now();
    // As on Discord: a client closing with 1000/1001 ends its session; it cannot be resumed,
    // and events are no longer queued for it (a stopped bot is not "delivered to").
    if (code === 1000 || code === 1001) session.invalidated = true;
  });
  ws.on('error', () => ws.terminate());
}

/**
 * IDENTIFY, with Discord's rules for starting sessions: the token (4004), the daily budget (none left:
 * the token is reset, see resetToken), the shard (4010), max_concurrency (op 9) and the guilds one
 * session may carry (4011). An accepted session gets READY with its shard and its guilds, then one
 * GUILD_CREATE per guild.
 */
function identify(ws: WebSocket, state: EmulatorState, d: any, options: GatewayOptions): Session | undefined {
  const token = typeof d?.token === 'string' ? d.token.replace(/^Bot /, '') : '';
  if (!state.tokens.has(token) || state.gatewayRejects.has(token)) {
    ws.close(4004, 'Authentication failed.');
    return undefined;
  }
  const now = Date.now();
  const limits = state.limits;
  const refuse = (outcome: IdentifyOutcome) => limits.record({ at: now, shard: d?.shard ?? null, outcome });
  if (!limits.spend(now)) {
    refuse('exhausted');
    resetToken(state, token, now);
    ws.close(4004, 'Authentication failed.');
    return undefined;
  }
  const shard = parseShard(d?.shard);
  if (!shard) {
    refuse('invalid-shard');
    ws.close(4010, 'Invalid shard.');
    return undefined;
  }
  if (!limits.admits(shard[0], now)) {
    refuse('rate-limited');
    ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
    return undefined;
  }
  const guilds = state.guilds.filter((g) => state.shardOf(g.id, shard[1]) === shard[0]);
  if (guilds.length > limits.guildsPerSession) {
    refuse('sharding-required');
    ws.close(4011, 'Sharding required.');
    return undefined;
  }
  limits.occupy(shard[0], now);
  const session: Session = {
    id: randomBytes(16).toString('hex'),
    token,
    instance: instanceOf(d.presence),
    presence: d.presence,
    // Every privileged intent counts as enabled for the application (as if switched on in the portal).
    intents: Number.isSafeInteger(d.intents) ? d.intents : 0,
    shard,
    ws,
    seq: 0,
    events: [],
    identifiedAt: now,
    resumes: 0,
    invalidated: false,
  };
  state.sessions.set(session.id, session);
  limits.record({ at: now, shard, session: session.id, outcome: 'accepted' });
  state.push(session, 'READY', {
    v: 10,
    user: state.botUser,
    guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
    session_id: session.id,
    resume_gateway_url: options.resumeUrl,
    shard,
    application: { id: state.applicationId, flags: 0 },
  });
  const joinedAt = new Date(now).toISOString();
  for (const guild of guilds) state.push(session, 'GUILD_CREATE', guildCreate(guild, state.botUser.id, joinedAt));
  return session;
}

/**
 * What Discord does when a bot identifies with its budget spent: it resets the bot's token. Every
 * session of the token is closed with 4004 and can no longer be resumed; the gateway and REST refuse
 * the token until the control API adds it again (POST /control/tokens).
 */
export function resetToken(state: EmulatorState, token: string, at = Date.now()): void {
  state.tokens.delete(token);
  let sessionsClosed = 0;
  for (const session of state.sessions.values()) {
    if (session.token !== token || session.invalidated) continue;
    session.invalidated = true;
    session.ws?.close(4004, 'Authentication failed.');
    sessionsClosed++;
  }
  state.limits.tokenResets.push({ at, sessionsClosed });
}

function resume(ws: WebSocket, state: EmulatorState, d: any, send: (p: unknown) => void): Session | undefined {
  const session = state.sessions.get(d?.session_id);
  if (!session || session.invalidated || session.token !== String(d?.token ?? '').replace(/^Bot /, '')) {
    send({ op: 9, d: false, s: null, t: null });
    return undefined;
  }
  session.ws?.terminate();
  session.ws = ws;
  session.disconnectedAt = undefined;
  session.resumes++;
  for (const event of session.events) if (event.s > Number(d.seq ?? 0)) send({ op: 0, ...event });
  state.push(session, 'RESUMED', {});
  return session;
}

/** "<id>/<count>" of an IDENTIFY's shard (absent: "0/1"). */
function shardKey(shard: unknown): string {
  return Array.isArray(shard) && shard.length === 2 ? `${shard[0]}/${shard[1]}` : '0/1';
}

/**
 * The bot names its instance in its presence ("instance <id> · <version> · <role>", see
 * bot/discord/presence.ts): the one field discord.js lets a bot put into IDENTIFY.
 */
export function instanceOf(presence: any): string | undefined {
  for (const activity of presence?.activities ?? []) {
    const match = /instance ([^\s·]+)/.exec(`${activity?.state ?? ''} ${activity?.name ?? ''}`);
    if (match) return match[1];
  }
  return undefined;
}

function guildCreate(guild: Guild, botId: string, joinedAt: string) {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    owner_id: botId,
    unavailable: false,
    member_count: 1,
    large: false,
    joined_at: joinedAt,
    features: [],
    roles: [
      {
        id: guild.id,
        name: '@everyone',
        permissions: '0',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    channels: [{ id: guild.id, type: 0, name: 'general', position: 0, guild_id: guild.id, permission_overwrites: [] }],
    threads: [],
    members: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    preferred_locale: 'en-US',
    verification_level: 0,
    premium_tier: 0,
    afk_timeout: 300,
  };
}
