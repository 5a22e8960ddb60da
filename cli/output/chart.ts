// Terminal line charts (asciichart) that fit a given width: `monitor`'s metric curves and
// `history`'s trend across deployments. A series is resampled to the columns left after the
// axis labels; a threshold is drawn as a flat line of its own so a curve crossing it is seen.
import asciichart from 'asciichart';

export interface ChartSeries {
  label: string;
  /** Oldest first; undefined where there is no sample (drawn as the nearest known sample). */
  values: (number | undefined)[];
}

export interface ChartOptions {
  /** Columns the whole chart (axis labels included) may use. */
  width: number;
  /** Rows of the plot area; 6 unless told. */
  height?: number;
  /** Drawn as a dashed flat line, e.g. the guide's "CPU > 80%". */
  threshold?: number;
  /** Appended to the axis labels ("%", " ms"). */
  unit?: string;
  /** Axis floor and ceiling; the data's own range (widened to hold the threshold) otherwise. */
  min?: number;
  max?: number;
  /** Colour each series (cyan, magenta, green, …) and the threshold (red). */
  color?: boolean;
}

const SERIES_COLORS = [asciichart.cyan, asciichart.magenta, asciichart.green, asciichart.yellow, asciichart.blue];
const MIN_PLOT_COLUMNS = 8;

/** The chart's lines (no trailing newline), or one line saying there is nothing to draw. */
export function lineChart(series: ChartSeries[], options: ChartOptions): string[] {
  const drawn = series.filter((s) => s.values.some((v) => v !== undefined && Number.isFinite(v)));
  if (!drawn.length) return ['(no samples yet)'];
  const all = drawn.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  let min = options.min ?? Math.min(...all);
  let max = options.max ?? Math.max(...all);
  if (options.threshold !== undefined) {
    min = Math.min(min, options.threshold);
    max = Math.max(max, options.threshold);
  }
  if (max === min) max = min + 1;
  const labels = [max, min].map((v) => formatValue(v, options.unit));
  const labelWidth = Math.max(...labels.map((l) => l.length)) + 1;
  const columns = Math.max(MIN_PLOT_COLUMNS, options.width - labelWidth - 2);
  const plotted = drawn.map((s) => resample(fill(s.values), columns));
  const colors = options.color ? drawn.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]) : [];
  if (options.threshold !== undefined) {
    plotted.push(new Array<number>(columns).fill(options.threshold));
    if (options.color) colors.push(asciichart.red);
  }
  const text = asciichart.plot(plotted, {
    height: options.height ?? 6,
    min,
    max,
    offset: 2,
    padding: ' '.repeat(labelWidth),
    format: (x) => formatValue(x, options.unit).padStart(labelWidth),
    colors: colors.length ? colors : undefined,
  });
  return text.split('\n').map((line) => line.replace(/\s+$/, ''));
}

/** One line naming each series (and the threshold) in the chart's colours. */
export function chartLegend(
  series: ChartSeries[],
  options: Pick<ChartOptions, 'threshold' | 'unit' | 'color'>,
): string {
  const parts = series.map((s, i) =>
    options.color ? asciichart.colored(`── ${s.label}`, SERIES_COLORS[i % SERIES_COLORS.length]) : `── ${s.label}`,
  );
  if (options.threshold !== undefined) {
    const text = `── threshold ${formatValue(options.threshold, options.unit)}`;
    parts.push(options.color ? asciichart.colored(text, asciichart.red) : text);
  }
  return parts.join('   ');
}

/** Number with a unit, short: 0.42, 12.5, 340, 12k. */
export function formatValue(raw: number, unit = ''): string {
  // The axis steps' float error (-1e-17) must not print as "-0.00".
  const value = Math.abs(raw) < 0.005 ? 0 : raw;
  const abs = Math.abs(value);
  const text =
    abs >= 10_000
      ? `${(value / 1000).toFixed(0)}k`
      : abs >= 100
        ? value.toFixed(0)
        : abs >= 10
          ? value.toFixed(1)
          : value.toFixed(2);
  return `${text}${unit}`;
}

/** Gaps take the nearest earlier sample (the first known one before any). */
function fill(values: (number | undefined)[]): number[] {
  const first = values.find((v): v is number => v !== undefined && Number.isFinite(v)) ?? 0;
  let last = first;
  return values.map((v) => (v !== undefined && Number.isFinite(v) ? (last = v) : last));
}

/**
 * To exactly `columns` points: longer series keep each column's maximum (a spike stays visible),
 * shorter ones are stretched by repeating samples.
 */
export function resample(values: number[], columns: number): number[] {
  if (values.length === columns) return values;
  const out: number[] = [];
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * values.length) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * values.length) / columns));
    out.push(Math.max(...values.slice(from, to)));
  }
  return out;
}
