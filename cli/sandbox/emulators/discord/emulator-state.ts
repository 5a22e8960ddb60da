// What the emulated Discord remembers: gateway sessions, registered commands, every interaction
// and user message it sent, and every answer any session gave them. The control API reads this.
import type { WebSocket } from 'ws';
import { IdentifyLimits, type IdentifyLimitOptions } from './identify-limits.js';
import { snowflake } from './snowflake.js';
import type { Webhook, WebhookExecution } from './webhooks.js';

/** A gateway shard: [shard id, shard count], as IDENTIFY and READY carry it. */
export type Shard = [id: number, count: number];

export interface Guild {
  id: string;
  name: string;
}

export interface Session {
  id: string;
  token: string;
  /** The bot instance behind this session, learned from its presence (see gateway.ts). */
  instance?: string;
  presence?: unknown;
  /** The gateway intents from IDENTIFY: which events it is sent, whether messages carry content. */
  intents: number;
  /** IDENTIFY's shard: the session gets the guilds, and the events of the guilds, that route to it. */
  shard: Shard;
  ws?: WebSocket;
  seq: number;
  /** Dispatches kept for RESUME; bounded. */
  events: { s: number; t: string; d: unknown }[];
  identifiedAt: number;
  resumes: number;
  invalidated: boolean;
  /** Set while no connection is attached; a session not resumed within RESUME_WINDOW_MS is invalidated. */
  disconnectedAt?: number;
}

export interface Answer {
  session: string;
  instance?: string;
  /** The answering session's shard. */
  shard: Shard;
  at: number;
  latencyMs: number;
  type: number;
  content?: string;
  /** Discord accepts the first acknowledgement only, within 3 s. */
  accepted: boolean;
  rejected?: 'already-acknowledged' | 'expired';
}

export interface InteractionRecord {
  id: string;
  name: string;
  options: unknown[];
  /** The guild it was used in; absent for a DM (routed to shard 0). */
  guildId?: string;
  sentAt: number;
  deliveredTo: { session: string; instance?: string; shard: Shard; token: string }[];
  answers: Answer[];
}

/** A message a bot sent to a channel (REST), attributed to the session of the instance that sent it. */
export interface ChannelMessage {
  id: string;
  channelId: string;
  content?: string;
  at: number;
  session?: string;
  instance?: string;
  /** message_reference.message_id: the message this one replies to. */
  replyTo?: string;
  token: string;
}

/** A message a user posted (through the control API), dispatched as MESSAGE_CREATE. */
export interface UserMessage {
  id: string;
  channelId: string;
  guildId: string;
  content: string;
  authorId: string;
  sentAt: number;
  deliveredTo: { session: string; instance?: string; shard: Shard }[];
}

export interface EmulatedUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: null;
  bot?: boolean;
}

/** Gateway intents the emulator honours (Discord's bit values). */
export const Intents = { Guilds: 1 << 0, GuildMembers: 1 << 1, GuildMessages: 1 << 9, MessageContent: 1 << 15 };

/** An interaction can be acknowledged for 3 s (Discord's rule). */
export const ANSWER_WINDOW_MS = 3000;
/** Like Discord, a dropped session can be resumed for a while, then it is gone. */
export const RESUME_WINDOW_MS = 60_000;
const MAX_EVENTS = 1000;
/**
 * Interactions remembered with every delivery and answer: 100,000 is over 20 minutes of a bench
 * sending 80 a second (about 1 KB each). Older ones are forgotten and counted (`forgottenInteractions`),
 * so a count over the record is never silently short.
 */
const MAX_INTERACTIONS = 100_000;
const MAX_MESSAGES = 20_000;

export class EmulatorState {
  readonly sessions = new Map<string, Session>();
  readonly interactions = new Map<string, InteractionRecord>();
  /** Interactions dropped from the record (the oldest, past MAX_INTERACTIONS). */
  forgottenInteractions = 0;
  /** Interaction token -> [interaction id, session id]. */
  readonly interactionTokens = new Map<string, [string, string]>();
  /** Registered commands by scope: the application id (global) or `<application id>:<guild id>`. */
  readonly commands = new Map<string, Record<string, unknown>[]>();
  /** When each command was created, by scope: Discord limits creates per day. */
  readonly commandCreates = new Map<string, number[]>();
  /** Tokens the gateway closes with 4004 even though REST accepts them. */
  readonly gatewayRejects = new Set<string>();
  /** While true the gateway leaves IDENTIFY and RESUME unanswered: an outage, or a bot stuck connecting. */
  stalled = false;
  /**
   * Shards ("<id>/<count>") whose IDENTIFY is left unanswered: Discord failing to start one shard's
   * sessions while the others (and sessions already running) are unaffected.
   */
  readonly stalledShards = new Set<string>();
  /** Messages bots sent to channels, in order. */
  readonly messages: ChannelMessage[] = [];
  /** The same messages by the message they reply to (message_reference), so answers are read in one pass. */
  readonly replies = new Map<string, ChannelMessage[]>();
  /** Messages users posted, by id. */
  readonly userMessages = new Map<string, UserMessage>();
  /** Incoming webhooks by id (created through the control API). */
  readonly webhooks = new Map<string, Webhook>();
  /** Every message a webhook execution posted, in order. */
  readonly webhookExecutions: WebhookExecution[] = [];
  /** Users the emulator knows (members added through the control API), by id. */
  readonly users = new Map<string, EmulatedUser>();
  readonly botUser = {
    id: snowflake(),
    username: 'ydeploy-bot',
    discriminator: '0',
    global_name: null,
    avatar: null,
    bot: true,
    flags: 0,
  };

  /** The bot's guilds, in order; replaced whole by setGuilds (the control API's POST /guilds). */
  guilds: Guild[] = [];
  /** Guild id -> the guild and its snowflake's timestamp part (id >> 22), which routes it to a shard. */
  private readonly guildIndex = new Map<string, { guild: Guild; time: number }>();

  /** The identify budget, max_concurrency and guilds per session, and every IDENTIFY's outcome. */
  readonly limits: IdentifyLimits;

  constructor(
    readonly tokens: Set<string>,
    readonly applicationId: string,
    guilds: Guild[],
    limits: IdentifyLimitOptions = {},
  ) {
    this.setGuilds(guilds);
    this.limits = new IdentifyLimits(limits);
  }

  setGuilds(guilds: Guild[]): void {
    this.guilds = guilds;
    this.guildIndex.clear();
    for (const guild of guilds) this.guildIndex.set(guild.id, { guild, time: Number(BigInt(guild.id) >> 22n) });
  }

  guild(id: string): Guild | undefined {
    return this.guildIndex.get(id)?.guild;
  }

  /**
   * The shard id a guild's events go to under `count` shards: (guild_id >> 22) % count, Discord's
   * formula; no guild (a DM) is shard 0.
   */
  shardOf(guildId: string | undefined, count: number): number {
    if (guildId === undefined) return 0;
    const time = this.guildIndex.get(guildId)?.time ?? Number(BigInt(guildId) >> 22n);
    return time % count;
  }

  /** Live sessions whose shard the guild (undefined: a DM) routes to, whatever their shard count. */
  sessionsFor(guildId: string | undefined): Session[] {
    return this.liveSessions().filter((s) => this.shardOf(guildId, s.shard[1]) === s.shard[0]);
  }

  push(session: Session, t: string, d: unknown): void {
    const event = { s: ++session.seq, t, d };
    session.events.push(event);
    if (session.events.length > MAX_EVENTS) session.events.shift();
    if (session.ws?.readyState === 1) session.ws.send(JSON.stringify({ op: 0, ...event }));
  }

  /** Sessions that would receive a dispatch: identified and not invalidated (connected or resumable). */
  liveSessions(): Session[] {
    const now = Date.now();
    for (const s of this.sessions.values())
      if (!s.ws && s.disconnectedAt && now - s.disconnectedAt > RESUME_WINDOW_MS) s.invalidated = true;
    return [...this.sessions.values()].filter((s) => !s.invalidated);
  }

  remember(record: InteractionRecord): void {
    this.interactions.set(record.id, record);
    if (this.interactions.size > MAX_INTERACTIONS) {
      const oldest = this.interactions.keys().next().value!;
      for (const d of this.interactions.get(oldest)!.deliveredTo) this.interactionTokens.delete(d.token);
      this.interactions.delete(oldest);
      this.forgottenInteractions++;
    }
  }

  rememberMessage(message: UserMessage): void {
    this.userMessages.set(message.id, message);
    if (this.userMessages.size > MAX_MESSAGES) this.userMessages.delete(this.userMessages.keys().next().value!);
  }

  recordChannelMessage(message: ChannelMessage): void {
    this.messages.push(message);
    if (message.replyTo) this.replies.set(message.replyTo, [...(this.replies.get(message.replyTo) ?? []), message]);
    if (this.messages.length > MAX_MESSAGES) {
      const dropped = this.messages.shift()!;
      if (dropped.replyTo) this.replies.delete(dropped.replyTo);
    }
  }
}

/**
 * `count` guilds whose snowflakes have consecutive timestamps (guild i: base + i ms), so under any shard
 * count n guild i routes to (base + i) % n: the guilds spread evenly over the shards.
 */
export function spreadGuilds(count: number, base = Date.now() - count - 60_000): Guild[] {
  return Array.from({ length: count }, (_, i) => ({ id: snowflake(base + i), name: `guild ${i}` }));
}
