// monitor's metrics: the queries of one refresh, the guide's thresholds evaluated on datapoints
// (sustained for a window, counted in a window, NAT error rate by AWS's formula), and alerts
// that fire once per crossing.
import { describe, expect, it } from 'vitest';
import {
  alignLines,
  arrange,
  evaluate,
  planQueries,
  pointSpan,
  sustainedAbove,
  type MetricsReading,
} from '../../../cli/inspect/metrics.js';
import { MonitorState, runMonitor } from '../../../cli/inspect/monitor.js';
import type { MetricPoint } from '../../../cli/ports.js';
import { FakeMetrics, testEnv } from '../../_helpers/fakes.js';
import { FakeAlarms, FakeClock, FakeInstances, FakeRemote, healthAnswer, healthyBody, instance } from './fakes.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-26T10:00:00Z');
/** One point a minute from T0, oldest first. */
const minutes = (values: number[], step = MIN): MetricPoint[] =>
  values.map((value, i) => ({ at: T0 + i * step, value }));
const endOf = (points: MetricPoint[], step = MIN) => points[points.length - 1].at + step;

const targets = {
  instances: [
    { id: 'i-a', kind: 'enhanced' as const },
    { id: 'i-b', kind: 'legacy' as const },
  ],
  namespace: 'ydeploy/bot/prod',
};

function reading(lines: Partial<Record<'cpu' | 'memory' | 'unhealthy', MetricPoint[]>>): MetricsReading {
  const plan = planQueries({ instances: [{ id: 'i-a', kind: 'enhanced' }], namespace: 'ns' });
  const series = new Map<string, MetricPoint[]>();
  for (const [id, use] of plan.uses) series.set(id, lines[use.chart as 'cpu'] ?? []);
  return arrange(plan, series, T0, { calls: 1, queries: plan.queries.length });
}

describe('planQueries', () => {
  it('asks for CPU, memory and the health metrics of every instance, at one-minute periods', () => {
    const plan = planQueries(targets);
    expect(plan.queries).toHaveLength(8);
    expect(new Set(plan.queries.map((q) => q.id)).size).toBe(8);
    expect(plan.queries.filter((q) => q.dimensions.InstanceId === 'i-a')).toEqual([
      expect.objectContaining({ namespace: 'AWS/EC2', metric: 'CPUUtilization', stat: 'Average', periodSeconds: 60 }),
      expect.objectContaining({ namespace: 'CWAgent', metric: 'mem_used_percent', stat: 'Average' }),
      expect.objectContaining({ namespace: 'ydeploy/bot/prod', metric: 'HealthResponseTime', stat: 'Average' }),
      expect.objectContaining({ namespace: 'ydeploy/bot/prod', metric: 'Unhealthy', stat: 'Sum' }),
    ]);
    for (const q of plan.queries) expect(q.id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
  });

  it("reads a NAT gateway's bytes and the three metrics of its error rate; a NAT instance's status and credits", () => {
    const gateway = planQueries({ ...targets, nat: { type: 'gateway', id: 'nat-1' } }).queries.slice(8);
    expect(gateway.map((q) => q.metric)).toEqual([
      'BytesOutToDestination',
      'PacketsDropCount',
      'PacketsInFromSource',
      'PacketsInFromDestination',
    ]);
    expect(gateway.every((q) => q.namespace === 'AWS/NATGateway' && q.dimensions.NatGatewayId === 'nat-1')).toBe(true);
    const natInstance = planQueries({ ...targets, nat: { type: 'instance', id: 'i-nat' } }).queries.slice(8);
    expect(natInstance.map((q) => `${q.metric}/${q.stat}`)).toEqual([
      'NetworkOut/Sum',
      'StatusCheckFailed/Maximum',
      'CPUCreditBalance/Minimum',
    ]);
  });
});

describe('sustainedAbove: "above X for N minutes"', () => {
  it('needs every point of the window above, covering the whole window', () => {
    const now = endOf(minutes(new Array(10).fill(0)));
    expect(sustainedAbove(minutes(new Array(10).fill(85)), 80, 10 * MIN, now)).toBe(true);
    expect(sustainedAbove(minutes(new Array(9).fill(85)), 80, 10 * MIN, now)).toBe(false);
    expect(sustainedAbove(minutes([85, 85, 85, 85, 79, 85, 85, 85, 85, 85]), 80, 10 * MIN, now)).toBe(false);
    expect(sustainedAbove(minutes([10, 10, ...new Array(10).fill(81)]), 80, 10 * MIN, now + 2 * MIN)).toBe(true);
    expect(sustainedAbove(minutes(new Array(10).fill(80)), 80, 10 * MIN, now)).toBe(false);
  });

  it("reads EC2's basic monitoring (a point every 5 minutes) as 5 minutes each", () => {
    const five = minutes([90, 90], 5 * MIN);
    expect(pointSpan(five)).toBe(5 * MIN);
    expect(sustainedAbove(five, 80, 10 * MIN, endOf(five, 5 * MIN))).toBe(true);
    expect(sustainedAbove(minutes([90], 5 * MIN), 80, 10 * MIN, T0 + 5 * MIN)).toBe(false);
  });

  it('says nothing of data that stopped long ago', () => {
    const points = minutes(new Array(10).fill(95));
    expect(sustainedAbove(points, 80, 10 * MIN, endOf(points) + 30 * MIN)).toBe(false);
  });
});

describe('evaluate: the guide thresholds on datapoints', () => {
  it('CPU > 80% for 10 minutes, memory > 90% for 5 minutes', () => {
    const now = T0 + 10 * MIN;
    expect(evaluate(reading({ cpu: minutes(new Array(10).fill(92)) }), now)).toEqual([
      expect.objectContaining({ kind: 'cpu', subject: 'i-a', message: expect.stringContaining('now 92.0%') }),
    ]);
    expect(evaluate(reading({ cpu: minutes(new Array(6).fill(92)) }), now)).toEqual([]);
    expect(evaluate(reading({ memory: minutes([50, 50, 50, 50, 50, 95, 95, 95, 95, 95]) }), now)).toEqual([
      expect.objectContaining({ kind: 'memory', subject: 'i-a' }),
    ]);
    expect(evaluate(reading({ memory: minutes([50, 50, 50, 50, 50, 50, 95, 95, 95, 95]) }), now)).toEqual([]);
  });

  it('health failures > 3 in 5 minutes, from the health server own Unhealthy counts', () => {
    const now = T0 + 10 * MIN;
    expect(evaluate(reading({ unhealthy: minutes([0, 0, 0, 0, 0, 1, 1, 0, 1, 1]) }), now)).toEqual([
      expect.objectContaining({ kind: 'health', message: expect.stringContaining('4 failed checks') }),
    ]);
    expect(evaluate(reading({ unhealthy: minutes([2, 2, 2, 0, 0, 0, 1, 0, 1, 1]) }), now)).toEqual([]);
  });

  it("NAT gateway error rate > 1%: dropped over packets in, summed over 5 minutes as the module's alarm", () => {
    const plan = planQueries({ instances: [], namespace: 'ns', nat: { type: 'gateway', id: 'nat-1' } });
    const byMetric = (drops: number[], fromSource: number[], fromDestination: number[]) => {
      const values: Record<string, number[]> = {
        BytesOutToDestination: [1000, 1000, 1000, 1000, 1000],
        PacketsDropCount: drops,
        PacketsInFromSource: fromSource,
        PacketsInFromDestination: fromDestination,
      };
      return new Map(plan.queries.map((q) => [q.id, minutes(values[q.metric])]));
    };
    const now = T0 + 5 * MIN;
    const bad = arrange(plan, byMetric([0, 0, 0, 0, 12], [200, 200, 200, 200, 200], [0, 0, 0, 0, 0]), now, {
      calls: 1,
      queries: 4,
    });
    // 12 of 1000 packets: 1.2% over the window, though one minute alone reads 6%.
    expect(evaluate(bad, now)).toEqual([
      expect.objectContaining({ kind: 'nat', subject: 'nat-1', message: expect.stringContaining('1.20%') }),
    ]);
    expect(bad.charts.find((c) => c.key === 'natErrors')!.lines[0].points.at(-1)!.value).toBe(6);
    const fine = arrange(plan, byMetric([0, 0, 0, 0, 8], [100, 100, 100, 100, 100], [100, 100, 100, 100, 100]), now, {
      calls: 1,
      queries: 4,
    });
    expect(evaluate(fine, now)).toEqual([]);
  });
});

describe('MonitorState.observeMetrics', () => {
  it('alerts when a threshold is first crossed, not while it stays crossed, and again after it cleared', () => {
    const m = new MonitorState();
    const hot = reading({ cpu: minutes(new Array(10).fill(95)) });
    const cool = reading({ cpu: minutes(new Array(10).fill(20)) });
    const now = T0 + 10 * MIN;
    expect(m.observeMetrics(hot, now)).toEqual([
      expect.objectContaining({ kind: 'cpu', message: expect.stringContaining('(CPU > 80% for 10 minutes)') }),
    ]);
    expect(m.observeMetrics(hot, now)).toEqual([]);
    expect(m.observeMetrics(cool, now)).toEqual([]);
    expect(m.observeMetrics(hot, now)).toHaveLength(1);
    expect(m.summary(T0, now, false).metrics).toMatchObject({ reads: 4, calls: 4 });
  });
});

describe('alignLines', () => {
  it('puts every line on one axis of periods, with gaps where a line has no point', () => {
    const a = {
      subject: 'a',
      label: 'a',
      points: [
        { at: T0, value: 1 },
        { at: T0 + 2 * MIN, value: 3 },
      ],
    };
    const b = { subject: 'b', label: 'b', points: [{ at: T0 + MIN, value: 5 }] };
    expect(alignLines([a, b])).toEqual([
      [1, undefined, 3],
      [undefined, 5, undefined],
    ]);
  });
});

describe('runMonitor with metrics', () => {
  it('reads every metric of a refresh in one call, finds the NAT once, and alerts on CPU from the datapoints', async () => {
    const clock = new FakeClock(T0);
    const metrics = new FakeMetrics();
    metrics.natFound = { type: 'gateway', id: 'nat-1' };
    // CPU at 95% from 20 minutes before the watch: the threshold is crossed at the first refresh.
    for (let t = T0 - 20 * MIN; t < T0 + 10 * MIN; t += MIN)
      metrics.put('AWS/EC2', 'CPUUtilization', { InstanceId: 'i-a' }, t, 95);
    const env = { ...testEnv('test'), project: 'bot' };
    const rounds: number[] = [];
    const alerts: string[] = [];
    const summary = await runMonitor(
      {
        env,
        instances: new FakeInstances([instance('i-a', 'enhanced', { environment: 'test' })]),
        remote: new FakeRemote((id) => healthAnswer(id, 200, healthyBody())),
        alarms: new FakeAlarms(),
        metrics,
        clock,
      },
      { durationMs: 3 * MIN, intervalMs: MIN },
      { onRound: ({ metrics: m }) => rounds.push(m!.cost.calls), onAlert: (a) => alerts.push(a.kind) },
    );
    expect(rounds).toEqual([1, 1, 1]);
    expect(metrics.reads).toHaveLength(3);
    expect(metrics.reads[0].queries).toHaveLength(8);
    expect(metrics.reads[0].queries.find((q) => q.metric === 'Unhealthy')!.namespace).toBe('ydeploy/bot/test');
    expect(metrics.reads[0].end.getTime() - metrics.reads[0].start.getTime()).toBe(60 * MIN);
    expect(metrics.natLookups).toEqual(['bot-test-nat']);
    expect(alerts).toEqual(['cpu']);
    expect(summary.metrics?.lines.find((l) => l.chart === 'cpu')).toMatchObject({ subject: 'i-a', peak: 95 });
  });

  it('a refresh whose metrics cannot be read is an unread round, and the watch goes on', async () => {
    const metrics = new FakeMetrics();
    metrics.read = () => Promise.reject(new Error('cannot read CloudWatch metrics: AccessDenied'));
    const errors: string[] = [];
    const summary = await runMonitor(
      {
        env: testEnv('test'),
        instances: new FakeInstances([instance('i-a', 'enhanced', { environment: 'test' })]),
        remote: new FakeRemote((id) => healthAnswer(id, 200, healthyBody())),
        alarms: new FakeAlarms(),
        metrics,
        clock: new FakeClock(T0),
      },
      { durationMs: 2 * MIN, intervalMs: MIN },
      { onError: (what) => errors.push(what) },
    );
    expect(errors).toEqual(['cannot read metrics', 'cannot read metrics']);
    expect(summary).toMatchObject({ rounds: 2, unreadRounds: 2, alerts: [] });
  });
});
