// The instance host's stand-in for CloudWatch's EMF extraction and for the agent's CPU and memory
// samples: what becomes a datapoint, and what PutMetricData is sent.
import { describe, expect, it } from 'vitest';
import {
  emfMetrics,
  MetricPublisher,
  ProcessSampler,
  processUsage,
} from '../../../cli/sandbox/emulators/host/metrics.js';
import { healthMetricFields } from '../../../bot/contracts/metrics.js';

const AT = Date.parse('2026-11-26T10:00:00Z');

describe('emfMetrics', () => {
  it("takes the health server's EMF line apart: each metric with its unit, dimension and timestamp", () => {
    const line = JSON.stringify({
      level: 30,
      msg: 'health is unhealthy',
      ...healthMetricFields('ydeploy/bot/prod', 'i-a', { responseMs: 1.5, unhealthy: true }, AT),
    });
    expect(emfMetrics(line)).toEqual([
      {
        namespace: 'ydeploy/bot/prod',
        datum: {
          MetricName: 'HealthResponseTime',
          Dimensions: [{ Name: 'InstanceId', Value: 'i-a' }],
          Value: 1.5,
          Unit: 'Milliseconds',
          Timestamp: new Date(AT),
        },
      },
      {
        namespace: 'ydeploy/bot/prod',
        datum: {
          MetricName: 'Unhealthy',
          Dimensions: [{ Name: 'InstanceId', Value: 'i-a' }],
          Value: 1,
          Unit: 'Count',
          Timestamp: new Date(AT),
        },
      },
    ]);
  });

  it('ignores lines that are not EMF, and metrics whose value or dimension is missing', () => {
    expect(emfMetrics('plain text')).toEqual([]);
    expect(emfMetrics('{"msg":"health is healthy"}')).toEqual([]);
    expect(emfMetrics('{"_aws": broken')).toEqual([]);
    const directive = { Namespace: 'n', Dimensions: [['InstanceId']], Metrics: [{ Name: 'A' }, { Name: 'B' }] };
    const line = (fields: object) =>
      JSON.stringify({ _aws: { Timestamp: AT, CloudWatchMetrics: [directive] }, ...fields });
    expect(emfMetrics(line({ A: 1, B: 'x' })).map((d) => d.datum.MetricName)).toEqual([]);
    expect(emfMetrics(line({ InstanceId: 'i-a', A: 1, B: 'x' })).map((d) => d.datum.MetricName)).toEqual(['A']);
  });
});

describe('ProcessSampler', () => {
  it("reports CPU as the share of this machine's CPUs used since the last sample, memory as a share of its memory", () => {
    const usage = new Map([
      [10, { cpuSeconds: 1, rssBytes: 100 * 2 ** 20 }],
      [11, { cpuSeconds: 2, rssBytes: 50 * 2 ** 20 }],
    ]);
    const sampler = new ProcessSampler(2, 1024 * 2 ** 20, (pid) => usage.get(pid));
    const first = sampler.sample([{ id: 'i-a', pids: [10, 11] }], AT);
    // The first sample is the baseline: memory only.
    expect(first.map((d) => [d.namespace, d.datum.MetricName, d.datum.Value])).toEqual([
      ['CWAgent', 'mem_used_percent', (100 * 150) / 1024],
    ]);
    usage.set(10, { cpuSeconds: 4, rssBytes: 100 * 2 ** 20 });
    usage.set(11, { cpuSeconds: 3, rssBytes: 50 * 2 ** 20 });
    const second = sampler.sample([{ id: 'i-a', pids: [10, 11] }], AT + 10_000);
    // 4 CPU-seconds in 10 s on 2 CPUs: 20%.
    expect(second.find((d) => d.datum.MetricName === 'CPUUtilization')).toEqual({
      namespace: 'AWS/EC2',
      datum: expect.objectContaining({
        Value: 20,
        Unit: 'Percent',
        Dimensions: [{ Name: 'InstanceId', Value: 'i-a' }],
      }),
    });
  });

  it('starts a fresh baseline for a restarted process and reports nothing for an instance with none running', () => {
    const usage = new Map([[10, { cpuSeconds: 5, rssBytes: 1 }]]);
    const sampler = new ProcessSampler(1, 100, (pid) => usage.get(pid));
    sampler.sample([{ id: 'i-a', pids: [10] }], AT);
    usage.delete(10);
    expect(sampler.sample([{ id: 'i-a', pids: [10] }], AT + 1000)).toEqual([]);
    usage.set(12, { cpuSeconds: 0.5, rssBytes: 1 });
    expect(sampler.sample([{ id: 'i-a', pids: [12] }], AT + 2000).map((d) => d.datum.MetricName)).toEqual([
      'mem_used_percent',
    ]);
  });

  it('reads a real process from /proc', () => {
    const own = processUsage(process.pid);
    expect(own!.cpuSeconds).toBeGreaterThan(0);
    expect(own!.rssBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(processUsage(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('MetricPublisher', () => {
  it('sends each namespace in PutMetricData calls of at most 1,000 datapoints, and keeps them on failure', async () => {
    const sent: { Namespace: string; count: number }[] = [];
    let fail = true;
    const client = {
      send: async (command: { input: { Namespace: string; MetricData: unknown[] } }) => {
        if (fail) throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
        sent.push({ Namespace: command.input.Namespace, count: command.input.MetricData.length });
      },
    };
    const publisher = new MetricPublisher(client as never, new ProcessSampler(1, 1, () => undefined), () => []);
    const datum = (namespace: string) => ({ namespace, datum: { MetricName: 'm', Value: 1, Timestamp: new Date(AT) } });
    publisher.push([...Array.from({ length: 1500 }, () => datum('a')), datum('b')]);
    await publisher.flush();
    expect(publisher.lastError).toContain('ECONNREFUSED');
    fail = false;
    await publisher.flush();
    expect(sent).toEqual([
      { Namespace: 'a', count: 1000 },
      { Namespace: 'a', count: 500 },
      { Namespace: 'b', count: 1 },
    ]);
    expect(publisher.lastError).toBeUndefined();
  });
});
