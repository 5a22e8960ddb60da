// Discord's REST API, just what ydeploy needs: checking a bot token (preflight) and the
// application's slash commands (deploys sync them). The token goes in the Authorization header
// and nowhere else: never into a message, an error or a log line.
import type { CommandDefinition, DiscordAccount, RegisteredCommand } from '../ports.js';
import { ApiError } from '../errors.js';

/** Discord's JSON error body: `{ message, code, errors?, retry_after? }`. */
interface DiscordErrorBody {
  message?: string;
  code?: number;
  errors?: unknown;
  retry_after?: number;
}

/** A short rate limit (not the daily create limit) is waited out once, up to this long. */
const MAX_RETRY_AFTER_MS = 5_000;

export class DiscordRest implements DiscordAccount {
  private readonly base: string;

  /** `api` is the base without the version, e.g. https://discord.com/api or http://127.0.0.1:PORT/api. */
  constructor(
    api: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.base = `${api.replace(/\/+$/, '')}/v10`;
  }

  async botUser(token: string, signal?: AbortSignal): Promise<{ id: string; username: string }> {
    const body = (await this.call('GET', '/users/@me', token, { signal })) as Record<string, unknown>;
    return { id: String(body.id ?? ''), username: String(body.username ?? '') };
  }

  async gatewayBot(token: string, signal?: AbortSignal) {
    const body = (await this.call('GET', '/gateway/bot', token, { signal })) as Record<string, unknown>;
    const limit = (body.session_start_limit ?? {}) as Record<string, unknown>;
    return {
      url: String(body.url ?? ''),
      shards: Number(body.shards ?? 1),
      sessionStartLimit: {
        total: Number(limit.total ?? 0),
        remaining: Number(limit.remaining ?? 0),
        resetAfter: Number(limit.reset_after ?? 0),
        maxConcurrency: Math.max(1, Number(limit.max_concurrency ?? 1)),
      },
    };
  }

  async application(token: string, signal?: AbortSignal): Promise<{ id: string }> {
    const body = (await this.call('GET', '/applications/@me', token, { signal })) as Record<string, unknown>;
    if (!body.id) throw new ApiError('Discord answered GET /applications/@me without an id', JSON.stringify(body));
    return { id: String(body.id) };
  }

  async commands(token: string, appId: string, guild?: string, signal?: AbortSignal): Promise<RegisteredCommand[]> {
    const body = await this.call('GET', commandsPath(appId, guild), token, {
      signal,
      what: `reading the registered slash commands${guild ? ` of guild ${guild}` : ''}`,
    });
    return asCommands(body, `GET ${commandsPath(appId, guild)}`);
  }

  async overwriteCommands(
    token: string,
    appId: string,
    defs: CommandDefinition[],
    guild?: string,
    signal?: AbortSignal,
  ): Promise<RegisteredCommand[]> {
    const body = await this.call('PUT', commandsPath(appId, guild), token, {
      signal,
      body: defs,
      what: `Discord refused the slash commands${guild ? ` of guild ${guild}` : ''}`,
    });
    return asCommands(body, `PUT ${commandsPath(appId, guild)}`);
  }

  private async call(
    method: 'GET' | 'PUT',
    path: string,
    token: string,
    options: { signal?: AbortSignal; body?: unknown; what?: string },
  ): Promise<unknown> {
    let res = await this.send(method, path, token, options);
    const retryAfter = res.status === 429 ? shortRetryAfter(res) : undefined;
    if (retryAfter !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, retryAfter));
      res = await this.send(method, path, token, options);
    }
    const text = await res.text();
    if (res.status === 401) {
      throw new ApiError(
        `Discord rejected the bot token (${method} ${path})`,
        '401 Unauthorized: the token is wrong, was reset, or belongs to no bot',
        { status: 401 },
      );
    }
    if (!res.ok) throw refused(method, path, res, text, options.what);
    try {
      return text ? (JSON.parse(text) as unknown) : null;
    } catch {
      throw new ApiError(`Discord answered ${method} ${path} with something that is not JSON`, text.slice(0, 120), {
        status: res.status,
      });
    }
  }

  private async send(
    method: string,
    path: string,
    token: string,
    options: { signal?: AbortSignal; body?: unknown },
  ): Promise<Response> {
    const url = `${this.base}${path}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      return await fetch(url, {
        method,
        headers: {
          authorization: `Bot ${token}`,
          'user-agent': 'DiscordBot (https://github.com/ydeploy, 1) ydeploy',
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
    } catch (error) {
      const why = timeout.aborted
        ? `no answer within ${this.timeoutMs / 1000}s`
        : (((error as Error).cause as Error)?.message ?? (error as Error).message);
      throw new ApiError(`cannot reach Discord at ${url}`, why, {
        retryable: true,
        fix: 'check outbound HTTPS to discord.com (or, in the sandbox: ydeploy sandbox status)',
      });
    }
  }
}

function commandsPath(appId: string, guild?: string): string {
  const app = encodeURIComponent(appId);
  return guild ? `/applications/${app}/guilds/${encodeURIComponent(guild)}/commands` : `/applications/${app}/commands`;
}

function asCommands(body: unknown, request: string): RegisteredCommand[] {
  if (!Array.isArray(body))
    throw new ApiError(`Discord answered ${request} with something that is not a list`, JSON.stringify(body));
  return body as RegisteredCommand[];
}

/** A plain rate limit's wait in ms, when it is short; the daily create limit (30034) is never waited out. */
function shortRetryAfter(res: Response): number | undefined {
  const header = Number(res.headers.get('retry-after'));
  // The daily create limit's retry-after is hours: it falls outside the short waits.
  if (!Number.isFinite(header) || header <= 0 || header * 1000 > MAX_RETRY_AFTER_MS) return undefined;
  return header * 1000;
}

/** "{what}: {status} {Discord's message} (code N): {the first field it names}". */
function refused(method: string, path: string, res: Response, text: string, what?: string): ApiError {
  let body: DiscordErrorBody = {};
  try {
    body = JSON.parse(text) as DiscordErrorBody;
  } catch {
    // not JSON: the status and the text say it
  }
  const message = body.message ?? (text.slice(0, 200) || res.statusText);
  const field = firstFieldError(body.errors);
  const why = `${res.status} ${message}${body.code ? ` (code ${body.code})` : ''}${field ? `: ${field}` : ''}`;
  return new ApiError(
    what ? `${what} (${method} ${path})` : `Discord answered ${res.status} to ${method} ${path}`,
    why,
    {
      status: res.status,
      retryable: body.code === 30034 ? false : undefined,
      fix: fixFor(body.code),
      details: body.code ? { discordCode: body.code } : undefined,
    },
  );
}

function fixFor(code: number | undefined): string | undefined {
  if (code === 30034)
    return 'Discord allows 200 command creates a day per application (and per guild): wait for the reset, or set the environment\'s "guild" while testing';
  if (code === 50035) return 'fix the named command definition in the bot, then build and deploy again';
  return undefined;
}

/** Discord's nested `errors` object (`{ "0": { "name": { "_errors": [{ message }] } } }`) as "0.name: message". */
export function firstFieldError(errors: unknown, path: string[] = []): string | undefined {
  if (!errors || typeof errors !== 'object') return undefined;
  const record = errors as Record<string, unknown>;
  const list = record._errors;
  if (Array.isArray(list) && list.length) {
    const first = list[0] as { message?: string; code?: string };
    return `${path.join('.') || 'body'}: ${first.message ?? first.code ?? 'invalid'}`;
  }
  for (const [key, value] of Object.entries(record)) {
    if (key === '_errors') continue;
    const found = firstFieldError(value, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
