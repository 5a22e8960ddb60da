// A flow's plan priced: its apply steps' states, the overlap timed from earlier runs of the same
// command in the journal (else the health gate's timeout), priced from the AWS Price List API
// when it answers in time, else from the shipped table.
import type { Context } from '../core/context.js';
import type { DesiredState } from '../core/desired/state.js';
import { listJournal } from '../core/journal/journal.js';
import type { Step } from '../core/steps/step.js';
import { overlapTime, planCost, planStates, type PlanCost } from './plan.js';
import { livePricesOf, liveQuery, withLivePrices } from './live.js';
import { shippedPrices } from './prices.js';
import { shapeOf } from './shape.js';

export async function flowCost<S extends { baseline: DesiredState }>(
  ctx: Context,
  command: string,
  steps: Step<S>[],
  state: S,
  options: FlowCostOptions<S> = {},
): Promise<PlanCost> {
  const states = planStates(ctx, steps, state, options.only);
  const shapes = [states.before, ...states.targets].map((s) => shapeOf(ctx.env, s));
  // History is a nicety: a journal that cannot be read leaves the gate's timeout.
  const [history, prices] = await Promise.all([
    listJournal(ctx, 5, command).catch(() => []),
    withLivePrices(shippedPrices(), livePricesOf(ctx, options), liveQuery(shapes), { now: ctx.clock.now() }),
  ]);
  return planCost(ctx.env, states, overlapTime(ctx.env, history), prices);
}

export interface FlowCostOptions<S> {
  /** The steps the run takes (--step). */
  only?: (step: Step<S>) => boolean;
  /** false: the shipped table only (--no-live-prices). */
  livePrices?: boolean;
}

/** The same, never failing: a plan whose cost cannot be worked out still runs. */
export async function flowCostOrNothing<S extends { baseline: DesiredState }>(
  ctx: Context,
  command: string,
  steps: Step<S>[],
  state: S | (() => Promise<S>),
  options: FlowCostOptions<S> = {},
): Promise<PlanCost | undefined> {
  try {
    const resolved = typeof state === 'function' ? await state() : state;
    return await flowCost(ctx, command, steps, resolved, options);
  } catch (error) {
    ctx.reporter.debug(`cost of the plan not estimated: ${(error as Error).message}`);
    return undefined;
  }
}
