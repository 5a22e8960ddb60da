// Discord's Execute Webhook (POST /webhooks/{id}/{token}?wait=true), for deployment
// notifications. The URL carries the webhook's token, so it appears in no message, error or log:
// only its host does. One deadline bounds the whole call, a 429's wait and retry included, so a
// slow or broken webhook can hold a deployment up by that long and no longer.
import type { WebhookMessage, WebhookSender } from '../ports.js';

/** The path every webhook URL has: /api[/vN]/webhooks/{id}/{token}. */
const WEBHOOK_PATH = /^\/api(?:\/v\d+)?\/webhooks\/\d{1,20}\/[A-Za-z0-9_-]{1,100}\/?$/;

/** Why `url` is not a Discord webhook URL ydeploy may post to, or undefined when it is one. */
export function webhookUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return 'must be a URL such as https://discord.com/api/webhooks/<id>/<token>';
  }
  const loopback = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/i.test(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback))
    return 'must use https (plain http is for 127.0.0.1 / localhost only): the URL carries the webhook token';
  if (!WEBHOOK_PATH.test(parsed.pathname))
    return 'must be a webhook URL, /api/webhooks/<id>/<token> (Discord: channel settings → Integrations → Webhooks → Copy Webhook URL)';
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  return undefined;
}

/** The URL without its token, fit to print: https://discord.com/api/webhooks/1234…/****. */
export function maskWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname.replace(/(\/webhooks\/\d{4})\d*\/[^/]+/, '$1…/****');
    return `${parsed.origin}${path}`;
  } catch {
    return '(not a URL)';
  }
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export class DiscordWebhook implements WebhookSender {
  async execute(
    url: string,
    message: WebhookMessage,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<{ messageId?: string; attempts: number }> {
    const problem = webhookUrlProblem(url);
    if (problem) throw new WebhookError(`the webhook URL ${problem}`);
    const target = new URL(url.trim());
    target.searchParams.set('wait', 'true');
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const started = Date.now();
    const host = target.host;
    const timedOut = () => `no answer within ${options.timeoutMs / 1000}s`;
    for (let attempt = 1; ; attempt++) {
      const res = await post(target, message, signal).catch((error: Error) => {
        const why = deadline.aborted ? timedOut() : ((error.cause as Error)?.message ?? error.message);
        throw new WebhookError(`cannot reach ${host}: ${why}`);
      });
      const text = await res.text().catch(() => '');
      if (res.ok) return { messageId: messageIdOf(text), attempts: attempt };
      const retryAfterMs = res.status === 429 ? retryAfterOf(res, text) : undefined;
      const left = options.timeoutMs - (Date.now() - started);
      // Discord asks for one wait: honoured once, when it fits before the deadline.
      if (retryAfterMs !== undefined && attempt === 1 && retryAfterMs < left) {
        await sleep(retryAfterMs, signal).catch(() => {
          throw new WebhookError(`${host} rate-limited the notification and the retry found ${timedOut()}`);
        });
        continue;
      }
      throw new WebhookError(refusal(host, res.status, text, retryAfterMs), res.status);
    }
  }
}

function post(target: URL, message: WebhookMessage, signal: AbortSignal): Promise<Response> {
  return fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'ydeploy (deployment notifications)' },
    body: JSON.stringify(message),
    signal,
  });
}

/** Discord's rate limit body says `retry_after` in seconds (a float); the header rounds it. */
function retryAfterOf(res: Response, text: string): number | undefined {
  const body = parse(text);
  const seconds = typeof body.retry_after === 'number' ? body.retry_after : Number(res.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}

function refusal(host: string, status: number, text: string, retryAfterMs?: number): string {
  const body = parse(text);
  const said = typeof body.message === 'string' ? body.message : text.slice(0, 120);
  const code = typeof body.code === 'number' && body.code ? ` (code ${body.code})` : '';
  const wait = retryAfterMs !== undefined ? `; retry after ${(retryAfterMs / 1000).toFixed(1)}s` : '';
  return `${host} answered ${status}${said ? ` ${said}` : ''}${code}${wait}`;
}

function messageIdOf(text: string): string | undefined {
  const id = parse(text).id;
  return typeof id === 'string' ? id : undefined;
}

function parse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
