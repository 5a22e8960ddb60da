// Guild messages and member joins, delivered the way Discord's gateway does, to the sessions of the
// guild's shard and by intent: MESSAGE_CREATE
// only to sessions with GUILD_MESSAGES, its content empty without MESSAGE_CONTENT (unless the message
// mentions the bot or the bot wrote it), GUILD_MEMBER_ADD only to sessions with GUILD_MEMBERS.
// A bot's channel messages are recorded with the session that sent them, so replies are attributed.
import { HttpError } from './http.js';
import { snowflake } from './snowflake.js';
import { memberOf, userOf } from './users.js';
import {
  Intents,
  type ChannelMessage,
  type EmulatedUser,
  type EmulatorState,
  type Session,
  type UserMessage,
} from './emulator-state.js';

export interface MessageRequest {
  content?: unknown;
  channelId?: unknown;
  authorId?: unknown;
}

/** A user posts `content` in a guild text channel (the first guild's, by default; a channel's id is its guild's). */
export function dispatchMessage(state: EmulatorState, request: MessageRequest): UserMessage {
  if (typeof request.content !== 'string' || !request.content.length || request.content.length > 2000)
    throw new HttpError(400, 'content must be a string of 1 to 2000 characters', 50035);
  const channelId = request.channelId === undefined ? state.guilds[0]?.id : String(request.channelId);
  // Each emulated guild has one text channel, whose id is the guild's (see gateway.ts's GUILD_CREATE).
  const guild = channelId === undefined ? undefined : state.guild(channelId);
  if (!guild) throw new HttpError(404, `Unknown Channel ${channelId}`, 10003);
  const author = userOf(state, request.authorId === undefined ? undefined : String(request.authorId));
  const message: UserMessage = {
    id: snowflake(),
    channelId: guild.id,
    guildId: guild.id,
    content: request.content,
    authorId: author.id,
    sentAt: Date.now(),
    deliveredTo: [],
  };
  state.rememberMessage(message);
  const payload = messageCreate(state, { ...message, author, at: message.sentAt });
  message.deliveredTo = broadcastMessage(state, payload, author);
  return message;
}

/** A bot's REST message create, kept with the sending session; other bots see it as MESSAGE_CREATE. */
export function recordBotMessage(
  state: EmulatorState,
  channelId: string,
  body: Record<string, any>,
  sender: { token: string; userAgent?: string },
): ChannelMessage {
  const session = senderSession(state, sender.token, sender.userAgent);
  const message: ChannelMessage = {
    id: snowflake(),
    channelId,
    content: typeof body.content === 'string' ? body.content : undefined,
    at: Date.now(),
    session: session?.id,
    instance: instanceFromUserAgent(sender.userAgent) ?? session?.instance,
    replyTo: body.message_reference?.message_id ? String(body.message_reference.message_id) : undefined,
    token: sender.token,
  };
  state.recordChannelMessage(message);
  const guild = state.guild(channelId);
  if (guild) broadcastMessage(state, messageCreate(state, { ...message, guildId: guild.id, author: state.botUser }));
  return message;
}

/**
 * A member joins a guild (`guildId`, default the first): GUILD_MEMBER_ADD to every session of the guild's
 * shard with the GUILD_MEMBERS intent.
 */
export function dispatchMemberAdd(state: EmulatorState, request: { username?: unknown; guildId?: unknown }) {
  const guild = request.guildId === undefined ? state.guilds[0] : state.guild(String(request.guildId));
  if (!guild)
    throw new HttpError(404, `Unknown Guild ${String(request.guildId ?? '')}: the bot is in no such guild`, 10004);
  const id = snowflake();
  const username = request.username === undefined ? `member-${id.slice(-6)}` : String(request.username);
  if (!/^[\w.]{2,32}$/.test(username))
    throw new HttpError(400, 'username must be 2 to 32 letters, digits, "_" or "."', 50035);
  const user: EmulatedUser = { id, username, discriminator: '0', global_name: null, avatar: null };
  state.users.set(id, user);
  const payload = { ...memberOf(new Date()), user, guild_id: guild.id };
  const deliveredTo = [];
  for (const session of state.sessionsFor(guild.id)) {
    if (!(session.intents & Intents.GuildMembers)) continue;
    state.push(session, 'GUILD_MEMBER_ADD', payload);
    deliveredTo.push({ session: session.id, instance: session.instance, shard: session.shard });
  }
  return { id, username, guildId: guild.id, deliveredTo };
}

/** The replies bots sent to a user's message (message_reference), every one from every session. */
export function repliesTo(state: EmulatorState, id: string) {
  return (state.replies.get(id) ?? []).map((m) => ({
    id: m.id,
    session: m.session,
    instance: m.instance,
    at: m.at,
    content: m.content,
  }));
}

export function messageSummary(state: EmulatorState, message: UserMessage) {
  return { ...message, replies: repliesTo(state, message.id) };
}

/** The instance a REST call comes from: discord.js appends `ydeploy-instance/<id>` to its user agent. */
export function instanceFromUserAgent(userAgent: string | undefined): string | undefined {
  return /\bydeploy-instance\/([^\s;()]+)/.exec(userAgent ?? '')?.[1];
}

/**
 * The session behind a REST call: the live session of the instance the user agent names (the connected
 * one first, then the newest); without an instance, the token's only live session, if it has one.
 */
function senderSession(state: EmulatorState, token: string, userAgent: string | undefined): Session | undefined {
  const instance = instanceFromUserAgent(userAgent);
  const candidates = state
    .liveSessions()
    .filter((s) => s.token === token && (instance === undefined || s.instance === instance))
    .sort((a, b) => Number(b.ws?.readyState === 1) - Number(a.ws?.readyState === 1) || b.identifiedAt - a.identifiedAt);
  if (instance === undefined && candidates.length !== 1) return undefined;
  return candidates[0];
}

interface Outgoing {
  id: string;
  channelId: string;
  guildId: string;
  content?: string;
  author: EmulatedUser;
  at: number;
  replyTo?: string;
}

/**
 * Sends MESSAGE_CREATE to every session of the guild's shard with GUILD_MESSAGES, hiding the content
 * where Discord would.
 */
function broadcastMessage(
  state: EmulatorState,
  payload: ReturnType<typeof messageCreate>,
  author: EmulatedUser = state.botUser,
) {
  const mentionsBot = payload.mentions.some((u) => u.id === state.botUser.id);
  const deliveredTo = [];
  for (const session of state.sessionsFor(payload.guild_id)) {
    if (!(session.intents & Intents.GuildMessages)) continue;
    const sees = session.intents & Intents.MessageContent || mentionsBot || author.id === state.botUser.id;
    state.push(session, 'MESSAGE_CREATE', sees ? payload : { ...payload, content: '', embeds: [], attachments: [] });
    deliveredTo.push({ session: session.id, instance: session.instance, shard: session.shard });
  }
  return deliveredTo;
}

/** The MESSAGE_CREATE payload of a message in a guild text channel (Discord's message object + guild fields). */
function messageCreate(state: EmulatorState, m: Outgoing) {
  const mentioned = [...(m.content ?? '').matchAll(/<@!?(\d{1,20})>/g)].map((x) => x[1]!);
  const mentions = [...new Set(mentioned)].map((id) =>
    id === state.botUser.id ? state.botUser : { ...userOf(state, id), member: memberOf() },
  );
  return {
    id: m.id,
    type: m.replyTo ? 19 : 0,
    channel_id: m.channelId,
    guild_id: m.guildId,
    author: m.author,
    member: memberOf(),
    content: m.content ?? '',
    timestamp: new Date(m.at).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions,
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    flags: 0,
    ...(m.replyTo ? { message_reference: { type: 0, message_id: m.replyTo, channel_id: m.channelId } } : {}),
  };
}
