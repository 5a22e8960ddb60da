// Discord's identify budget (session_start_limit): a rollout that would start more sessions than
// remain is refused before anything changes.
import { ExitCode, UserError } from '../errors.js';
import type { Context } from './context.js';

export interface BudgetReading {
  total: number;
  remaining: number;
  resetAt: number;
  maxConcurrency: number;
  summary: string;
}

/** Reconnects and retries on top of the sessions themselves. */
export function withMargin(sessions: number): number {
  return sessions * 2 + 10;
}

export async function identifyBudget(ctx: Context, sessions: number, what: string): Promise<BudgetReading> {
  const token = (await ctx.secrets.get(ctx.env.tokenParameter, { decrypt: true }))?.value;
  if (!token)
    throw new UserError(`${what}: no Discord token`, `SSM parameter ${ctx.env.tokenParameter} is missing`, {
      code: ExitCode.preflight,
      fix: `ydeploy preflight --env ${ctx.env.name}`,
    });
  const info = await ctx.discord.gatewayBot(token, ctx.signal);
  const limit = info.sessionStartLimit;
  const resetAt = ctx.clock.now() + limit.resetAfter;
  const needed = withMargin(sessions);
  if (needed > limit.remaining)
    throw new UserError(
      `${what}: needs ${sessions} session starts (${needed} with margin), ${limit.remaining} of ${limit.total} remain`,
      `Discord resets the budget at ${new Date(resetAt).toISOString()}`,
      { code: ExitCode.preflight, fix: `rerun after ${new Date(resetAt).toISOString()}` },
    );
  return {
    ...limit,
    resetAt,
    summary: `${limit.remaining} of ${limit.total} session starts remain; ${needed} needed with margin (max_concurrency ${limit.maxConcurrency})`,
  };
}
