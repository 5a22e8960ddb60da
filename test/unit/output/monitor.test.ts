// monitor's frame: charts that fit the terminal at any width and height, one plain line per
// metric line for pipes, the NDJSON event, and a live frame redrawn in place.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { arrange, planQueries, type MetricsReading } from '../../../cli/inspect/metrics.js';
import type { HealthProbe } from '../../../cli/inspect/health.js';
import { LiveFrame, metricsEvent, plotRows, renderFrame, renderMetricLines } from '../../../cli/output/monitor.js';
import { paint } from '../../../cli/output/paint.js';
import type { MetricPoint } from '../../../cli/ports.js';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const MIN = 60_000;

/** Two instances, an hour of CPU and memory, health metrics for one, a NAT gateway. */
function reading(): MetricsReading {
  const plan = planQueries({
    instances: [
      { id: 'i-0aaaaaaaaaaaaaaa1', kind: 'enhanced' },
      { id: 'i-0bbbbbbbbbbbbbbb2', kind: 'legacy' },
    ],
    namespace: 'ydeploy/bot/prod',
    nat: { type: 'gateway', id: 'nat-0123' },
  });
  const wave = (base: number, swing: number): MetricPoint[] =>
    Array.from({ length: 60 }, (_, i) => ({ at: T0 + i * MIN, value: base + swing * Math.sin(i / 5) }));
  const series = new Map<string, MetricPoint[]>();
  plan.queries.forEach((q, n) => {
    const values: Record<string, MetricPoint[]> = {
      CPUUtilization: wave(40 + n, 30),
      mem_used_percent: wave(60, 10),
      HealthResponseTime: n < 4 ? wave(0.4, 0.2) : [],
      Unhealthy: wave(0, 0),
      BytesOutToDestination: wave(50_000, 20_000),
      PacketsDropCount: wave(1, 0),
      PacketsInFromSource: wave(1000, 0),
      PacketsInFromDestination: wave(1000, 0),
    };
    series.set(q.id, values[q.metric]);
  });
  return arrange(plan, series, T0 + 60 * MIN, { calls: 1, queries: plan.queries.length });
}

const probes: HealthProbe[] = [
  { instanceId: 'i-0aaaaaaaaaaaaaaa1', kind: 'enhanced', state: 'healthy', latencyMs: 300, at: T0 },
];

describe('renderFrame', () => {
  it.each([40, 80, 132, 200])('fits %i columns, colours or not', (width) => {
    for (const color of [false, true]) {
      const lines = renderFrame(reading(), probes, paint(color), { width, rows: 60, color, title: 'monitor prod' });
      for (const line of lines) expect(stripVTControlCharacters(line).length).toBeLessThanOrEqual(width);
    }
  });

  it('fits the rows of the terminal, the charts taller where there is room', () => {
    for (const rows of [50, 70, 120]) {
      const lines = renderFrame(reading(), probes, paint(false), { width: 100, rows, color: false, title: 't' });
      expect(lines.length).toBeLessThan(rows);
    }
    const short = renderFrame(reading(), probes, paint(false), { width: 100, rows: 50, color: false, title: 't' });
    const tall = renderFrame(reading(), probes, paint(false), { width: 100, rows: 120, color: false, title: 't' });
    expect(tall.length).toBeGreaterThan(short.length);
    expect(plotRows(6, 30)).toBe(2);
    expect(plotRows(6, 1000)).toBe(8);
    expect(plotRows(6)).toBe(6);
  });

  it('draws each chart with its title, threshold and legend, and the cost of the read', () => {
    const text = renderFrame(reading(), probes, paint(false), { width: 120, rows: 80, color: false, title: 't' }).join(
      '\n',
    );
    expect(text).toContain('CPU (CPUUtilization) — alert above 80.0%');
    expect(text).toContain('memory (mem_used_percent) — alert above 90.0%');
    expect(text).toContain('health response time (HealthResponseTime)');
    expect(text).toContain('NAT gateway error rate');
    expect(text).toContain('── enhanced i-0aaaaaaaaaaaaaaa1   ── legacy i-0bbbbbbbbbbbbbbb2   ── threshold 80.0%');
    expect(text).toContain('12 metrics in 1 GetMetricData call(s)');
    expect(text).toMatch(/enhanced i-0aaaaaaaaaaaaaaa1 healthy/);
  });

  it('says why there is no chart rather than drawing nothing', () => {
    const none = renderFrame(undefined, [], paint(false), { width: 80, color: false, title: 't' });
    expect(none.at(-1)).toContain('metrics: not read this refresh');
  });
});

describe('renderMetricLines and metricsEvent', () => {
  it('one line per metric line with its latest value, red above the threshold', () => {
    const lines = renderMetricLines(reading(), paint(false));
    expect(lines).toHaveLength(10);
    expect(lines).toContain('11:00:00  healthTime legacy i-0bbbbbbbbbbbbbbb2 no data');
    expect(lines[0]).toMatch(/^11:00:00 {2}cpu enhanced i-0aaaaaaaaaaaaaaa1 \d+\.\d% \(alert above 80\.0%\)$/);
    expect(lines.some((l) => l.startsWith('11:00:00  natErrors NAT gateway nat-0123 0.05%'))).toBe(true);
  });

  it('the NDJSON event carries every line latest datapoint and the read cost', () => {
    const event = metricsEvent(reading());
    expect(event).toMatchObject({ type: 'metrics', apiCalls: 1, queries: 12 });
    const cpu = (event.metrics as { chart: string; subject: string; value?: number; threshold?: number }[]).find(
      (m) => m.chart === 'cpu' && m.subject === 'i-0aaaaaaaaaaaaaaa1',
    );
    expect(cpu).toMatchObject({ threshold: 80, unit: '%', at: new Date(T0 + 59 * MIN).toISOString() });
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });
});

describe('LiveFrame', () => {
  it('redraws over the previous frame (cursor up, clear below), and erases it before an alert', () => {
    const written: string[] = [];
    const frame = new LiveFrame({ write: (t: string) => written.push(t), rows: 40 });
    frame.draw(['a', 'b', 'c']);
    frame.draw(['d', 'e']);
    frame.clear();
    frame.clear();
    frame.draw(['f']);
    expect(written).toEqual(['a\nb\nc\n', '\x1b[3F\x1b[Jd\ne\n', '\x1b[2F\x1b[J', 'f\n']);
  });

  it('clears the screen from the top when a frame is taller than the terminal', () => {
    const written: string[] = [];
    const frame = new LiveFrame({ write: (t: string) => written.push(t), rows: 3 });
    frame.draw(['a', 'b', 'c', 'd']);
    expect(written[0].startsWith('\x1b[H\x1b[2J')).toBe(true);
  });
});
