// Incoming webhooks, as Discord's Execute Webhook documents them: POST /webhooks/{id}/{token}
// posts a message to the webhook's channel, no bot token needed (the URL's token authorises it).
// The emulator checks what Discord checks (unknown webhook 404 code 10015, wrong token 401 code
// 50027, an empty message 400 code 50006, the embed limits 400 code 50035), can be told to
// rate-limit the next executions (429 with retry_after), and records every message it accepted
// for the control API (GET /control/webhook-messages).
import { randomBytes } from 'node:crypto';
import { HttpError } from './http.js';
import { snowflake } from './snowflake.js';
import type { EmulatorState } from './emulator-state.js';

export interface Webhook {
  id: string;
  token: string;
  name: string;
  channelId: string;
  createdAt: number;
  /** The next `remaining` executions get 429 with this retry_after (the control API sets it). */
  rateLimit?: { remaining: number; retryAfterMs: number };
}

export interface WebhookExecution {
  id: string;
  webhookId: string;
  channelId: string;
  receivedAt: number;
  content: string;
  username?: string;
  embeds: Record<string, unknown>[];
  /** ?wait=true: the caller asked for the created message. */
  wait: boolean;
}

const MAX_EXECUTIONS = 5000;
const TOKEN = /^[A-Za-z0-9_-]{1,100}$/;

export function createWebhook(
  state: EmulatorState,
  body: { id?: unknown; token?: unknown; name?: unknown; channelId?: unknown },
): Webhook {
  const id = body.id === undefined ? snowflake() : String(body.id);
  const token = body.token === undefined ? randomBytes(48).toString('base64url') : String(body.token);
  if (!/^\d{1,20}$/.test(id)) throw new HttpError(400, 'id must be a snowflake (digits)');
  if (!TOKEN.test(token)) throw new HttpError(400, 'token must be 1-100 letters, digits, _ or -');
  const webhook: Webhook = {
    id,
    token,
    name: typeof body.name === 'string' && body.name ? body.name : 'ydeploy',
    channelId: typeof body.channelId === 'string' ? body.channelId : snowflake(),
    createdAt: Date.now(),
  };
  state.webhooks.set(id, webhook);
  return webhook;
}

/** Execute Webhook: the created message (Discord's shape), or an HttpError as Discord answers. */
export function executeWebhook(
  state: EmulatorState,
  id: string,
  token: string,
  body: Record<string, any>,
  wait: boolean,
): Record<string, unknown> {
  const webhook = state.webhooks.get(id);
  if (!webhook) throw new HttpError(404, 'Unknown Webhook', 10015);
  if (webhook.token !== token) throw new HttpError(401, 'Invalid Webhook Token', 50027);
  if (webhook.rateLimit && webhook.rateLimit.remaining > 0) {
    webhook.rateLimit.remaining--;
    const seconds = webhook.rateLimit.retryAfterMs / 1000;
    throw new HttpError(429, 'You are being rate limited.', {
      body: { retry_after: seconds, global: false },
      headers: {
        'retry-after': String(Math.ceil(seconds)),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(seconds),
        'x-ratelimit-scope': 'shared',
      },
    });
  }
  const content = typeof body.content === 'string' ? body.content : '';
  const embeds = Array.isArray(body.embeds) ? (body.embeds as Record<string, unknown>[]) : [];
  if (!content && !embeds.length) throw new HttpError(400, 'Cannot send an empty message', 50006);
  const problem = formProblem(content, embeds, body.username);
  if (problem)
    throw new HttpError(400, 'Invalid Form Body', {
      code: 50035,
      body: { errors: { [problem.field]: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: problem.message }] } } },
    });
  const execution: WebhookExecution = {
    id: snowflake(),
    webhookId: id,
    channelId: webhook.channelId,
    receivedAt: Date.now(),
    content,
    ...(typeof body.username === 'string' ? { username: body.username } : {}),
    embeds,
    wait,
  };
  state.webhookExecutions.push(execution);
  if (state.webhookExecutions.length > MAX_EXECUTIONS) state.webhookExecutions.shift();
  return {
    id: execution.id,
    type: 0,
    channel_id: webhook.channelId,
    webhook_id: id,
    content,
    embeds,
    author: { id, username: execution.username ?? webhook.name, discriminator: '0000', bot: true },
    timestamp: new Date(execution.receivedAt).toISOString(),
    attachments: [],
    mentions: [],
    tts: false,
    pinned: false,
    flags: 0,
  };
}

/** Discord's documented limits on a message and its embeds. */
function formProblem(
  content: string,
  embeds: Record<string, any>[],
  username: unknown,
): { field: string; message: string } | undefined {
  if (content.length > 2000) return { field: 'content', message: 'Must be 2000 or fewer in length.' };
  if (typeof username === 'string' && (username.length < 1 || username.length > 80))
    return { field: 'username', message: 'Must be between 1 and 80 in length.' };
  if (embeds.length > 10) return { field: 'embeds', message: 'Must be 10 or fewer in length.' };
  let total = 0;
  for (const [i, embed] of embeds.entries()) {
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const checks: [string, string, number][] = [
      [`embeds.${i}.title`, text(embed.title), 256],
      [`embeds.${i}.description`, text(embed.description), 4096],
      [`embeds.${i}.footer.text`, text(embed.footer?.text), 2048],
    ];
    const fields = Array.isArray(embed.fields) ? (embed.fields as Record<string, unknown>[]) : [];
    if (fields.length > 25) return { field: `embeds.${i}.fields`, message: 'Must be 25 or fewer in length.' };
    for (const [j, f] of fields.entries()) {
      checks.push(
        [`embeds.${i}.fields.${j}.name`, text(f.name), 256],
        [`embeds.${i}.fields.${j}.value`, text(f.value), 1024],
      );
      if (!text(f.name) || !text(f.value))
        return { field: `embeds.${i}.fields.${j}`, message: 'This field is required' };
    }
    for (const [field, value, max] of checks) {
      if (value.length > max) return { field, message: `Must be ${max} or fewer in length.` };
      total += value.length;
    }
  }
  if (total > 6000) return { field: 'embeds', message: 'Embed size exceeds maximum size of 6000' };
  return undefined;
}
