// `history`'s key metrics: one line per deployment ("—" where a metric was not recorded), the
// trend across deployments as a chart that fits the terminal, and the runs far off it.
import prettyMs from 'pretty-ms';
import type { DeploymentMetrics } from '../core/metrics/metrics.js';
import type { HistoryEntry } from '../inspect/history.js';
import type { Outlier } from '../inspect/trend.js';
import { BASELINE_RUNS, OUTLIER_FACTOR } from '../inspect/trend.js';
import { chartLegend, lineChart, type ChartSeries } from './chart.js';
import type { Paint } from './paint.js';

/** 750ms, 6.5s, 2m 5s; "—" when not recorded. */
export function metricDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return prettyMs(Math.max(0, Math.round(ms)), { secondsDecimalDigits: ms < 60_000 ? 1 : 0 });
}

/** "launch → healthy 8.0s · bot ready 6.5s · /health 3ms / 4ms p95 · handoff 750ms · …". */
export function metricsText(m: DeploymentMetrics | undefined, p: Paint): string {
  if (!m) return `${p.dim('metrics')}  —`;
  const health = m.healthResponseMs
    ? `${metricDuration(m.healthResponseMs.median)} median, ${metricDuration(m.healthResponseMs.p95)} p95 of ${m.healthResponseMs.probes}`
    : '—';
  const parts = [
    `launch → healthy ${metricDuration(m.launchToHealthyMs)}`,
    `bot ready ${metricDuration(m.botReadyMs)}`,
    `/health ${health}`,
    `handoff ${metricDuration(m.handoffMs)}`,
    `terraform ${metricDuration(m.terraformMs)}`,
    `waiting ${metricDuration(m.waitingMs)}`,
    `ydeploy ${metricDuration(m.ownMs)}`,
    `total ${metricDuration(m.totalMs)}`,
  ];
  const runs = m.runs && m.runs > 1 ? p.dim(` (${m.runs} runs)`) : '';
  return `${p.dim('metrics')}  ${parts.join(' · ')}${runs}`;
}

/** "launch → healthy 84.0s is 3.1× the median of the 5 earlier deploys (27.0s)". */
export function outlierText(o: Outlier, command: string): string {
  const times = o.factor !== undefined ? `${o.factor}× ` : 'far above ';
  return `${o.label} ${metricDuration(o.valueMs)} is ${times}the median of the ${o.baseline} earlier ${command}s (${metricDuration(o.medianMs)})`;
}

export interface TrendOptions {
  /** Columns the chart may use (the terminal's width). */
  width: number;
  color?: boolean;
}

/** Launch → healthy and total time across the listed deployments, oldest first; [] with fewer than two measured. */
export function trendSection(entries: HistoryEntry[], p: Paint, options: TrendOptions): string[] {
  const measured = entries.filter((e) => e.metrics);
  if (measured.length < 2) return [];
  const oldestFirst = [...entries].reverse();
  const seconds = (read: (m: DeploymentMetrics) => number | undefined) =>
    oldestFirst.map((e) => {
      const ms = e.metrics ? read(e.metrics) : undefined;
      return ms === undefined ? undefined : ms / 1000;
    });
  const series: ChartSeries[] = [
    { label: 'launch → healthy', values: seconds((m) => m.launchToHealthyMs) },
    { label: 'total', values: seconds((m) => m.totalMs) },
  ];
  const out = [
    p.bold(`Trend over the last ${entries.length} deployments (oldest → newest)`),
    ...lineChart(series, { width: options.width, unit: 's', color: options.color, min: 0 }),
    chartLegend(series, { color: options.color }),
  ];
  const flagged = entries.filter((e) => e.outliers?.length);
  out.push(
    flagged.length
      ? p.yellow(
          `${flagged.length} off the trend (> ${OUTLIER_FACTOR}× the median of up to ${BASELINE_RUNS} earlier runs):`,
        )
      : p.dim(`none off the trend (> ${OUTLIER_FACTOR}× the median of up to ${BASELINE_RUNS} earlier runs)`),
  );
  for (const e of flagged)
    for (const o of e.outliers!) out.push(`  ${p.yellow('⚠')} ${e.id}: ${outlierText(o, e.command)}`);
  return out;
}
