// The REST API a discord.js bot uses: gateway discovery (recommended shards, the live identify budget),
// identity, application commands (global and per guild), interaction callbacks and webhooks (reading an
// original response is not an answer), channel messages (recorded with the sending session), incoming
// webhook executions (webhooks.ts). Bad or missing bot tokens get 401, and so does a reset token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendJson } from './http.js';
import { listCommands, overwriteCommands } from './application-commands.js';
import { originalResponse, recordCallback, recordEdit } from './interactions.js';
import { recordBotMessage } from './messages.js';
import { snowflake } from './snowflake.js';
import { executeWebhook } from './webhooks.js';
import type { EmulatorState } from './emulator-state.js';

export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  state: EmulatorState,
  gatewayUrl: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  // discord.js sends "@original" percent-encoded (%40original).
  const parts = path.split('/').filter(Boolean).map(decodeSegment);
  const route = `${method} /${parts.map((p, i) => (isParam(parts, i) ? ':' : p)).join('/')}`;
  const body = method === 'GET' || method === 'HEAD' ? {} : await readJson(req);

  // Interaction callbacks and webhooks are authorised by the interaction token in the URL.
  switch (route) {
    case 'POST /interactions/:/:/callback': {
      const answer = recordCallback(state, parts[1]!, parts[2]!, body);
      const withResponse = new URL(req.url!, 'http://x').searchParams.get('with_response') === 'true';
      return sendJson(res, withResponse ? 200 : 204, {
        interaction: { id: parts[1], type: 2, response_message_id: snowflake(answer.at) },
      });
    }
    case 'GET /webhooks/:/:/messages/@original': {
      const original = originalResponse(state, parts[2]!);
      return sendJson(res, 200, {
        ...message(parts[1]!, { content: original.content }, state),
        id: snowflake(original.at),
        timestamp: iso(original.at),
      });
    }
    case 'PATCH /webhooks/:/:/messages/@original':
      recordEdit(state, parts[2]!, body);
      return sendJson(res, 200, message(parts[1]!, body));
    case 'POST /webhooks/:/:': {
      // An interaction follow-up is addressed to the application; any other id is an incoming webhook.
      if (parts[1] === state.applicationId && !state.webhooks.has(parts[1]!))
        return sendJson(res, 200, message(parts[1]!, body));
      const wait = new URL(req.url!, 'http://x').searchParams.get('wait') === 'true';
      const created = executeWebhook(state, parts[1]!, parts[2]!, body, wait);
      return wait ? sendJson(res, 200, created) : sendJson(res, 204, null);
    }
  }

  const token = bearer(req);
  if (!token || !state.tokens.has(token)) throw new HttpError(401, '401: Unauthorized');
  switch (route) {
    case 'GET /gateway/bot': {
      // Discord recommends a shard per 1000 guilds; the budget is the live one (identify-limits.ts).
      const budget = state.limits.budget();
      return sendJson(res, 200, {
        url: gatewayUrl,
        shards: Math.max(1, Math.ceil(state.guilds.length / 1000)),
        session_start_limit: {
          total: budget.total,
          remaining: budget.remaining,
          reset_after: budget.resetAfterMs,
          max_concurrency: budget.maxConcurrency,
        },
      });
    }
    case 'GET /users/@me':
      return sendJson(res, 200, state.botUser);
    case 'GET /applications/@me':
      return sendJson(res, 200, {
        id: state.applicationId,
        name: state.botUser.username,
        bot: state.botUser,
        flags: 0,
      });
    case 'GET /applications/:/commands':
    case 'GET /applications/:/guilds/:/commands':
      return sendJson(res, 200, listCommands(state, parts[1]!, parts[3]));
    case 'PUT /applications/:/commands':
    case 'PUT /applications/:/guilds/:/commands':
      return sendJson(res, 200, overwriteCommands(state, body, parts[1]!, parts[3]));
    case 'POST /channels/:/messages': {
      const sent = recordBotMessage(state, parts[1]!, body, { token, userAgent: req.headers['user-agent'] });
      return sendJson(res, 200, { ...message(parts[1]!, body, state), id: sent.id, timestamp: iso(sent.at) });
    }
  }
  throw new HttpError(404, '404: Not Found');
}

function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Which path segments are ids (numeric) or interaction tokens. */
function isParam(parts: string[], i: number): boolean {
  const part = parts[i]!;
  if (/^\d+$/.test(part)) return true;
  return (parts[0] === 'interactions' || parts[0] === 'webhooks') && i === 2;
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bot ') ? header.slice(4) : undefined;
}

function message(channelId: string, body: Record<string, any>, state?: EmulatorState) {
  const replyTo = body.message_reference?.message_id;
  return {
    id: snowflake(),
    channel_id: channelId,
    content: body.content ?? '',
    type: replyTo ? 19 : 0,
    author: state?.botUser ?? { id: '0', username: 'ydeploy-bot', discriminator: '0' },
    timestamp: iso(Date.now()),
    edited_timestamp: null,
    mention_everyone: false,
    mention_roles: [],
    components: [],
    ...(replyTo ? { message_reference: { type: 0, message_id: String(replyTo), channel_id: channelId } } : {}),
    embeds: [],
    attachments: [],
    mentions: [],
    tts: false,
    pinned: false,
    flags: 0,
  };
}

function iso(at: number): string {
  return new Date(at).toISOString();
}
