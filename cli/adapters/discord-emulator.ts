// CommandProbe over the Discord emulator's control API: a real slash command (or a channel message)
// goes to every connected bot session, and the answers say which instance(s) answered, and what.
import { ApiError } from '../errors.js';
import type { CommandAnswer, CommandProbe } from '../ports.js';

/** After the first answer, how long to keep listening for a second one. */
const SETTLE_MS = 300;

export class EmulatorCommandProbe implements CommandProbe {
  constructor(private readonly controlUrl: string) {}

  async send(
    command: string,
    options: { timeoutMs?: number; shard?: { id: number; count: number } } = {},
  ): Promise<{ answeredBy: string[]; content?: string; latencyMs?: number }> {
    const { answeredBy, content, latencyMs } = await this.interact(command, options);
    return { answeredBy, content, latencyMs };
  }

  /**
   * The full picture: who got it, who answered, what. With `registered`, only a command a user could
   * type (registered globally or in the guild) is sent; the emulator refuses any other with 404.
   */
  async interact(
    command: string,
    options: { timeoutMs?: number; registered?: boolean; shard?: { id: number; count: number } } = {},
  ): Promise<CommandAnswer> {
    const name = command.replace(/^\//, '').trim();
    const timeoutMs = options.timeoutMs ?? 5000;
    const registered = options.registered ? { registered: true } : {};
    // A sharded fleet's instance only gets its shards' guilds: the command goes to a guild on the shard.
    const guild = options.shard ? { guildId: await this.guildOn(options.shard.id, options.shard.count) } : {};
    const sent = await this.call<Summary>('POST', '/commands', { name, waitMs: timeoutMs, ...registered, ...guild });
    let summary = sent;
    if (sent.answered) {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      summary = await this.call<Summary>('GET', `/interactions/${sent.id}`);
    }
    return {
      id: summary.id,
      name: summary.name,
      answeredBy: summary.answeredBy ?? [],
      deliveredTo: (summary.deliveredTo ?? []).map((d) => d.instance ?? d.session),
      content: summary.content,
      latencyMs: summary.latencyMs,
      answered: Boolean(summary.answered),
    };
  }

  /** Guilds by shard, per shard count, as the emulator routes them (read once per count). */
  private readonly guildsByCount = new Map<number, Map<number, string>>();

  /** A guild whose events go to shard `id` of `count` ((guild_id >> 22) % count). */
  private async guildOn(id: number, count: number): Promise<string> {
    let byShard = this.guildsByCount.get(count);
    if (!byShard) {
      const guilds = await this.call<{ id: string; shard: number }[]>('GET', `/guilds?shards=${count}`);
      byShard = new Map();
      for (const g of guilds) if (!byShard.has(g.shard)) byShard.set(g.shard, g.id);
      this.guildsByCount.set(count, byShard);
    }
    const guild = byShard.get(id);
    if (!guild)
      throw new ApiError(
        `the Discord emulator has no guild on shard ${id} of ${count}`,
        `its guilds cover ${byShard.size} of ${count} shards; add guilds with POST /control/guilds`,
      );
    return guild;
  }

  /** Posts `content` in the guild's text channel as a user; every reply any bot sent to it, by instance. */
  async message(content: string, options: { timeoutMs?: number } = {}): Promise<MessageAnswer> {
    const sent = await this.call<MessageSummary>('POST', '/messages', { content, waitMs: options.timeoutMs ?? 5000 });
    let summary = sent;
    if (sent.replies.length) {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      summary = await this.call<MessageSummary>('GET', `/messages/${sent.id}`);
    }
    const sentAt = summary.sentAt ?? Date.now();
    return {
      id: summary.id,
      content,
      deliveredTo: summary.deliveredTo.map((d) => d.instance ?? d.session),
      replies: summary.replies.map((r) => ({
        by: r.instance ?? r.session ?? 'unknown session',
        content: r.content,
        latencyMs: r.at - sentAt,
      })),
      answered: summary.replies.length > 0,
    };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.controlUrl}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : undefined,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(35_000),
      });
    } catch (error) {
      throw new ApiError('cannot reach the Discord emulator', `${this.controlUrl}: ${(error as Error).message}`, {
        fix: 'ydeploy sandbox up',
        retryable: true,
      });
    }
    const text = await res.text();
    if (!res.ok)
      throw new ApiError(`the Discord emulator refused ${method} ${path}`, `${res.status}: ${text.slice(0, 300)}`, {
        status: res.status,
        fix: 'ydeploy sandbox status',
      });
    return JSON.parse(text) as T;
  }
}

interface Summary {
  id: string;
  name: string;
  answered?: boolean;
  answeredBy?: string[];
  deliveredTo?: { session: string; instance?: string }[];
  content?: string;
  latencyMs?: number;
}

/** A channel message a user posted, and every reply to it. */
export interface MessageAnswer {
  id: string;
  content: string;
  /** The instances (or sessions) it was delivered to: those with the GuildMessages intent. */
  deliveredTo: string[];
  /** Every reply from every bot, in order (more than one means it was answered twice). */
  replies: { by: string; content?: string; latencyMs: number }[];
  answered: boolean;
}

interface MessageSummary {
  id: string;
  sentAt?: number;
  deliveredTo: { session: string; instance?: string }[];
  replies: { session?: string; instance?: string; at: number; content?: string }[];
}
