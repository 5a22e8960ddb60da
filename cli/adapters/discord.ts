// Discord's REST API, just what checking a bot token needs. The token goes in the
// Authorization header and nowhere else: never into a message, an error or a log line.
import type { DiscordAccount } from '../ports.js';
import { ApiError } from '../errors.js';

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
    const body = await this.get('/users/@me', token, signal);
    return { id: String(body.id ?? ''), username: String(body.username ?? '') };
  }

  async gatewayBot(token: string, signal?: AbortSignal) {
    const body = await this.get('/gateway/bot', token, signal);
    const limit = (body.session_start_limit ?? {}) as Record<string, unknown>;
    return {
      url: String(body.url ?? ''),
      shards: Number(body.shards ?? 1),
      sessionStartLimit: {
        total: Number(limit.total ?? 0),
        remaining: Number(limit.remaining ?? 0),
        resetAfter: Number(limit.reset_after ?? 0),
      },
    };
  }

  private async get(path: string, token: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const url = `${this.base}${path}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: {
          authorization: `Bot ${token}`,
          'user-agent': 'DiscordBot (https://github.com/ydeploy, 1) ydeploy-preflight',
        },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
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
    const text = await res.text();
    if (res.status === 401) {
      throw new ApiError(
        `Discord rejected the bot token (GET ${path})`,
        '401 Unauthorized: the token is wrong, was reset, or belongs to no bot',
        { status: 401 },
      );
    }
    if (!res.ok)
      throw new ApiError(`Discord answered ${res.status} to GET ${path}`, text.slice(0, 200) || res.statusText, {
        status: res.status,
      });
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ApiError(`Discord answered GET ${path} with something that is not JSON`, text.slice(0, 120), {
        status: res.status,
      });
    }
  }
}
