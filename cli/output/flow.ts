// The result of a flow command (migrate, deploy, rollback) for --json: what ran, where, the
// journal id, and the state it left.
import type { PlanCost } from '../cost/plan.js';
import { planCostLines } from '../cost/plan.js';
import type { Reporter } from '../ports.js';

export function flowResult(
  result: { deploymentId?: string; state: object; dryRun?: unknown },
  env: string,
): Record<string, unknown> {
  return {
    ok: true,
    environment: env,
    ...(result.deploymentId ? { deploymentId: result.deploymentId } : {}),
    ...(result.dryRun ? { dryRun: result.dryRun } : {}),
    state: result.state,
  };
}

/** The plan's cost: what the dry run would leave, or what the run left. Nothing when unknown. */
export function reportPlanCost(reporter: Reporter, cost: PlanCost | undefined, dryRun: boolean): void {
  if (!cost) return;
  const [monthly, ...rest] = planCostLines(cost);
  reporter.info(`cost${dryRun ? ' (plan)' : ''}: ${monthly}`);
  for (const line of rest) reporter.info(`  ${line}`);
}
