// Slash commands sent through the control API (in a guild or a DM, routed to the guild's shard), and the
// answers the bots give them.
// Every session gets its own interaction token for the same interaction id, so an answer's
// callback URL names the session (and so the instance) that sent it, exactly.
import { randomBytes } from 'node:crypto';
import { registeredCommand } from './application-commands.js';
import { HttpError } from './http.js';
import { snowflake } from './snowflake.js';
import { tester } from './users.js';
import { ANSWER_WINDOW_MS, type Answer, type EmulatorState, type InteractionRecord } from './emulator-state.js';

export interface CommandRequest {
  name: string;
  options?: { name: string; type: number; value: unknown }[];
  /** The guild it is used in (default: the first); the bot must be in it. */
  guildId?: string;
  /** Used in a DM with the bot instead of a guild. */
  dm?: boolean;
  channelId?: string;
  /** Only a command a user could type: registered globally or in the guild (else 404, as nothing was sent). */
  registered?: boolean;
}

/** The tester's DM channel with the bot: where a DM interaction comes from. */
export const DM_CHANNEL_ID = '100000000000000002';

/**
 * A slash command used in a guild (`guildId`, default the first guild) or in a DM with the bot (`dm`),
 * sent as INTERACTION_CREATE to every live session of the shard the guild routes to (a DM: shard 0),
 * whatever their shard count: an old set of 4 and a new set of 8 both get it while both are connected.
 */
export function dispatchCommand(state: EmulatorState, request: CommandRequest): InteractionRecord {
  if (typeof request.name !== 'string' || !/^[-_\p{L}\p{N}]{1,32}$/u.test(request.name)) {
    throw new HttpError(400, `command name ${JSON.stringify(request.name)} is not a slash command name`);
  }
  if (request.guildId !== undefined && request.dm === true)
    throw new HttpError(400, 'a command is used in a guild (guildId) or in a DM (dm: true), not both');
  const guild = request.dm === true ? undefined : guildOf(state, request.guildId);
  const registered = registeredCommand(state, request.name, guild?.id);
  if (request.registered === true && !registered)
    throw new HttpError(404, `/${request.name} is not registered globally or in guild ${guild?.id}`, 10063);
  const record: InteractionRecord = {
    id: snowflake(),
    name: request.name,
    options: request.options ?? [],
    ...(guild ? { guildId: guild.id } : {}),
    sentAt: Date.now(),
    deliveredTo: [],
    answers: [],
  };
  state.remember(record);
  const payload = {
    id: record.id,
    application_id: state.applicationId,
    type: 2,
    version: 1,
    data: {
      id: registered?.id ?? snowflake(),
      name: request.name,
      type: 1,
      options: request.options ?? [],
      ...(registered?.guild_id ? { guild_id: registered.guild_id } : {}),
    },
    ...(guild ? inGuild(guild.id, request.channelId) : inDm()),
    app_permissions: '2199023255551',
    locale: 'en-US',
    entitlements: [],
    attachment_size_limit: 8388608,
  };
  for (const session of state.sessionsFor(guild?.id)) {
    const token = `${session.id}.${record.id}.${randomBytes(8).toString('hex')}`;
    state.interactionTokens.set(token, [record.id, session.id]);
    record.deliveredTo.push({ session: session.id, instance: session.instance, shard: session.shard, token });
    state.push(session, 'INTERACTION_CREATE', { ...payload, token });
  }
  return record;
}

/** The guild a command is used in: the one asked for (404 Unknown Guild if the bot is not in it), else the first. */
function guildOf(state: EmulatorState, guildId: unknown) {
  if (guildId === undefined) return state.guilds[0];
  const guild = typeof guildId === 'string' ? state.guild(guildId) : undefined;
  if (!guild) throw new HttpError(404, `Unknown Guild ${JSON.stringify(guildId)}: the bot is not in it`, 10004);
  return guild;
}

function inGuild(guildId: string, channelId = guildId) {
  return {
    guild_id: guildId,
    channel_id: channelId,
    channel: { id: channelId, type: 0, guild_id: guildId, name: 'general' },
    member: {
      user: tester,
      roles: [],
      permissions: '2199023255551',
      joined_at: new Date(0).toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
    },
    guild_locale: 'en-US',
    authorizing_integration_owners: { '0': guildId },
    context: 0,
  };
}

/** A DM with the bot: `user` instead of `member`, a DM channel, context 1 (BOT_DM). */
function inDm() {
  return {
    channel_id: DM_CHANNEL_ID,
    channel: { id: DM_CHANNEL_ID, type: 1, recipients: [tester] },
    user: tester,
    authorizing_integration_owners: { '0': '0' },
    context: 1,
  };
}

/** An interaction callback: the first one within 3 s is accepted, later ones are rejected like Discord does. */
export function recordCallback(state: EmulatorState, id: string, token: string, body: Record<string, any>): Answer {
  const found = state.interactionTokens.get(token);
  if (!found || found[0] !== id) throw new HttpError(404, 'Unknown interaction', 10062);
  const record = state.interactions.get(id)!;
  const session = state.sessions.get(found[1]);
  const at = Date.now();
  const answer: Answer = {
    session: found[1],
    instance: session?.instance,
    shard: session?.shard ?? [0, 1],
    at,
    latencyMs: at - record.sentAt,
    type: Number(body.type),
    content: body.data?.content,
    accepted: false,
  };
  if (at - record.sentAt > ANSWER_WINDOW_MS) answer.rejected = 'expired';
  else if (record.answers.some((a) => a.accepted)) answer.rejected = 'already-acknowledged';
  else answer.accepted = true;
  record.answers.push(answer);
  if (answer.rejected === 'expired') throw new HttpError(404, 'Unknown interaction', 10062);
  if (answer.rejected) throw new HttpError(400, 'Interaction has already been acknowledged.', 40060);
  return answer;
}

/** A follow-up edit of a deferred reply (PATCH @original) fills in the accepted answer's content. */
export function recordEdit(state: EmulatorState, token: string, body: Record<string, any>): void {
  const found = state.interactionTokens.get(token);
  if (!found) throw new HttpError(404, 'Unknown Webhook', 10015);
  const answer = state.interactions.get(found[0])?.answers.find((a) => a.session === found[1] && a.accepted);
  if (answer && typeof body.content === 'string') answer.content = body.content;
}

/** Callback types that create the interaction's original message: a reply, or a deferred reply's "thinking". */
const CREATES_MESSAGE = new Set([4, 5]);

/**
 * GET @original through an interaction token: the original response's message, whichever session
 * gave it (the interaction has one response, whatever token asks), or 404 Unknown Message (10008)
 * while there is none, like Discord. A read, not an answer: nothing is recorded.
 */
export function originalResponse(state: EmulatorState, token: string): { at: number; content?: string } {
  const found = state.interactionTokens.get(token);
  if (!found) throw new HttpError(404, 'Unknown Webhook', 10015);
  const answer = state.interactions.get(found[0])?.answers.find((a) => a.accepted);
  if (!answer || !CREATES_MESSAGE.has(answer.type)) throw new HttpError(404, 'Unknown Message', 10008);
  return { at: answer.at, content: answer.content };
}

export function summary(record: InteractionRecord) {
  const accepted = record.answers.filter((a) => a.accepted);
  return {
    ...record,
    deliveredTo: record.deliveredTo.map(({ session, instance, shard }) => ({ session, instance, shard })),
    answered: accepted.length > 0,
    attempts: record.answers.length,
    answeredBy: [...new Set(record.answers.map((a) => a.instance ?? a.session))],
    content: accepted[0]?.content,
    latencyMs: accepted[0]?.latencyMs,
  };
}
