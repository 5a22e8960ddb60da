// CommandProbe over the Discord emulator's control API: a real slash command goes to every
// connected bot session, and the answers say which instance(s) answered.
import { ApiError } from '../errors.js';
import type { CommandAnswer, CommandProbe } from '../ports.js';

/** After the first answer, how long to keep listening for a second one. */
const SETTLE_MS = 300;

export class EmulatorCommandProbe implements CommandProbe {
  constructor(private readonly controlUrl: string) {}

  async send(
    command: string,
    options: { timeoutMs?: number } = {},
  ): Promise<{ answeredBy: string[]; content?: string; latencyMs?: number }> {
    const { answeredBy, content, latencyMs } = await this.interact(command, options);
    return { answeredBy, content, latencyMs };
  }

  /** The full picture: who got it, who answered, what. */
  async interact(command: string, options: { timeoutMs?: number } = {}): Promise<CommandAnswer> {
    const name = command.replace(/^\//, '').trim();
    const timeoutMs = options.timeoutMs ?? 5000;
    const sent = await this.call<Summary>('POST', '/commands', { name, waitMs: timeoutMs });
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
