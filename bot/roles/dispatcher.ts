// Exactly one bot answers. Every interaction goes through here: the active bot
// answers it; a standby keeps it (with its receipt time) for up to 3 s, so that when it is
// activated it can answer whatever arrived after the old bot's last handled interaction.
// Interaction ids are snowflakes: the same id on every session, ordered by Discord's clock,
// so "after" compares ids and no two machines' clocks are involved.
import type { Role } from '../contracts/roles.js';
import { isAfter, type After } from './after.js';
import { snowflakeTime } from './snowflake.js';

/** Discord accepts an answer for 3 s after it created the interaction. */
export const ANSWERABLE_MS = 3000;
const MAX_BUFFERED = 1000;

export interface Incoming {
  /** The interaction's snowflake id. */
  id: string;
  receivedAt: number;
  answer(): Promise<void>;
}

export class RefusedError extends Error {}

export class Dispatcher {
  private current: Role;
  private stopped = false;
  private buffer: Incoming[] = [];
  private last: { id: string; at: number } | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    role: Role,
    private readonly onAnswerError: (error: unknown, item: Incoming) => void,
    private readonly onRoleChange: (role: Role) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.current = role;
  }

  role(): Role {
    return this.current;
  }

  lastHandled(): { id: string; at: number } | null {
    return this.last;
  }

  receive(item: Incoming): void {
    if (this.stopped) return;
    if (this.current === 'active') return this.handle(item);
    this.prune();
    this.buffer.push(item);
    if (this.buffer.length > MAX_BUFFERED) this.buffer.shift();
  }

  /** Stop answering; report the last interaction handled, to pass to the successor's activate. */
  stepDown(): { role: Role; lastEventAt: number | null; lastInteractionId: string | null; after: string } {
    this.setRole('standby');
    return {
      role: this.current,
      lastEventAt: this.last?.at ?? null,
      lastInteractionId: this.last?.id ?? null,
      after: this.last?.id ?? '0',
    };
  }

  /**
   * Start answering. `after` is the predecessor's last handled interaction: buffered ones after
   * it that are still answerable get answered now. Without `after` (a forced activation, the
   * predecessor unreachable) nothing buffered is answered: it may have been answered already.
   */
  activate(options: { after?: After; peerActive?: boolean; force?: boolean }): {
    role: Role;
    replayed: string[];
    expired: number;
    skipped: number;
    alreadyActive: boolean;
  } {
    if (options.peerActive && !options.force)
      throw new RefusedError(
        'another instance still reports active: step it down first, or pass --force once it is unreachable past the timeout',
      );
    if (options.after === undefined && !options.force)
      throw new RefusedError('activate needs --after <the predecessor\'s step-down "after"> or --force');
    const alreadyActive = this.current === 'active';
    const now = this.now();
    const pending = this.buffer;
    this.buffer = [];
    this.setRole('active');
    const fresh = pending.filter((item) => now - item.receivedAt < ANSWERABLE_MS);
    const due = options.after === undefined ? [] : fresh.filter((item) => isAfter(item.id, options.after!));
    for (const item of due) this.handle(item);
    return {
      role: this.current,
      replayed: due.map((i) => i.id),
      expired: pending.length - fresh.length,
      skipped: fresh.length - due.length,
      alreadyActive,
    };
  }

  /** Graceful shutdown: answer nothing more. */
  stop(): void {
    this.stopped = true;
    this.buffer = [];
  }

  /** Resolves when every answer already started has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  status() {
    return {
      role: this.current,
      stopped: this.stopped,
      buffered: this.buffer.length,
      lastEventAt: this.last?.at ?? null,
      lastInteractionId: this.last?.id ?? null,
    };
  }

  private handle(item: Incoming): void {
    if (!this.last || BigInt(item.id) > BigInt(this.last.id)) this.last = { id: item.id, at: snowflakeTime(item.id) };
    const answering = item.answer().catch((error) => this.onAnswerError(error, item));
    this.inFlight.add(answering);
    void answering.finally(() => this.inFlight.delete(answering));
  }

  private setRole(role: Role): void {
    if (role === this.current) return;
    this.current = role;
    this.onRoleChange(role);
  }

  private prune(): void {
    const now = this.now();
    while (this.buffer.length && now - this.buffer[0]!.receivedAt >= ANSWERABLE_MS) this.buffer.shift();
  }
}
