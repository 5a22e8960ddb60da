// What `monitor` reads from CloudWatch each refresh, and the guide's thresholds evaluated on the
// datapoints themselves: alarms are not evaluated everywhere (moto never does), and a threshold
// read from the data is the same on AWS and in the sandbox. Pure: the reading is the Metrics port's.
import type { InstanceKind, MetricPoint, MetricQuery, MetricReadCost } from '../ports.js';

/** Every series is read at one-minute periods (EC2's basic monitoring answers every 5 minutes). */
export const PERIOD_SECONDS = 60;
/** The charts' time span: each refresh reads this much history. */
export const WINDOW_MS = 60 * 60_000;

export type ChartKey = 'cpu' | 'memory' | 'healthTime' | 'unhealthy' | 'natBytes' | 'natErrors' | 'natStatus';

export interface ChartSpec {
  key: ChartKey;
  title: string;
  unit: string;
  /** The guide's threshold, drawn as a line; absent where the threshold is not of this value. */
  threshold?: number;
  min?: number;
  max?: number;
}

export const CHARTS: Record<ChartKey, ChartSpec> = {
  cpu: { key: 'cpu', title: 'CPU (CPUUtilization)', unit: '%', threshold: 80, min: 0, max: 100 },
  memory: { key: 'memory', title: 'memory (mem_used_percent)', unit: '%', threshold: 90, min: 0, max: 100 },
  healthTime: { key: 'healthTime', title: 'health response time (HealthResponseTime)', unit: ' ms', min: 0 },
  unhealthy: { key: 'unhealthy', title: 'failed health checks per minute (Unhealthy)', unit: '', min: 0 },
  natBytes: { key: 'natBytes', title: 'NAT bytes out per minute', unit: 'B', min: 0 },
  natErrors: {
    key: 'natErrors',
    title: 'NAT gateway error rate (PacketsDropCount / packets in)',
    unit: '%',
    threshold: 1,
    min: 0,
  },
  natStatus: { key: 'natStatus', title: 'NAT instance status check failed', unit: '', min: 0, max: 1 },
};

/** What to read: the running bot instances, the NAT if found, the environment's own namespace. */
export interface MetricTargets {
  instances: { id: string; kind: InstanceKind }[];
  nat?: { type: 'gateway' | 'instance'; id: string };
  namespace: string;
}

/** How a query's answer is used: which chart, which line on it, or which part of a computed line. */
interface QueryUse {
  chart: ChartKey;
  subject: string;
  label: string;
  part?: 'drops' | 'inFromSource' | 'inFromDestination' | 'credits';
}

export interface MetricsPlan {
  queries: MetricQuery[];
  uses: Map<string, QueryUse>;
}

/** Every query of one refresh: four per instance, three to four for the NAT. */
export function planQueries(targets: MetricTargets): MetricsPlan {
  const queries: MetricQuery[] = [];
  const uses = new Map<string, QueryUse>();
  const add = (use: QueryUse, query: Omit<MetricQuery, 'id' | 'periodSeconds'>) => {
    const id = `q${queries.length}`;
    queries.push({ id, periodSeconds: PERIOD_SECONDS, ...query });
    uses.set(id, use);
  };
  for (const { id, kind } of targets.instances) {
    const line = { subject: id, label: `${kind} ${id}` };
    const InstanceId = id;
    add(
      { chart: 'cpu', ...line },
      { namespace: 'AWS/EC2', metric: 'CPUUtilization', dimensions: { InstanceId }, stat: 'Average' },
    );
    add(
      { chart: 'memory', ...line },
      { namespace: 'CWAgent', metric: 'mem_used_percent', dimensions: { InstanceId }, stat: 'Average' },
    );
    add(
      { chart: 'healthTime', ...line },
      { namespace: targets.namespace, metric: 'HealthResponseTime', dimensions: { InstanceId }, stat: 'Average' },
    );
    add(
      { chart: 'unhealthy', ...line },
      { namespace: targets.namespace, metric: 'Unhealthy', dimensions: { InstanceId }, stat: 'Sum' },
    );
  }
  const nat = targets.nat;
  if (nat?.type === 'gateway') {
    const line = { subject: nat.id, label: `NAT gateway ${nat.id}` };
    const NatGatewayId = nat.id;
    const gw = (metric: string) => ({
      namespace: 'AWS/NATGateway',
      metric,
      dimensions: { NatGatewayId },
      stat: 'Sum' as const,
    });
    add({ chart: 'natBytes', ...line }, gw('BytesOutToDestination'));
    add({ chart: 'natErrors', ...line, part: 'drops' }, gw('PacketsDropCount'));
    add({ chart: 'natErrors', ...line, part: 'inFromSource' }, gw('PacketsInFromSource'));
    add({ chart: 'natErrors', ...line, part: 'inFromDestination' }, gw('PacketsInFromDestination'));
  } else if (nat?.type === 'instance') {
    const line = { subject: nat.id, label: `NAT instance ${nat.id}` };
    const InstanceId = nat.id;
    add(
      { chart: 'natBytes', ...line },
      { namespace: 'AWS/EC2', metric: 'NetworkOut', dimensions: { InstanceId }, stat: 'Sum' },
    );
    add(
      { chart: 'natStatus', ...line },
      { namespace: 'AWS/EC2', metric: 'StatusCheckFailed', dimensions: { InstanceId }, stat: 'Maximum' },
    );
    add(
      { chart: 'natStatus', ...line, part: 'credits' },
      { namespace: 'AWS/EC2', metric: 'CPUCreditBalance', dimensions: { InstanceId }, stat: 'Minimum' },
    );
  }
  return { queries, uses };
}

export interface ChartLine {
  subject: string;
  label: string;
  points: MetricPoint[];
}

export interface MetricChart extends ChartSpec {
  lines: ChartLine[];
}

/** One refresh: the charts (in CHARTS' order, those with a line), NAT credits aside, and its cost. */
export interface MetricsReading {
  at: number;
  /** How long the read took (ms): NAT lookup and GetMetricData calls. */
  tookMs?: number;
  charts: MetricChart[];
  /** A NAT instance's CPU credit balance (the module alarms below 5 for 15 minutes). */
  natCredits?: ChartLine;
  /** A NAT gateway's dropped packets and packets in, per period: its error rate over any window. */
  natTraffic?: { subject: string; label: string; drops: MetricPoint[]; packets: MetricPoint[] };
  cost: MetricReadCost;
}

/** The answer of one read, arranged into charts; the NAT gateway's error rate computed per period. */
export function arrange(
  plan: MetricsPlan,
  series: Map<string, MetricPoint[]>,
  at: number,
  cost: MetricReadCost,
): MetricsReading {
  const lines = new Map<ChartKey, Map<string, ChartLine>>();
  const parts = new Map<string, Partial<Record<NonNullable<QueryUse['part']>, MetricPoint[]>>>();
  let natCredits: ChartLine | undefined;
  for (const [id, use] of plan.uses) {
    const points = series.get(id) ?? [];
    if (use.part === 'credits') {
      natCredits = { subject: use.subject, label: use.label, points };
      continue;
    }
    if (use.part) {
      const got = parts.get(use.subject) ?? {};
      got[use.part] = points;
      parts.set(use.subject, got);
    }
    const chart = lines.get(use.chart) ?? new Map<string, ChartLine>();
    lines.set(use.chart, chart);
    if (!use.part) chart.set(use.subject, { subject: use.subject, label: use.label, points });
    else if (!chart.has(use.subject)) chart.set(use.subject, { subject: use.subject, label: use.label, points: [] });
  }
  let natTraffic: MetricsReading['natTraffic'];
  for (const [subject, p] of parts) {
    const line = lines.get('natErrors')?.get(subject);
    if (!line) continue;
    const packets = addUp([...(p.inFromSource ?? []), ...(p.inFromDestination ?? [])]);
    const drops = p.drops ?? [];
    line.points = errorRate(drops, packets);
    natTraffic = { subject, label: line.label, drops, packets };
  }
  const charts = (Object.keys(CHARTS) as ChartKey[])
    .filter((key) => lines.has(key))
    .map((key) => ({ ...CHARTS[key], lines: [...lines.get(key)!.values()] }));
  return { at, charts, natCredits, natTraffic, cost };
}

/** Points of several series added up per period. */
function addUp(points: MetricPoint[]): MetricPoint[] {
  const sums = new Map<number, number>();
  for (const p of points) sums.set(p.at, (sums.get(p.at) ?? 0) + p.value);
  return [...sums].sort(([a], [b]) => a - b).map(([at, value]) => ({ at, value }));
}

/** AWS's formula per period: 100 × PacketsDropCount / (PacketsInFromSource + PacketsInFromDestination). */
function errorRate(drops: MetricPoint[], packets: MetricPoint[]): MetricPoint[] {
  const dropped = new Map(drops.map((p) => [p.at, p.value]));
  return packets.map(({ at, value }) => ({ at, value: value > 0 ? (100 * (dropped.get(at) ?? 0)) / value : 0 }));
}

/* ---------- The guide's thresholds, on the datapoints ---------- */

export interface Breach {
  kind: 'cpu' | 'memory' | 'health' | 'nat';
  subject: string;
  message: string;
}

/**
 * How long one datapoint stands for: the most common gap between points (60 s at one-minute
 * periods, 300 s for EC2's basic monitoring), one period when there is no gap to measure.
 */
export function pointSpan(points: MetricPoint[], periodMs = PERIOD_SECONDS * 1000): number {
  const gaps = new Map<number, number>();
  for (let i = 1; i < points.length; i++) {
    const gap = points[i].at - points[i - 1].at;
    if (gap > 0) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  }
  let best = periodMs;
  let count = 0;
  for (const [gap, n] of gaps) if (n > count || (n === count && gap < best)) [best, count] = [gap, n];
  return Math.max(best, periodMs);
}

/** The points that fall in the `windowMs` ending with the latest point's period; none when stale. */
export function lastWindow(points: MetricPoint[], windowMs: number, now: number): MetricPoint[] {
  if (!points.length) return [];
  const span = pointSpan(points);
  const end = points[points.length - 1].at + span;
  // Data that stopped more than a window ago says nothing about now.
  if (end < now - windowMs - span) return [];
  return points.filter((p) => p.at >= end - windowMs);
}

/**
 * "Above `threshold` for `windowMs`": every point of the last window is above it, and together
 * they cover the whole window (as an alarm's N of N periods).
 */
export function sustainedAbove(points: MetricPoint[], threshold: number, windowMs: number, now: number): boolean {
  const window = lastWindow(points, windowMs, now);
  if (!window.length || window.some((p) => p.value <= threshold)) return false;
  const span = pointSpan(points);
  return window[window.length - 1].at + span - window[0].at >= windowMs;
}

export function sustainedBelow(points: MetricPoint[], threshold: number, windowMs: number, now: number): boolean {
  return sustainedAbove(
    points.map((p) => ({ at: p.at, value: -p.value })),
    -threshold,
    windowMs,
    now,
  );
}

const MIN = 60_000;

/** Every threshold crossed in this reading (level, not edge: the caller alerts on the edge). */
export function evaluate(reading: MetricsReading, now: number): Breach[] {
  const breaches: Breach[] = [];
  const chart = (key: ChartKey) => reading.charts.find((c) => c.key === key)?.lines ?? [];
  const latest = (points: MetricPoint[]) => points[points.length - 1]?.value ?? 0;
  for (const line of chart('cpu'))
    if (sustainedAbove(line.points, 80, 10 * MIN, now))
      breaches.push({
        kind: 'cpu',
        subject: line.subject,
        message: `${line.label}: CPU above 80% for 10 minutes (now ${latest(line.points).toFixed(1)}%)`,
      });
  for (const line of chart('memory'))
    if (sustainedAbove(line.points, 90, 5 * MIN, now))
      breaches.push({
        kind: 'memory',
        subject: line.subject,
        message: `${line.label}: memory above 90% for 5 minutes (now ${latest(line.points).toFixed(1)}%)`,
      });
  for (const line of chart('unhealthy')) {
    const failed = lastWindow(line.points, 5 * MIN, now).reduce((sum, p) => sum + p.value, 0);
    if (failed > 3)
      breaches.push({
        kind: 'health',
        subject: line.subject,
        message: `${line.label}: the health server logged ${failed} failed checks within 5 minutes`,
      });
  }
  const traffic = reading.natTraffic;
  if (traffic) {
    // Over the window as a whole, as the module's alarm sums 5 minutes before dividing.
    const window = lastWindow(traffic.packets, 5 * MIN, now);
    const packets = window.reduce((sum, p) => sum + p.value, 0);
    const from = window[0]?.at ?? Infinity;
    const drops = traffic.drops.filter((p) => p.at >= from).reduce((sum, p) => sum + p.value, 0);
    const rate = packets > 0 ? (100 * drops) / packets : 0;
    if (rate > 1)
      breaches.push({
        kind: 'nat',
        subject: traffic.subject,
        message: `${traffic.label}: error rate ${rate.toFixed(2)}% over 5 minutes (${drops} of ${packets} packets dropped)`,
      });
  }
  for (const line of chart('natStatus'))
    if (sustainedAbove(line.points, 0, 2 * MIN, now))
      breaches.push({
        kind: 'nat',
        subject: line.subject,
        message: `${line.label}: status check failing for 2 minutes (the private subnets may have no internet)`,
      });
  const credits = reading.natCredits;
  if (credits && sustainedBelow(credits.points, 5, 15 * MIN, now))
    breaches.push({
      kind: 'nat',
      subject: credits.subject,
      message: `${credits.label}: fewer than 5 CPU credits for 15 minutes (throttled to its baseline)`,
    });
  return breaches;
}

/**
 * A chart's lines on one time axis, one value per period from the earliest point of any line to
 * the latest (undefined where a line has no point), ready to draw side by side.
 */
export function alignLines(lines: ChartLine[], periodMs = PERIOD_SECONDS * 1000): (number | undefined)[][] {
  const all = lines.flatMap((l) => l.points.map((p) => p.at));
  if (!all.length) return lines.map(() => []);
  const first = Math.min(...all);
  const count = Math.floor((Math.max(...all) - first) / periodMs) + 1;
  return lines.map((line) => {
    const values = new Array<number | undefined>(count).fill(undefined);
    for (const p of line.points) values[Math.floor((p.at - first) / periodMs)] = p.value;
    return values;
  });
}
