// The key metrics of one deployment, as its journal entry keeps them: the guide's "instance
// launch time", "bot readiness time" and "health response time", the handoff, and where the
// run's wall time went (terraform, waiting, ydeploy itself). Every field is optional: an entry
// journaled before they were recorded, or a run that stopped before the gate, has fewer.
import { z } from 'zod';
import type { Meter } from './meter.js';

export const responseTimesSchema = z.object({
  median: z.number(),
  p95: z.number(),
  /** How many probes answered (the gate's /health probes with an HTTP answer). */
  probes: z.number(),
});
export type ResponseTimes = z.infer<typeof responseTimesSchema>;

export const deploymentMetricsSchema = z.object({
  /** EC2's launch time of the new instance → the gate's first "healthy" /health answer. */
  launchToHealthyMs: z.number().optional(),
  /** The bot process's start → ready on Discord, as the bot reports it (/health startedAt, readyAt). */
  botReadyMs: z.number().optional(),
  /** curl's time for the gate's /health probes that got an answer. */
  healthResponseMs: responseTimesSchema.optional(),
  /** The handoff: the old bot told to step down → the new one active. */
  handoffMs: z.number().optional(),
  /** Inside terraform: init, validate, plan and apply, preflight's and the cost estimate's included. */
  terraformMs: z.number().optional(),
  /** Waiting on AWS, Discord, the instances' health or a prompt's answer, outside terraform. */
  waitingMs: z.number().optional(),
  /** ydeploy's own time: total minus terraform minus waiting. */
  ownMs: z.number().optional(),
  /** The command's start (its context opened) → the run's end; a resumed run adds its own. */
  totalMs: z.number().optional(),
  /** Runs that made this entry: 1, plus one per --resume. */
  runs: z.number().optional(),
});
export type DeploymentMetrics = z.infer<typeof deploymentMetricsSchema>;

/** What a flow's state holds of its gate and handoff (GateReport, HandoffReport), read loosely. */
interface MeasuredState {
  gate?: GateMeasures;
  handoff?: { seconds?: number };
  /** A sharded fleet's run: a gate per shard group, a handoff per group or one cut. */
  gates?: Record<string, GateMeasures>;
  handoffs?: Record<string, { seconds?: number }>;
  cut?: { seconds?: number };
}

type GateMeasures = { readinessSeconds?: number; botReadyMs?: number; healthResponseMs?: ResponseTimes };

/**
 * The gate and handoff a run's metrics describe. A fleet's: its slowest group's gate (the one
 * the rollout waited for) and the time its handoffs, or its one cut, took together.
 */
function measuredOf(state: MeasuredState): Pick<MeasuredState, 'gate' | 'handoff'> {
  const gates = Object.values(state.gates ?? {});
  const gate = state.gate ?? gates.sort((a, b) => (b.readinessSeconds ?? 0) - (a.readinessSeconds ?? 0))[0];
  const handoffs = Object.values(state.handoffs ?? {});
  const handoff =
    state.handoff ??
    state.cut ??
    (handoffs.length ? { seconds: handoffs.reduce((n, h) => n + (h.seconds ?? 0), 0) } : undefined);
  return { ...(gate ? { gate } : {}), ...(handoff ? { handoff } : {}) };
}

/**
 * The metrics of a run that ends now: the gate's and the handoff's from the flow's state, the
 * time split from the meter (when the command's context has one; otherwise the run's own
 * span, from `runStarted`). `earlier`: what the runs before a --resume recorded, added to.
 */
export function runMetrics(
  state: Record<string, unknown>,
  timing: { meter?: Meter; now: number; runStarted: number },
  earlier?: DeploymentMetrics,
): DeploymentMetrics {
  const { gate, handoff } = measuredOf(state as MeasuredState);
  const split = timing.meter?.totals() ?? { totalMs: timing.now - timing.runStarted };
  const add = (key: 'totalMs' | 'terraformMs' | 'waitingMs' | 'ownMs') => {
    const now = (split as Partial<Record<typeof key, number>>)[key];
    if (now === undefined) return {};
    return { [key]: Math.round(now + (earlier?.[key] ?? 0)) };
  };
  return {
    ...(gate?.readinessSeconds !== undefined ? { launchToHealthyMs: Math.round(gate.readinessSeconds * 1000) } : {}),
    ...(gate?.botReadyMs !== undefined ? { botReadyMs: gate.botReadyMs } : {}),
    ...(gate?.healthResponseMs ? { healthResponseMs: gate.healthResponseMs } : {}),
    ...(handoff?.seconds !== undefined ? { handoffMs: Math.round(handoff.seconds * 1000) } : {}),
    ...add('terraformMs'),
    ...add('waitingMs'),
    ...add('ownMs'),
    ...add('totalMs'),
    runs: (earlier?.runs ?? 0) + 1,
  };
}

/** Median and 95th percentile (nearest rank) of response times; undefined without any. */
export function responseTimes(samples: number[]): ResponseTimes | undefined {
  const sorted = samples.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return undefined;
  return { median: median(sorted)!, p95: nearestRank(sorted, 0.95), probes: sorted.length };
}

/** The middle value (the mean of the two middle ones for an even count); undefined when empty. */
export function median(values: number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The smallest value with at least `q` of the samples at or below it. */
function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Bot start → ready on Discord from a healthy /health body; undefined when it does not say. */
export function botReadyMs(body: { startedAt?: string; readyAt?: string }): number | undefined {
  if (!body.startedAt || !body.readyAt) return undefined;
  const ms = Date.parse(body.readyAt) - Date.parse(body.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
