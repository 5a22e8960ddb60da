// Slash commands sent through the control API, and the answers the bots give them.
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
  guildId?: string;
  channelId?: string;
  /** Only a command a user could type: registered globally or in the guild (else 404, as nothing was sent). */
  registered?: boolean;
}

export function dispatchCommand(state: EmulatorState, request: CommandRequest): InteractionRecord {
  if (typeof request.name !== 'string' || !/^[-_\p{L}\p{N}]{1,32}$/u.test(request.name)) {
    throw new HttpError(400, `command name ${JSON.stringify(request.name)} is not a slash command name`);
  }
  const guild = state.guilds.find((g) => g.id === request.guildId) ?? state.guilds[0];
  const registered = registeredCommand(state, request.name, guild?.id);
  if (request.registered === true && !registered)
    throw new HttpError(404, `/${request.name} is not registered globally or in guild ${guild?.id}`, 10063);
  const record: InteractionRecord = {
    id: snowflake(),
    name: request.name,
    options: request.options ?? [],
    sentAt: Date.now(),
    deliveredTo: [],
    answers: [],
  };
  state.remember(record);
  for (const session of state.liveSessions()) {
    const token = `${session.id}.${record.id}.${randomBytes(8).toString('hex')}`;
    state.interactionTokens.set(token, [record.id, session.id]);
    record.deliveredTo.push({ session: session.id, instance: session.instance, token });
    state.push(session, 'INTERACTION_CREATE', {
      id: record.id,
      application_id: state.applicationId,
      type: 2,
      token,
      version: 1,
      data: {
        id: registered?.id ?? snowflake(),
        name: request.name,
        type: 1,
        options: request.options ?? [],
        ...(registered?.guild_id ? { guild_id: registered.guild_id } : {}),
      },
      guild_id: guild?.id,
      channel_id: request.channelId ?? guild?.id,
      channel: { id: request.channelId ?? guild?.id, type: 0, guild_id: guild?.id, name: 'general' },
      member: {
        user: tester,
        roles: [],
        permissions: '2199023255551',
        joined_at: new Date(0).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
      },
      app_permissions: '2199023255551',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guild?.id },
      context: 0,
      attachment_size_limit: 8388608,
    });
  }
  return record;
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
    deliveredTo: record.deliveredTo.map(({ session, instance }) => ({ session, instance })),
    answered: accepted.length > 0,
    attempts: record.answers.length,
    answeredBy: [...new Set(record.answers.map((a) => a.instance ?? a.session))],
    content: accepted[0]?.content,
    latencyMs: accepted[0]?.latencyMs,
  };
}
