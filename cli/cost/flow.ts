// A flow's plan priced: its apply steps' states, the overlap timed from earlier runs of the same
// command in the journal (else the health gate's timeout), priced from the shipped table.
import type { Context } from '../core/context.js';
import type { DesiredState } from '../core/desired/state.js';
import { listJournal } from '../core/journal/journal.js';
import type { Step } from '../core/steps/step.js';
import { overlapTime, planCost, planStates, type PlanCost } from './plan.js';
import { shippedPrices } from './prices.js';

export async function flowCost<S extends { baseline: DesiredState }>(
  ctx: Context,
  command: string,
  steps: Step<S>[],
  state: S,
  only?: (step: Step<S>) => boolean,
): Promise<PlanCost> {
  // History is a nicety: a journal that cannot be read leaves the gate's timeout.
  const history = await listJournal(ctx, 5, command).catch(() => []);
  return planCost(ctx.env, planStates(ctx, steps, state, only), overlapTime(ctx.env, history), shippedPrices());
}

/** The same, never failing: a plan whose cost cannot be worked out still runs. */
export async function flowCostOrNothing<S extends { baseline: DesiredState }>(
  ctx: Context,
  command: string,
  steps: Step<S>[],
  state: S | (() => Promise<S>),
  only?: (step: Step<S>) => boolean,
): Promise<PlanCost | undefined> {
  try {
    const resolved = typeof state === 'function' ? await state() : state;
    return await flowCost(ctx, command, steps, resolved, only);
  } catch (error) {
    ctx.reporter.debug(`cost of the plan not estimated: ${(error as Error).message}`);
    return undefined;
  }
}
