// Before identifying: does Discord still allow this bot's shards to start a session today? GET
// /gateway/bot's session_start_limit says how many starts remain until reset_after; an IDENTIFY
// finding none left makes Discord reset the token (every session using it closed, the bot
// offline until someone sets a new one). So a bot that would need more than remain waits for the
// reset instead, and says until when.

/** The part of GET /gateway/bot this check reads. */
export interface SessionStartLimit {
  total: number;
  remaining: number;
  /** Milliseconds until `remaining` goes back to `total`. */
  reset_after: number;
}

export interface BudgetNotice {
  remaining: number;
  total: number;
  needed: number;
  waitMs: number;
  /** ISO time of the reset. */
  resetAt: string;
}

export interface BudgetDeps {
  fetchLimit(): Promise<SessionStartLimit>;
  now(): number;
  sleep(ms: number): Promise<void>;
  onWait(notice: BudgetNotice): void;
  /** The limit could not be read: the check is skipped and the login reports what is wrong. */
  onUnknown(error: unknown): void;
}

/** A reset a few seconds late on Discord's side should not send the bot straight into another wait. */
const RESET_MARGIN_MS = 2000;
/**
 * Resolves when `needed` session starts remain (or the limit cannot be read). Meanwhile it waits
 * for each reset Discord announces and asks again: identifying short of the budget would cost
 * the token, so it never does.
 */
export async function waitForIdentifyBudget(needed: number, deps: BudgetDeps): Promise<void> {
  for (;;) {
    let limit: SessionStartLimit;
    try {
      limit = await deps.fetchLimit();
    } catch (error) {
      return deps.onUnknown(error);
    }
    if (!(limit.remaining < needed)) return;
    const waitMs = Math.max(0, limit.reset_after) + RESET_MARGIN_MS;
    const resetAt = new Date(deps.now() + Math.max(0, limit.reset_after)).toISOString();
    deps.onWait({ remaining: limit.remaining, total: limit.total, needed, waitMs, resetAt });
    await deps.sleep(waitMs);
  }
}
