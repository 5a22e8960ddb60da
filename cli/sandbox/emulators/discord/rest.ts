// The REST API a discord.js bot uses: gateway discovery, identity, command registration,
// interaction callbacks and webhooks, channel messages. Bad or missing bot tokens get 401.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendJson } from './http.js';
import { recordCallback, recordEdit } from './interactions.js';
import { snowflake } from './snowflake.js';
import type { EmulatorState } from './emulator-state.js';

export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  state: EmulatorState,
  gatewayUrl: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const parts = path.split('/').filter(Boolean);
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
    case 'PATCH /webhooks/:/:/messages/@original':
      recordEdit(state, parts[2]!, body);
      return sendJson(res, 200, message(parts[1]!, body));
    case 'POST /webhooks/:/:':
      return sendJson(res, 200, message(parts[1]!, body));
  }

  const token = bearer(req);
  if (!token || !state.tokens.has(token)) throw new HttpError(401, '401: Unauthorized');
  switch (route) {
    case 'GET /gateway/bot':
      return sendJson(res, 200, {
        url: gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
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
      return sendJson(res, 200, state.commands.get(parts[1]!) ?? []);
    case 'PUT /applications/:/commands':
    case 'PUT /applications/:/guilds/:/commands': {
      if (!Array.isArray(body)) throw new HttpError(400, 'bulk overwrite takes an array of commands', 50035);
      const commands = body.map((c: Record<string, unknown>) => ({
        type: 1,
        ...c,
        id: snowflake(),
        application_id: parts[1],
        version: snowflake(),
      }));
      if (parts.length === 3) state.commands.set(parts[1]!, commands);
      return sendJson(res, 200, commands);
    }
    case 'POST /channels/:/messages': {
      state.messages.push({ channelId: parts[1]!, content: body.content, at: Date.now(), token });
      return sendJson(res, 200, message(parts[1]!, body));
    }
  }
  throw new HttpError(404, '404: Not Found');
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

function message(channelId: string, body: Record<string, any>) {
  return {
    id: snowflake(),
    channel_id: channelId,
    content: body.content ?? '',
    type: 0,
    author: { id: '0', username: 'ydeploy-bot', discriminator: '0' },
    timestamp: new Date().toISOString(),
    embeds: [],
    attachments: [],
    mentions: [],
    tts: false,
    pinned: false,
    flags: 0,
  };
}
