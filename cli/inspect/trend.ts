// Which deployments are far off the trend. Each key metric of a run is compared with the median
// of the same command's previous successful runs (up to BASELINE_RUNS of them, at least
// MIN_BASELINE): more than OUTLIER_FACTOR × that median, and slower by at least the metric's
// floor, is flagged. A ratio to the median reads plainly ("3.1× the median of the 5 deploys
// before it"), a few runs are enough to start, and one slow run does not move the median that
// judges the next; the floor keeps small absolute differences (40 ms against 15 ms) quiet.
// Only slower is flagged: a faster deployment is nothing to look into.
import type { DeploymentMetrics } from '../core/metrics/metrics.js';
import { median } from '../core/metrics/metrics.js';

export const OUTLIER_FACTOR = 2;
export const BASELINE_RUNS = 5;
export const MIN_BASELINE = 3;

export interface TrendMetric {
  key: string;
  label: string;
  read(metrics: DeploymentMetrics): number | undefined;
  /** A run at least this much slower than the median (ms), besides the factor, is flagged. */
  floorMs: number;
  /** A time of the whole run: compared only between runs that succeeded (a failed run stops early or late). */
  wholeRun?: boolean;
}

export const TREND_METRICS: TrendMetric[] = [
  { key: 'launchToHealthyMs', label: 'launch → healthy', read: (m) => m.launchToHealthyMs, floorMs: 5000 },
  { key: 'botReadyMs', label: 'bot start → ready', read: (m) => m.botReadyMs, floorMs: 2000 },
  { key: 'healthP95Ms', label: '/health p95', read: (m) => m.healthResponseMs?.p95, floorMs: 100 },
  { key: 'handoffMs', label: 'handoff', read: (m) => m.handoffMs, floorMs: 2000 },
  { key: 'terraformMs', label: 'terraform', read: (m) => m.terraformMs, floorMs: 10_000, wholeRun: true },
  { key: 'ownMs', label: 'ydeploy itself', read: (m) => m.ownMs, floorMs: 5000, wholeRun: true },
  { key: 'totalMs', label: 'total', read: (m) => m.totalMs, floorMs: 10_000, wholeRun: true },
];

export interface Outlier {
  metric: string;
  label: string;
  valueMs: number;
  /** The median of the runs it is compared with. */
  medianMs: number;
  /** value / median, one decimal (absent when the median is 0). */
  factor?: number;
  /** How many earlier runs the median is of. */
  baseline: number;
}

export interface TrendRun {
  id: string;
  command: string;
  outcome: string;
  metrics?: DeploymentMetrics;
}

/** Each run's outliers by id (runs with none are absent); `runs` newest first, as history lists them. */
export function findOutliers(runs: TrendRun[]): Map<string, Outlier[]> {
  const found = new Map<string, Outlier[]>();
  const oldestFirst = [...runs].reverse();
  oldestFirst.forEach((run, index) => {
    if (!run.metrics) return;
    const earlier = oldestFirst.slice(0, index).filter((r) => r.command === run.command && r.outcome === 'succeeded');
    const outliers = TREND_METRICS.flatMap((metric) => {
      const outlier = judge(metric, run, earlier);
      return outlier ? [outlier] : [];
    });
    if (outliers.length) found.set(run.id, outliers);
  });
  return found;
}

function judge(metric: TrendMetric, run: TrendRun, earlier: TrendRun[]): Outlier | undefined {
  const value = metric.read(run.metrics!);
  if (value === undefined || (metric.wholeRun && run.outcome !== 'succeeded')) return undefined;
  const baseline = earlier
    .map((r) => (r.metrics ? metric.read(r.metrics) : undefined))
    .filter((v): v is number => v !== undefined)
    .slice(-BASELINE_RUNS);
  if (baseline.length < MIN_BASELINE) return undefined;
  const mid = median(baseline)!;
  if (value <= OUTLIER_FACTOR * mid || value - mid < metric.floorMs) return undefined;
  return {
    metric: metric.key,
    label: metric.label,
    valueMs: value,
    medianMs: mid,
    ...(mid > 0 ? { factor: Math.round((value / mid) * 10) / 10 } : {}),
    baseline: baseline.length,
  };
}
