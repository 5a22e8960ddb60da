// `monitor`'s metrics on screen: a frame of charts that fits the terminal (width and height),
// redrawn in place on a terminal; one plain line per metric line elsewhere; one NDJSON event
// for machines. The frame is plain text built from the reading, so it is tested at any width.
import { stripVTControlCharacters } from 'node:util';
import type { HealthProbe } from '../inspect/health.js';
import { alignLines, type MetricChart, type MetricsReading } from '../inspect/metrics.js';
import { chartLegend, formatValue, lineChart } from './chart.js';
import type { Paint } from './paint.js';
import { renderMonitorRound } from './table.js';

export interface FrameOptions {
  /** Columns of the terminal. */
  width: number;
  /** Rows of the terminal: the charts shrink to fit; unknown means 6 rows each. */
  rows?: number;
  color: boolean;
  /** The environment and the watch's own words, on the first line. */
  title: string;
}

/** The lines above and below the charts: title, health, a blank line, and the read's cost. */
const FRAME_OVERHEAD = 4;
/** Per chart, besides its plot: the title line and the legend line. */
const CHART_OVERHEAD = 2;
const MIN_PLOT_ROWS = 2;
const MAX_PLOT_ROWS = 8;

/** Every line of one frame, none wider than `width` (the charts' colours add no columns). */
export function renderFrame(
  reading: MetricsReading | undefined,
  probes: HealthProbe[],
  p: Paint,
  options: FrameOptions,
): string[] {
  const width = Math.max(20, options.width);
  const out = [
    p.bold(fit(options.title, width)),
    fit(renderMonitorRound(probes, reading?.at ?? Date.now(), p), width, true),
  ];
  if (!reading) return [...out, p.yellow(fit('metrics: not read this refresh (the warning above says why)', width))];
  if (!reading.charts.length) return [...out, fit('metrics: no running instance to read', width)];
  const height = plotRows(reading.charts.length, options.rows);
  for (const chart of reading.charts) {
    out.push(
      '',
      p.bold(
        fit(
          `${chart.title}${chart.threshold === undefined ? '' : ` — alert above ${formatValue(chart.threshold, chart.unit)}`}`,
          width,
        ),
      ),
    );
    const series = alignLines(chart.lines).map((values, i) => ({ label: chart.lines[i].label, values }));
    out.push(...lineChart(series, { ...chartOptions(chart), width, height, color: options.color }));
    out.push(...legend(series, chart, width, options.color));
  }
  out.push(
    p.dim(
      fit(
        `${reading.cost.queries} metrics in ${reading.cost.calls} GetMetricData call(s), last hour at 1-minute periods`,
        width,
      ),
    ),
  );
  return out;
}

/** The plot rows each chart gets so the whole frame fits the terminal (a tall terminal gets taller charts). */
export function plotRows(charts: number, rows?: number): number {
  if (!rows) return 6;
  const blankLines = charts;
  const free = rows - FRAME_OVERHEAD - blankLines - charts * CHART_OVERHEAD;
  // asciichart draws height + 1 rows.
  return Math.max(MIN_PLOT_ROWS, Math.min(MAX_PLOT_ROWS, Math.floor(free / charts) - 1));
}

function chartOptions(chart: MetricChart) {
  return { unit: chart.unit, threshold: chart.threshold, min: chart.min, max: chart.max };
}

/** The legend on one line when it fits, else one line per series. */
function legend(
  series: { label: string; values: unknown[] }[],
  chart: MetricChart,
  width: number,
  color: boolean,
): string[] {
  const plain = chartLegend(series as never, { threshold: chart.threshold, unit: chart.unit });
  if (plain.length <= width)
    return [chartLegend(series as never, { threshold: chart.threshold, unit: chart.unit, color })];
  return series.map((s, i) => fit(chartLegend([series[i] as never], { color }), width, true));
}

/** One line per metric line (no chart): what a log or a pipe keeps of each refresh. */
export function renderMetricLines(reading: MetricsReading, p: Paint): string[] {
  const time = new Date(reading.at).toISOString().slice(11, 19);
  return reading.charts.flatMap((chart) =>
    chart.lines.map((line) => {
      const last = line.points[line.points.length - 1];
      const value = last ? formatValue(last.value, chart.unit) : 'no data';
      const over = last && chart.threshold !== undefined && last.value > chart.threshold;
      const limit = chart.threshold === undefined ? '' : ` (alert above ${formatValue(chart.threshold, chart.unit)})`;
      return `${p.dim(time)}  ${chart.key} ${line.label} ${over ? p.red(value) : value}${limit}`;
    }),
  );
}

/** The NDJSON event of one refresh: each line's latest datapoint, and what the read cost. */
export function metricsEvent(reading: MetricsReading): Record<string, unknown> & { type: string } {
  return {
    type: 'metrics',
    at: new Date(reading.at).toISOString(),
    apiCalls: reading.cost.calls,
    ...(reading.tookMs === undefined ? {} : { tookMs: Math.round(reading.tookMs) }),
    queries: reading.cost.queries,
    metrics: reading.charts.flatMap((chart) =>
      chart.lines.map((line) => {
        const last = line.points[line.points.length - 1];
        return {
          chart: chart.key,
          subject: line.subject,
          label: line.label,
          unit: chart.unit.trim(),
          ...(chart.threshold === undefined ? {} : { threshold: chart.threshold }),
          ...(last ? { at: new Date(last.at).toISOString(), value: last.value } : {}),
          points: line.points.length,
        };
      }),
    ),
  };
}

/**
 * A frame drawn in place on a terminal: the next frame first moves the cursor up over the one
 * before and clears to the end of the screen, so nothing scrolls. `clear()` erases the frame
 * alone (alerts are then written above the next one and stay).
 */
export class LiveFrame {
  private height = 0;

  constructor(private readonly out: { write(text: string): unknown; rows?: number }) {}

  draw(lines: string[]): void {
    // Taller than the terminal, the top of the last frame has scrolled away where the cursor
    // cannot go back: the screen is cleared from its top instead.
    const tall = this.out.rows !== undefined && lines.length >= this.out.rows;
    this.out.write(`${tall ? '\x1b[H\x1b[2J' : this.erase()}${lines.join('\n')}\n`);
    this.height = lines.length;
  }

  clear(): void {
    if (this.height) this.out.write(this.erase());
    this.height = 0;
  }

  private erase(): string {
    // CSI n F: cursor to the start of the line n rows up; CSI J: clear from there to the end.
    return this.height ? `\x1b[${this.height}F\x1b[J` : '';
  }
}

/** Cut to `width` columns; `ansi` lines may carry colour codes, which take no columns. */
function fit(text: string, width: number, ansi = false): string {
  const visible = ansi ? stripVTControlCharacters(text) : text;
  if (visible.length <= width) return text;
  return `${visible.slice(0, width - 1)}…`;
}
