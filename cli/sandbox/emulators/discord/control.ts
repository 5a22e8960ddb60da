// The control API (under /control): send a slash command, a channel message or a member join to the
// sessions of its guild's shard, read back who answered (every attempt by every session, counted per
// shard), list sessions and registered commands, drop connections to exercise RESUME; set the guild
// list and the identify limits, read every IDENTIFY's outcome; create incoming webhooks, rate-limit
// them, and read back the messages they posted.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendJson } from './http.js';
import { listCommands } from './application-commands.js';
import { dispatchCommand, summary } from './interactions.js';
import { dispatchMemberAdd, dispatchMessage, messageSummary, repliesTo } from './messages.js';
import { answers, defaultShardCount } from './answers.js';
import { spreadGuilds, type EmulatorState } from './emulator-state.js';
import { resetToken } from './gateway.js';
import { parseLimits } from './identify-limits.js';
import { createWebhook, type Webhook } from './webhooks.js';

const MAX_GUILDS = 250_000;
const MAX_SHARDS = 4096;

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  state: EmulatorState,
): Promise<void> {
  const url = new URL(req.url!, 'http://x');
  const parts = path.split('/').filter(Boolean);
  const route = `${req.method} /${parts.join('/')}`;
  if (route === 'GET /')
    return sendJson(res, 200, {
      applicationId: state.applicationId,
      sessions: state.liveSessions().length,
      interactions: state.interactions.size,
      guilds: state.guilds.length,
    });
  if (route === 'GET /sessions') return sendJson(res, 200, [...state.sessions.values()].map(describeSession));
  if (route === 'GET /commands')
    return sendJson(res, 200, listCommands(state, state.applicationId, url.searchParams.get('guild') ?? undefined));
  if (route === 'GET /messages')
    return sendJson(
      res,
      200,
      state.messages.map(({ token: _token, ...m }) => m),
    );
  if (route === 'POST /commands') {
    const body = await readJson(req);
    const record = dispatchCommand(state, body as never);
    await until(() => record.answers.some((a) => a.accepted), waitMsOf(body, url));
    return sendJson(res, 200, summary(record));
  }
  if (route === 'POST /messages') {
    const body = await readJson(req);
    const message = dispatchMessage(state, body);
    await until(() => repliesTo(state, message.id).length > 0, waitMsOf(body, url));
    const { id, channelId, deliveredTo, replies } = messageSummary(state, message);
    return sendJson(res, 200, { id, channelId, deliveredTo, replies });
  }
  if (req.method === 'GET' && parts[0] === 'messages' && parts.length === 2) {
    const message = state.userMessages.get(parts[1]!);
    if (!message) throw new HttpError(404, `no message ${parts[1]}`);
    return sendJson(res, 200, messageSummary(state, message));
  }
  if (route === 'POST /members') return sendJson(res, 200, dispatchMemberAdd(state, await readJson(req)));
  if (route === 'GET /answers') {
    const shards = url.searchParams.get('shards');
    const count = shards === null ? defaultShardCount(state) : Number(shards);
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SHARDS)
      throw new HttpError(400, `shards: must be a whole number from 1 to ${MAX_SHARDS}, not ${JSON.stringify(shards)}`);
    const since = Number(url.searchParams.get('since') ?? 0);
    return sendJson(res, 200, answers(state, since, count, url.searchParams.get('list') !== 'false'));
  }
  if (route === 'POST /guilds') {
    const body = await readJson(req);
    if (!Number.isSafeInteger(body.count) || body.count < 0 || body.count > MAX_GUILDS)
      throw new HttpError(
        400,
        `guilds: count must be a whole number from 0 to ${MAX_GUILDS}, not ${JSON.stringify(body.count)}`,
      );
    state.setGuilds(spreadGuilds(body.count));
    return sendJson(res, 200, {
      count: state.guilds.length,
      recommendedShards: Math.max(1, Math.ceil(state.guilds.length / 1000)),
    });
  }
  if (route === 'GET /guilds') {
    const shards = Number(url.searchParams.get('shards') ?? 1);
    if (!Number.isSafeInteger(shards) || shards < 1 || shards > MAX_SHARDS)
      throw new HttpError(400, `shards: must be a whole number from 1 to ${MAX_SHARDS}`);
    return sendJson(
      res,
      200,
      state.guilds.map((g) => ({ id: g.id, name: g.name, shard: state.shardOf(g.id, shards) })),
    );
  }
  if (route === 'POST /limits') {
    state.limits.configure(parseLimits(await readJson(req)));
    return sendJson(res, 200, describeLimits(state));
  }
  if (route === 'GET /limits') return sendJson(res, 200, describeLimits(state));
  if (route === 'POST /tokens/reset') {
    const body = await readJson(req);
    if (typeof body.token !== 'string' || !state.tokens.has(body.token))
      throw new HttpError(404, 'token: not a token the emulator accepts (add one with POST /control/tokens)');
    resetToken(state, body.token);
    return sendJson(res, 200, { tokens: state.tokens.size });
  }
  if (route === 'GET /interactions') {
    const since = Number(url.searchParams.get('since') ?? 0);
    return sendJson(res, 200, [...state.interactions.values()].filter((r) => r.sentAt >= since).map(summary));
  }
  if (req.method === 'GET' && parts[0] === 'interactions' && parts.length === 2) {
    const record = state.interactions.get(parts[1]!);
    if (!record) throw new HttpError(404, `no interaction ${parts[1]}`);
    return sendJson(res, 200, summary(record));
  }
  if (route === 'POST /drop') {
    const body = await readJson(req);
    const dropped = [];
    for (const session of state.liveSessions()) {
      if (
        !session.ws ||
        (body.session && body.session !== session.id) ||
        (body.instance && body.instance !== session.instance) ||
        (Array.isArray(body.shard) && (body.shard[0] !== session.shard[0] || body.shard[1] !== session.shard[1]))
      )
        continue;
      if (body.code) session.ws.close(Number(body.code), 'dropped by the control API');
      else session.ws.terminate();
      dropped.push(session.id);
    }
    return sendJson(res, 200, { dropped });
  }
  if (route === 'POST /gateway') {
    const body = await readJson(req);
    if (typeof body.stalled === 'boolean') state.stalled = body.stalled;
    if (body.stalledShards !== undefined) {
      const shards = body.stalledShards;
      if (!Array.isArray(shards) || !shards.every((s: unknown) => typeof s === 'string' && /^\d+\/\d+$/.test(s)))
        throw new HttpError(400, 'stalledShards: expected a list of "<id>/<count>", such as ["1/4"]');
      state.stalledShards.clear();
      for (const shard of shards) state.stalledShards.add(shard);
    }
    return sendJson(res, 200, { stalled: state.stalled, stalledShards: [...state.stalledShards] });
  }
  if (route === 'POST /tokens') {
    const body = await readJson(req);
    if (typeof body.token !== 'string' || body.token.length < 8)
      throw new HttpError(400, 'token must be a string of at least 8 characters');
    state.tokens.add(body.token);
    // gatewayRejects: REST accepts the token, the gateway closes 4004 (a bot that cannot connect).
    if (body.gatewayRejects === true) state.gatewayRejects.add(body.token);
    else state.gatewayRejects.delete(body.token);
    return sendJson(res, 200, { tokens: state.tokens.size });
  }
  if (route === 'POST /webhooks') {
    const webhook = createWebhook(state, await readJson(req));
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    return sendJson(res, 200, {
      ...describeWebhook(webhook),
      url: `${origin}/api/v10/webhooks/${webhook.id}/${webhook.token}`,
    });
  }
  if (route === 'GET /webhooks') return sendJson(res, 200, [...state.webhooks.values()].map(describeWebhook));
  if (req.method === 'POST' && parts[0] === 'webhooks' && parts[2] === 'rate-limit' && parts.length === 3) {
    const webhook = state.webhooks.get(parts[1]!);
    if (!webhook) throw new HttpError(404, `no webhook ${parts[1]}`);
    const body = await readJson(req);
    const remaining = Number(body.times ?? 1);
    const retryAfterMs = Number(body.retryAfterMs ?? 1000);
    if (!Number.isInteger(remaining) || remaining < 0 || !(retryAfterMs >= 0))
      throw new HttpError(400, 'times must be a whole number >= 0 and retryAfterMs a number >= 0');
    webhook.rateLimit = { remaining, retryAfterMs };
    return sendJson(res, 200, describeWebhook(webhook));
  }
  if (route === 'GET /webhook-messages') {
    const since = Number(url.searchParams.get('since') ?? 0);
    const webhook = url.searchParams.get('webhook');
    return sendJson(
      res,
      200,
      state.webhookExecutions.filter((m) => m.receivedAt >= since && (!webhook || m.webhookId === webhook)),
    );
  }
  throw new HttpError(404, `no control route ${route}`);
}

/** A webhook as the control API lists it: never its token. */
function describeWebhook({ token: _token, ...webhook }: Webhook) {
  return webhook;
}

function describeSession(s: EmulatorState['sessions'] extends Map<string, infer S> ? S : never) {
  return {
    id: s.id,
    instance: s.instance,
    connected: s.ws?.readyState === 1,
    seq: s.seq,
    resumes: s.resumes,
    identifiedAt: s.identifiedAt,
    invalidated: s.invalidated,
    shard: s.shard,
    presence: s.presence,
  };
}

/** The identify budget and limits, and every IDENTIFY with its outcome (GET /control/limits). */
function describeLimits(state: EmulatorState) {
  const limits = state.limits;
  const budget = limits.budget();
  return {
    total: budget.total,
    remaining: budget.remaining,
    resetAt: budget.resetAt ?? null,
    resetInMs: budget.resetAfterMs,
    resetAfterMs: limits.resetAfterMs,
    maxConcurrency: limits.maxConcurrency ?? null,
    guildsPerSession: limits.guildsPerSession,
    identifies: limits.attempts,
    forgottenIdentifies: limits.forgottenAttempts,
    tokenResets: limits.tokenResets,
  };
}

/** `waitMs` in the body or `?wait=` in the URL, at most 30 s. */
function waitMsOf(body: Record<string, any>, url: URL): number {
  return Math.min(Number(body.waitMs ?? url.searchParams.get('wait') ?? 0) || 0, 30_000);
}

/** Resolves when `done()` holds (the first answer arrived) or after waitMs. */
async function until(done: () => boolean, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && !done()) await new Promise((r) => setTimeout(r, 10));
}
