// Discord's limits on starting gateway sessions, which a sharded bot has to live with:
// - the daily budget (session_start_limit): every IDENTIFY with a valid token takes one, whatever
//   comes of it (Discord counts IDENTIFY calls; RESUME is free), so a crash loop drains it;
// - max_concurrency: one IDENTIFY per rate-limit bucket (shard_id % max_concurrency) per 5 s, the
//   next one in the same bucket gets op 9 Invalid Session. Only an accepted IDENTIFY occupies the
//   bucket. Unset (the default) nothing is paced, so tests that start several bots at once keep
//   working; the control API or the emulator's options set it;
// - guildsPerSession: a session that would carry more guilds is closed 4011 (Sharding required).
// Every IDENTIFY is recorded with its outcome for the control API.
import { HttpError } from './http.js';
import type { Shard } from './emulator-state.js';

export const IDENTIFY_INTERVAL_MS = 5000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** IDENTIFY attempts kept for the control API; older ones are forgotten and counted. */
const MAX_ATTEMPTS = 20_000;

export type IdentifyOutcome = 'accepted' | 'rate-limited' | 'exhausted' | 'invalid-shard' | 'sharding-required';

export interface IdentifyAttempt {
  at: number;
  /** The shard IDENTIFY asked for, as sent (an invalid one included). */
  shard: unknown;
  /** The session it started (accepted only). */
  session?: string;
  outcome: IdentifyOutcome;
}

export interface IdentifyLimitOptions {
  /** session_start_limit.total: IDENTIFYs per window (default 1000). */
  identifyTotal?: number;
  /** max_concurrency; unset: IDENTIFY is not paced (reported as 1). */
  maxConcurrency?: number;
  /** The most guilds one session may carry before 4011 (default 2500). */
  guildsPerSession?: number;
  /** How long the budget's window lasts from its first IDENTIFY (default 24 h). */
  resetAfterMs?: number;
}

/** New limits; maxConcurrency null turns pacing off. */
export type LimitChanges = Omit<IdentifyLimitOptions, 'maxConcurrency'> & { maxConcurrency?: number | null };

export class IdentifyLimits {
  identifyTotal = 1000;
  maxConcurrency: number | undefined;
  guildsPerSession = 2500;
  resetAfterMs = DAY_MS;
  remaining = this.identifyTotal;
  /** When the current window's first IDENTIFY came; unset while the budget is whole. */
  windowStartedAt: number | undefined;
  readonly attempts: IdentifyAttempt[] = [];
  forgottenAttempts = 0;
  /** Each time the budget ran out and the token was reset, and how many sessions that closed. */
  readonly tokenResets: { at: number; sessionsClosed: number }[] = [];
  /** Rate-limit bucket -> when its last accepted IDENTIFY came. */
  private readonly lastIdentify = new Map<number, number>();

  constructor(options: IdentifyLimitOptions = {}) {
    this.configure(options);
  }

  /** Applies new limits; a changed total restarts the window with the whole budget. */
  configure(options: LimitChanges): void {
    if (options.identifyTotal !== undefined && options.identifyTotal !== this.identifyTotal) {
      this.identifyTotal = options.identifyTotal;
      this.remaining = options.identifyTotal;
      this.windowStartedAt = undefined;
    }
    if (options.maxConcurrency !== undefined) {
      this.maxConcurrency = options.maxConcurrency ?? undefined;
      this.lastIdentify.clear();
    }
    if (options.guildsPerSession !== undefined) this.guildsPerSession = options.guildsPerSession;
    if (options.resetAfterMs !== undefined) this.resetAfterMs = options.resetAfterMs;
  }

  /** The budget as /gateway/bot reports it. */
  budget(now = Date.now()) {
    this.refresh(now);
    const resetAt = this.windowStartedAt === undefined ? undefined : this.windowStartedAt + this.resetAfterMs;
    return {
      total: this.identifyTotal,
      remaining: this.remaining,
      resetAt,
      resetAfterMs: resetAt === undefined ? 0 : resetAt - now,
      maxConcurrency: this.maxConcurrency ?? 1,
    };
  }

  /** Takes one IDENTIFY from the budget; false when none remained. */
  spend(now = Date.now()): boolean {
    this.refresh(now);
    if (this.remaining <= 0) return false;
    this.windowStartedAt ??= now;
    this.remaining--;
    return true;
  }

  /** Whether shard `id` may identify now (max_concurrency); an accepted one occupies its bucket for 5 s. */
  admits(id: number, now = Date.now()): boolean {
    if (this.maxConcurrency === undefined) return true;
    const bucket = id % this.maxConcurrency;
    const last = this.lastIdentify.get(bucket);
    return last === undefined || now - last >= IDENTIFY_INTERVAL_MS;
  }

  occupy(id: number, now = Date.now()): void {
    if (this.maxConcurrency !== undefined) this.lastIdentify.set(id % this.maxConcurrency, now);
  }

  record(attempt: IdentifyAttempt): void {
    this.attempts.push(attempt);
    if (this.attempts.length > MAX_ATTEMPTS) {
      this.forgottenAttempts += this.attempts.splice(0, this.attempts.length - MAX_ATTEMPTS).length;
    }
  }

  private refresh(now: number): void {
    if (this.windowStartedAt !== undefined && now >= this.windowStartedAt + this.resetAfterMs) {
      this.remaining = this.identifyTotal;
      this.windowStartedAt = undefined;
    }
  }
}

/** A valid IDENTIFY shard: [id, count] with 0 <= id < count; absent is [0, 1]. */
export function parseShard(shard: unknown): Shard | undefined {
  if (shard === undefined || shard === null) return [0, 1];
  if (!Array.isArray(shard) || shard.length !== 2) return undefined;
  const [id, count] = shard as unknown[];
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(count)) return undefined;
  return (id as number) >= 0 && (count as number) >= 1 && (id as number) < (count as number)
    ? [id as number, count as number]
    : undefined;
}

/** The body of POST /control/limits, checked: whole numbers in range; maxConcurrency null turns pacing off. */
export function parseLimits(body: Record<string, unknown>): LimitChanges {
  const known = ['identifyTotal', 'maxConcurrency', 'guildsPerSession', 'resetAfterMs'];
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length) throw new HttpError(400, `limits: unknown field ${unknown[0]} (known: ${known.join(', ')})`);
  const whole = (name: string, min: number, max: number): number | undefined => {
    const value = body[name];
    if (value === undefined) return undefined;
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
      throw new HttpError(
        400,
        `limits: ${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
      );
    return value as number;
  };
  return {
    identifyTotal: whole('identifyTotal', 0, 1_000_000),
    maxConcurrency: body.maxConcurrency === null ? null : whole('maxConcurrency', 1, 1024),
    guildsPerSession: whole('guildsPerSession', 1, 1_000_000),
    resetAfterMs: whole('resetAfterMs', 1, 7 * DAY_MS),
  };
}
