// Metrics end to end against a real moto: the instance host's publisher turns a health server's
// EMF line and real samples of a busy process into PutMetricData, and the monitor's adapter reads
// them back in one GetMetricData call, arranged into the charts monitor draws.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchMetrics } from '../../../cli/adapters/aws/metrics.js';
import type { AwsSettings } from '../../../cli/adapters/aws/config.js';
import { arrange, planQueries } from '../../../cli/inspect/metrics.js';
import { MetricPublisher, ProcessSampler } from '../../../cli/sandbox/emulators/host/metrics.js';
import { healthMetricFields } from '../../../bot/contracts/metrics.js';
import { startMoto, type Moto } from '../../_helpers/moto.js';

const NAMESPACE = 'ydeploy/ydeploy/sandbox';
const INSTANCE = 'i-0123456789abcdef0';
let moto: Moto;
let settings: AwsSettings;
let busy: ChildProcess;

beforeAll(async () => {
  moto = await startMoto();
  settings = { region: 'us-east-1', env: { ...process.env, ...moto.env } };
  // A process that really burns CPU: the sampler must see it.
  busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 60_000; while (Date.now() < end) {}'], {
    stdio: 'ignore',
  });
});

afterAll(async () => {
  busy?.kill('SIGKILL');
  await moto?.stop();
});

describe('metrics through moto', () => {
  it('publishes EMF lines and process samples, and reads them back in one GetMetricData call', async () => {
    const client = new CloudWatchClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const sampler = new ProcessSampler();
    const publisher = new MetricPublisher(client, sampler, () => [{ id: INSTANCE, pids: [busy.pid!] }]);
    const now = Date.now();
    const minute = Math.floor(now / 60_000) * 60_000;
    // Two health evaluations, one unhealthy, as the health server writes them.
    for (const [responseMs, unhealthy] of [
      [0.25, false],
      [0.75, true],
    ] as const) {
      publisher.line(
        JSON.stringify({
          level: 30,
          msg: 'health is healthy',
          ...healthMetricFields(NAMESPACE, INSTANCE, { responseMs, unhealthy }, minute + 1000),
        }),
      );
    }
    publisher.line('{"msg":"not a metric"}');
    publisher.push(sampler.sample([{ id: INSTANCE, pids: [busy.pid!] }], Date.now()));
    await new Promise((r) => setTimeout(r, 1500));
    publisher.push(sampler.sample([{ id: INSTANCE, pids: [busy.pid!] }], Date.now()));
    await publisher.flush();
    expect(publisher.lastError).toBeUndefined();

    const metrics = new CloudWatchMetrics(settings);
    const plan = planQueries({ instances: [{ id: INSTANCE, kind: 'enhanced' }], namespace: NAMESPACE });
    const { series, cost } = await metrics.read(plan.queries, new Date(minute - 10 * 60_000), new Date(now + 60_000));
    expect(cost).toEqual({ calls: 1, queries: 4 });
    const reading = arrange(plan, series, now, cost);
    const chart = (key: string) => reading.charts.find((c) => c.key === key)!.lines[0].points;
    expect(chart('healthTime').map((p) => p.value)).toEqual([0.5]);
    expect(chart('unhealthy').map((p) => p.value)).toEqual([1]);
    // One busy process on this machine's CPUs: a real share, more than nothing, at most all of them.
    const cpu = chart('cpu');
    expect(cpu).toHaveLength(1);
    expect(cpu[0].value).toBeGreaterThan(100 / 64 / 2);
    expect(cpu[0].value).toBeLessThanOrEqual(100);
    const memory = chart('memory');
    expect(memory[0].value).toBeGreaterThan(0);
    expect(memory[0].value).toBeLessThan(50);
  });

  it('finds no NAT where there is none', async () => {
    expect(await new CloudWatchMetrics(settings).nat('ydeploy-nowhere-nat')).toBeUndefined();
  });
});
