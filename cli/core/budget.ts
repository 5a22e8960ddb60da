// The bot's daily identify budget (Discord's session_start_limit): every gateway session a
// rollout starts spends one IDENTIFY of it, and an IDENTIFY that finds none left makes Discord
// reset the bot's token, which takes the whole fleet offline until someone stores a new one.
// So a rollout reads the budget first and refuses, before it starts anything, when what it will
// start (with a margin) does not fit in what remains.
import prettyMs from 'pretty-ms';
import { ExitCode, UserError, isUserError } from '../errors.js';
import type { Context } from './context.js';

export type BudgetDeps = Pick<Context, 'env' | 'secrets' | 'discord' | 'clock'> & Partial<Pick<Context, 'signal'>>;

/** One reading of GET /gateway/bot's session_start_limit. */
export interface IdentifyBudget {
  total: number;
  remaining: number;
  /** IDENTIFYs Discord accepts per 5 s (one per bucket shard_id % max_concurrency). */
  maxConcurrency: number;
  /** When Discord refills the budget (ISO, UTC), and how long until then. */
  resetAt: string;
  resetAfterMs: number;
}

/** A reading that a rollout of `sessions` session starts fits in. */
export interface BudgetCheck extends IdentifyBudget {
  sessions: number;
  withMargin: number;
}

export interface BudgetOptions {
  /** The command to rerun once the budget is refilled, for the fix line. */
  rerun?: string;
  /** How to start fewer sessions now, for the fix line (default: lower fleet.groupsAtOnce). */
  reduce?: string;
}

/**
 * The session starts a rollout of `sessions` sessions may spend: each twice (a session that
 * fails before READY is identified again, by the bot's own retry or by systemd's restart of its
 * unit), plus 10 for sessions Discord invalidates meanwhile (a reconnect that cannot resume
 * identifies again) and an operator's rerun of a failed step.
 */
export function withMargin(sessions: number): number {
  return sessions * 2 + 10;
}

/** Reads the budget with the environment's token (from SSM, as preflight reads it). */
export async function readIdentifyBudget(deps: BudgetDeps): Promise<IdentifyBudget> {
  const parameter = deps.env.tokenParameter;
  const what = 'cannot read the Discord identify budget';
  const token = (await deps.secrets.get(parameter, { decrypt: true }))?.value.trim();
  if (!token)
    throw new UserError(what, `no Discord token in SSM parameter ${parameter}`, {
      code: ExitCode.preflight,
      fix: `ydeploy init --store-token --env ${deps.env.name}`,
    });
  let limit;
  try {
    limit = (await deps.discord.gatewayBot(token, deps.signal)).sessionStartLimit;
  } catch (error) {
    if (isUserError(error) && (error as { status?: number }).status === 401)
      throw new UserError(what, `Discord rejected the token in ${parameter} (401 Unauthorized)`, {
        code: ExitCode.preflight,
        cause: error,
        fix: `reset the token in the Discord developer portal, then: ydeploy init --store-token --env ${deps.env.name}`,
      });
    throw error;
  }
  const resetAfterMs = Math.max(0, limit.resetAfter);
  // Whole seconds: Discord's reset_after is in milliseconds, but nobody waits for one.
  const resetAt = new Date(Math.ceil((deps.clock.now() + resetAfterMs) / 1000) * 1000).toISOString();
  return {
    total: limit.total,
    remaining: limit.remaining,
    maxConcurrency: limit.maxConcurrency,
    resetAt: resetAt.replace('.000Z', 'Z'),
    resetAfterMs,
  };
}

/** One line for a step's summary: what remains, what the run needs, the pacing. */
export function budgetSummary(check: BudgetCheck): string {
  return `${check.remaining} of ${check.total} session starts remain; ${check.withMargin} needed with margin (max_concurrency ${check.maxConcurrency})`;
}

/** "in 3h 12m": how long until the budget is refilled, to the minute once it is past one. */
export function resetIn(budget: Pick<IdentifyBudget, 'resetAfterMs'>): string {
  const ms = budget.resetAfterMs;
  if (ms <= 0) return 'now';
  if (ms < 60_000) return `in ${prettyMs(Math.ceil(ms / 1000) * 1000)}`;
  return `in ${prettyMs(Math.ceil(ms / 60_000) * 60_000, { unitCount: 2 })}`;
}

/**
 * Reads the budget and refuses (UserError, exit 3) when `sessions` session starts, with the
 * margin of `withMargin`, exceed what remains. `what` names the run in the message ("deploy of
 * production: needs 4 session starts (18 with margin), 12 of 1000 remain"; default "rollout in
 * <env>"). Returns the reading, for the caller to report.
 */
export async function identifyBudget(
  ctx: BudgetDeps,
  sessions: number,
  what = `rollout in ${ctx.env.name}`,
  options: BudgetOptions = {},
): Promise<BudgetCheck> {
  if (!Number.isInteger(sessions) || sessions < 0) throw new Error(`identifyBudget: bad session count ${sessions}`);
  const budget = await readIdentifyBudget(ctx);
  const needed = sessions === 0 ? 0 : withMargin(sessions);
  const check = { ...budget, sessions, withMargin: needed };
  if (needed <= budget.remaining) return check;
  const plural = sessions === 1 ? '' : 's';
  const why =
    `needs ${sessions} session start${plural} (${needed} with margin), ${budget.remaining} of ${budget.total} remain; ` +
    `resets at ${budget.resetAt} (${resetIn(budget)})`;
  const config = ctx.env.configFile ?? 'ydeploy.config.json';
  const reduce = options.reduce ?? `start fewer shard groups at a time (lower fleet.groupsAtOnce in ${config})`;
  const rerun = options.rerun ? `, then rerun: ${options.rerun}` : ', then rerun';
  // A rollout that would not fit even in a full budget cannot be fixed by waiting.
  const fix =
    needed > budget.total
      ? `${reduce}: even a full budget (${budget.total}) is smaller than ${needed}`
      : `wait until ${budget.resetAt}${rerun}; or ${reduce}`;
  throw new UserError(what, why, {
    code: ExitCode.preflight,
    fix,
    details: { identifyBudget: check },
  });
}
