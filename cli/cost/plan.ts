// The cost of a plan (migrate, deploy, rollback): the monthly change the run leaves behind,
// and the one-off cost of the overlap, while the new instance runs beside the old one. Data
// volumes do not depend on which instances run, so both sides use the same assumptions and
// only what the run changes shows in the difference.
import type { ResolvedEnvironment } from '../config/load.js';
import type { Context } from '../core/context.js';
import type { DesiredState } from '../core/desired/state.js';
import type { Step } from '../core/steps/step.js';
import { HOURS_PER_MONTH, assumedVolumes, estimate, round, type CostEstimate } from './model.js';
import { unavailableNote } from './live.js';
import type { Prices } from './prices.js';
import { retentionOf, shapeOf } from './shape.js';

export interface OverlapTime {
  minutes: number;
  /** "median of 3 earlier runs" or "up to the health gate's timeout". */
  basis: string;
}

export interface PlanCost {
  currency: 'USD';
  /** Monthly estimate before the run and after it. */
  before: number;
  after: number;
  /** after − before; null when a line that changes is unpriced. */
  monthlyChange: number | null;
  overlap: {
    minutes: number;
    basis: string;
    /** Bot instances at the peak of the run, and after it. */
    peakInstances: number;
    /** Extra cost per hour while the peak lasts. */
    extraPerHour: number;
    /** One-off cost of the overlap; null when unpriced. */
    cost: number | null;
  };
  /** Lines left out because their price is unknown. */
  unpriced: string[];
  priceOrigin: string;
  /** "live prices unavailable: …; using the table of …" when the Price List API was tried and not used. */
  notes?: string[];
}

export interface PlanStates {
  before: DesiredState;
  /** The desired state after each apply step, in order. */
  targets: DesiredState[];
}

/** The apply steps a run would take (`only`, `skip` respected), with the state each leaves. */
export function planStates<S extends { baseline: DesiredState }>(
  ctx: Context,
  steps: Step<S>[],
  state: S,
  only?: (step: Step<S>) => boolean,
): PlanStates {
  const targets = steps
    .filter((step) => step.target && (!only || only(step)) && !step.skip?.(ctx, state))
    .map((step) => step.target!(state));
  return { before: state.baseline, targets };
}

/** The monthly change and the overlap's cost of going from `before` through `targets`. */
export function planCost(
  env: Pick<ResolvedEnvironment, 'region' | 'terraform' | 'instanceType'>,
  states: PlanStates,
  overlap: OverlapTime,
  prices: Prices,
): PlanCost {
  const volumes = assumedVolumes(retentionOf(env));
  const price = (state: DesiredState): CostEstimate =>
    estimate({ ...shapeOf(env, state), volumes }, prices.table, prices.live);
  const before = price(states.before);
  const all = states.targets.map(price);
  const after = all.at(-1) ?? before;
  const peakIndex = all.reduce((best, e, i) => (e.total > all[best]!.total ? i : best), 0);
  const peak = all[peakIndex] ?? after;
  const unpriced = [...new Set([...before.unpriced, ...after.unpriced, ...peak.unpriced])];
  const extraPerHour = round(Math.max(0, peak.total - Math.max(before.total, after.total)) / HOURS_PER_MONTH, 6);
  const peakState = states.targets[peakIndex] ?? states.before;
  return {
    currency: 'USD',
    before: before.total,
    after: after.total,
    monthlyChange: unpriced.length ? null : round(after.total - before.total, 2),
    overlap: {
      minutes: overlap.minutes,
      basis: overlap.basis,
      peakInstances: shapeOf(env, peakState).instances.length,
      extraPerHour,
      cost: unpriced.length ? null : round((extraPerHour * overlap.minutes) / 60, 4),
    },
    unpriced,
    priceOrigin: prices.origin,
    ...(prices.unavailable ? { notes: unavailableNote(prices) } : {}),
  };
}

/** How long the overlap lasts: the median of earlier succeeded runs, else the gate's timeout. */
export function overlapTime(
  env: Pick<ResolvedEnvironment, 'health'>,
  history: { started: string; ended?: string; outcome: string }[],
): OverlapTime {
  const minutes = history
    .filter((e) => e.outcome === 'succeeded' && e.ended)
    .map((e) => (Date.parse(e.ended!) - Date.parse(e.started)) / 60_000)
    .filter((m) => Number.isFinite(m) && m > 0)
    .sort((a, b) => a - b);
  if (minutes.length) {
    const median = minutes[Math.floor(minutes.length / 2)]!;
    return {
      minutes: round(median, 1),
      basis: `median of ${minutes.length} earlier run${minutes.length === 1 ? '' : 's'}`,
    };
  }
  const gate = env.health.gateTimeout / 60_000;
  return { minutes: round(gate, 1), basis: "at most the health gate's timeout (no earlier run to go by)" };
}

/** The plan's cost in a line or three, for the dry run and the end of a run. */
export function planCostLines(cost: PlanCost): string[] {
  const money = (v: number) => `$${v.toFixed(v !== 0 && Math.abs(v) < 1 ? 4 : 2)}`;
  const signed = (v: number) => `${v >= 0 ? '+' : '−'}${money(Math.abs(v))}`;
  const lines = [
    cost.monthlyChange === null
      ? `monthly: ${money(cost.before)} → ${money(cost.after)} (excluding unpriced: ${cost.unpriced.join('; ')})`
      : `monthly: ${money(cost.before)} → ${money(cost.after)} (${signed(cost.monthlyChange)}/month after this run)`,
    cost.overlap.cost === null
      ? `overlap: ${cost.overlap.peakInstances} instances for ${cost.overlap.minutes} min (${cost.overlap.basis}): unpriced`
      : `overlap: ${cost.overlap.peakInstances} instances for ${cost.overlap.minutes} min (${cost.overlap.basis}): ${money(cost.overlap.cost)} once`,
    `prices: ${cost.priceOrigin}`,
    ...(cost.notes ?? []),
  ];
  return lines;
}
