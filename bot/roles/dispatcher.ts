// Exactly one bot answers. Every interaction and every message a handler wants goes through
// here: the active bot handles it; a standby keeps it (with its receipt time) for as long as an
// answer still makes sense, so that when it is activated it handles whatever arrived after the
// old bot's last handled item. Ids are snowflakes: the same id on every session, ordered by
// Discord's clock across both kinds, so one "after" cut point covers both and no two machines'
// clocks are involved. A resharding handoff cuts per old shard: each buffered item is compared
// with the cut point of the old bot that served its guild.
import type { Role } from '../contracts/roles.js';
import { isAfter, isAfterCut, type After, type ShardCut } from './after.js';
import { snowflakeTime } from './snowflake.js';

export type ItemKind = 'interaction' | 'message';

/** How long a standby keeps an item: Discord accepts an interaction's answer for 3 s after it
 * created it; a reply to a message has no deadline, but one a minute late reads as noise. */
export const WINDOW_MS: Record<ItemKind, number> = { interaction: 3000, message: 60_000 };
/**
 * A standby keeps only what an activation could still handle: items inside their window (both
 * kinds pruned on every arrival, so a long standby, such as a new shard set waiting while the
 * old one serves, holds a few seconds of interactions and a minute of messages, never more).
 * This cap bounds memory under a flood beyond that; an item it pushes out is counted (`dropped`).
 */
export const MAX_BUFFERED = 1000;

export interface Incoming {
  kind: ItemKind;
  /** The interaction's or message's snowflake id. */
  id: string;
  /** The guild it happened in (null or absent: a DM), which decides its shard in a resharding cut. */
  guildId?: string | null;
  receivedAt: number;
  /** The command it runs, for the log when it fails. */
  name?: string;
  answer(): unknown;
  /**
   * Asks Discord whether this item already has an answer (an interaction: its original
   * response). Resolves false only when Discord says there is none; rejects when it cannot tell.
   * Items without it are never handled by a forced activation.
   */
  answered?(): Promise<boolean>;
}

/** What a forced activation did with what the standby had buffered, once Discord was asked. */
export interface ForcedReplay {
  /** Handled now: Discord had no answer for them. */
  replayed: string[];
  /** Discord already had an answer (the predecessor gave it): not handled. */
  answeredBefore: string[];
  /** Their window passed before Discord answered the question: not handled. */
  expired: string[];
  /** Discord could not be asked (an error other than "no such message"): not handled, to risk no double answer. */
  unknown: { id: string; error: string }[];
}

export interface LastHandled {
  id: string;
  /** Discord time (ms) of the id. */
  at: number;
  kind: ItemKind;
}

export class RefusedError extends Error {}

export class Dispatcher {
  private current: Role;
  private stopped = false;
  private buffers: Record<ItemKind, Incoming[]> = { interaction: [], message: [] };
  private last: LastHandled | null = null;
  private dropped = 0;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    role: Role,
    private readonly onAnswerError: (error: unknown, item: Incoming) => void,
    private readonly onRoleChange: (role: Role) => void = () => {},
    private readonly now: () => number = Date.now,
    private readonly onForcedReplay: (outcome: ForcedReplay) => void = () => {},
  ) {
    this.current = role;
  }

  role(): Role {
    return this.current;
  }

  /** Active and not stopping: handlers outside the dispatcher (events, jobs) may run. */
  answering(): boolean {
    return this.current === 'active' && !this.stopped;
  }

  lastHandled(): LastHandled | null {
    return this.last;
  }

  receive(item: Incoming): void {
    if (this.stopped) return;
    if (this.current === 'active') return this.handle(item);
    this.prune();
    const buffer = this.buffers[item.kind];
    buffer.push(item);
    if (buffer.length > MAX_BUFFERED) {
      buffer.shift();
      this.dropped++;
    }
  }

  /** Counts work started outside the dispatcher (events, jobs), so drain() waits for it too. */
  track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Stop answering; report the last item handled, to pass to the successor's activate. */
  stepDown() {
    this.setRole('standby');
    return {
      role: this.current,
      lastEventAt: this.last?.at ?? null,
      lastInteractionId: this.last?.id ?? null,
      lastHandledKind: this.last?.kind ?? null,
      after: this.last?.id ?? '0',
    };
  }

  /**
   * Start answering. `after` is the predecessor's last handled item: buffered ones after it that
   * are still within their window are handled now, in snowflake order. `cut` does the same for a
   * predecessor that ran another shard count: each item is compared with the "after" of its
   * guild's old shard (a DM: shard 0's).
   *
   * Without `after` (a forced activation: the predecessor was unreachable and has been stopped,
   * or this bot takes back over after a failed handoff) nobody can say where the other bot
   * stopped, but Discord knows what was answered. Each
   * buffered item that can ask it (`answered`, interactions) and is still within its window is
   * checked, all at once, then handled in snowflake order if Discord has no answer for it and its
   * window has not passed meanwhile. The ids being checked are returned as `checking`; the outcome
   * goes to onForcedReplay and drain() waits for it. Items that cannot ask (messages) are not
   * handled: the predecessor may have handled them.
   */
  activate(options: { after?: After; cut?: ShardCut; peerActive?: boolean; force?: boolean }): {
    role: Role;
    replayed: string[];
    expired: number;
    skipped: number;
    alreadyActive: boolean;
    checking?: string[];
  } {
    if (options.peerActive && !options.force)
      throw new RefusedError(
        'another instance still reports active: step it down first, or pass --force once it is unreachable past the timeout',
      );
    if (options.after !== undefined && options.cut !== undefined)
      throw new Error('activate takes one cut point: --after or --after-shards, not both');
    if (options.after === undefined && options.cut === undefined && !options.force)
      throw new RefusedError(
        'activate needs --after <the predecessor\'s step-down "after">, --after-shards <count>:<after0>,... or --force',
      );
    const alreadyActive = this.current === 'active';
    const now = this.now();
    const pending = [...this.buffers.interaction, ...this.buffers.message];
    this.buffers = { interaction: [], message: [] };
    this.setRole('active');
    const fresh = pending.filter((item) => now - item.receivedAt < WINDOW_MS[item.kind]);
    const { after, cut } = options;
    const passes = cut
      ? (item: Incoming) => isAfterCut(item, cut)
      : after
        ? (item: Incoming) => isAfter(item.id, after)
        : undefined;
    if (passes === undefined) {
      const checkable = bySnowflake(fresh.filter((item) => item.answered));
      if (checkable.length) this.track(this.replayUnanswered(checkable));
      return {
        role: this.current,
        replayed: [],
        expired: pending.length - fresh.length,
        skipped: fresh.length - checkable.length,
        alreadyActive,
        checking: checkable.map((i) => i.id),
      };
    }
    const due = bySnowflake(fresh.filter(passes));
    for (const item of due) this.handle(item);
    return {
      role: this.current,
      replayed: due.map((i) => i.id),
      expired: pending.length - fresh.length,
      skipped: fresh.length - due.length,
      alreadyActive,
    };
  }

  /** Asks Discord about every item at once, then handles, in order, those it has no answer for. */
  private async replayUnanswered(items: Incoming[]): Promise<void> {
    const outcome: ForcedReplay = { replayed: [], answeredBefore: [], expired: [], unknown: [] };
    const checks = items.map((item) =>
      Promise.resolve()
        .then(() => item.answered!())
        .then(
          (answered) => ({ answered }),
          (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
        ),
    );
    for (const [i, item] of items.entries()) {
      const check = await checks[i]!;
      if (this.stopped) break;
      if ('error' in check) outcome.unknown.push({ id: item.id, error: check.error });
      else if (check.answered) {
        outcome.answeredBefore.push(item.id);
        this.noteHandled(item); // handled by the predecessor: a later step-down's cut point is past it
      } else if (this.now() - item.receivedAt >= WINDOW_MS[item.kind]) outcome.expired.push(item.id);
      else {
        outcome.replayed.push(item.id);
        this.handle(item);
      }
    }
    this.onForcedReplay(outcome);
  }

  /** Graceful shutdown: answer nothing more. */
  stop(): void {
    this.stopped = true;
    this.buffers = { interaction: [], message: [] };
  }

  /** Resolves when every answer (and tracked work) already started has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  status() {
    this.prune();
    return {
      role: this.current,
      stopped: this.stopped,
      buffered: this.buffers.interaction.length + this.buffers.message.length,
      dropped: this.dropped,
      lastEventAt: this.last?.at ?? null,
      lastInteractionId: this.last?.id ?? null,
      lastHandledKind: this.last?.kind ?? null,
    };
  }

  private noteHandled(item: Incoming): void {
    if (!this.last || BigInt(item.id) > BigInt(this.last.id))
      this.last = { id: item.id, at: snowflakeTime(item.id), kind: item.kind };
  }

  private handle(item: Incoming): void {
    this.noteHandled(item);
    // Started at once (answers are due within 3 s); a handler that throws synchronously is
    // reported the same way as one that rejects.
    let answering: Promise<unknown>;
    try {
      answering = Promise.resolve(item.answer());
    } catch (error) {
      answering = Promise.reject(error);
    }
    this.track(answering.catch((error: unknown) => this.onAnswerError(error, item)));
  }

  private setRole(role: Role): void {
    if (role === this.current) return;
    this.current = role;
    this.onRoleChange(role);
  }

  /** Drops what no activation could handle any more: items past their window, of both kinds. */
  private prune(): void {
    const now = this.now();
    for (const kind of ['interaction', 'message'] as const) {
      const buffer = this.buffers[kind];
      while (buffer.length && now - buffer[0]!.receivedAt >= WINDOW_MS[kind]) buffer.shift();
    }
  }
}

function bySnowflake(items: Incoming[]): Incoming[] {
  return items.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
}
