// `ydeploy monitor` against a sandbox of its own (the legacy instance's real bot and health
// server, whose CPU, memory and health metrics the instance host publishes to moto): the time
// to the first frame's data, what one refresh costs (GetMetricData calls, time), the command's
// peak memory, and the time to draw one frame of charts at 120 columns.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { arrange, planQueries } from '../../cli/inspect/metrics.js';
import { renderFrame } from '../../cli/output/monitor.js';
import { paint } from '../../cli/output/paint.js';
import type { MetricPoint } from '../../cli/ports.js';
import { BIN, opsSandbox } from '../e2e/inspect/sandbox-inspect.js';
import type { BenchResult } from './run.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** Long enough for the host's first CPU sample (15 s) and the health server's first timer checks (30 s). */
const WARM_UP_MS = 40_000;

interface MetricsEvent {
  type: 'metrics';
  apiCalls: number;
  queries: number;
  tookMs: number;
  metrics: { chart: string; points: number }[];
}

/** Runs monitor with --json, timing its events as they arrive and sampling its memory. */
async function watch(sb: Awaited<ReturnType<typeof opsSandbox>>, seconds: number, interval: string) {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [BIN, 'monitor', '--env', 'sandbox', '--json', '--duration', `${seconds}s`, '--interval', interval],
    { cwd: sb.cwd, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      const kb = Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      peakRss = Math.max(peakRss, kb * 1024);
    } catch {
      /* exited */
    }
  }, 100);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const events: { at: number; event: MetricsEvent }[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as { type: string };
    if (event.type === 'metrics') events.push({ at: performance.now() - started, event: event as MetricsEvent });
  }
  const code = await new Promise<number>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c ?? 1)),
  );
  clearInterval(sampler);
  return { events, code, stderr, peakRss };
}

/** A frame of the sandbox's own shape (one instance, six charts of an hour) drawn at 120 columns. */
function frameRenderMs(): number {
  const plan = planQueries({
    instances: [{ id: 'i-0aaaaaaaaaaaaaaa1', kind: 'legacy' }],
    namespace: 'ydeploy/ydeploy/sandbox',
    nat: { type: 'gateway', id: 'nat-1' },
  });
  const at = Date.now();
  const hour = (n: number): MetricPoint[] =>
    Array.from({ length: 60 }, (_, i) => ({ at: at - (60 - i) * 60_000, value: 50 + n + 30 * Math.sin(i / 7) }));
  const reading = arrange(plan, new Map(plan.queries.map((q, n) => [q.id, hour(n)])), at, { calls: 1, queries: 8 });
  const times: number[] = [];
  for (let n = 0; n < 50; n++) {
    const t = performance.now();
    renderFrame(reading, [], paint(true), { width: 120, rows: 60, color: true, title: 'bench' });
    times.push(performance.now() - t);
  }
  return median(times);
}

export default async function (): Promise<BenchResult[]> {
  const sb = await opsSandbox();
  try {
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    const run = await watch(sb, 45, '10s');
    // Exit 4 (an alert) is a finding, not a failure of the bench; anything else is.
    if (![0, 4].includes(run.code) || !run.events.length)
      throw new Error(`monitor failed (exit ${run.code}, ${run.events.length} refreshes): ${run.stderr}`);
    const calls = run.events.map((e) => e.event.apiCalls);
    const took = run.events.map((e) => e.event.tookMs);
    const points = (chart: string) =>
      run.events
        .at(-1)!
        .event.metrics.filter((m) => m.chart === chart)
        .reduce((sum, m) => sum + m.points, 0);
    const seen = ['cpu', 'memory', 'healthTime', 'unhealthy'].map((c) => `${c} ${points(c)}`).join(', ');
    const renderMs = frameRenderMs();
    return [
      {
        name: 'monitor: first frame (start to the first refresh read)',
        value: Math.round(run.events[0].at),
        unit: 'ms',
        target: '≤ 3000 ms',
        pass: run.events[0].at <= 3000,
        detail: `includes node start, the sandbox context and the first health probe; datapoints by the end: ${seen}`,
      },
      {
        name: 'monitor: GetMetricData calls per refresh',
        value: Math.max(...calls),
        unit: 'calls',
        target: '1',
        pass: calls.every((c) => c === 1),
        detail: `${run.events.length} refreshes, ${run.events[0].event.queries} metrics each; calls: ${calls.join(', ')}`,
      },
      {
        name: 'monitor: metrics read per refresh (median)',
        value: median(took),
        unit: 'ms',
        target: '≤ 1000 ms',
        pass: median(took) <= 1000,
        detail: `reads: ${took.join(', ')} ms (the first includes the NAT lookup and loading the SDK)`,
      },
      {
        name: 'monitor: peak memory (RSS)',
        value: Math.round(run.peakRss / 2 ** 20),
        unit: 'MiB',
        target: '≤ 200 MiB',
        pass: run.peakRss <= 200 * 2 ** 20,
      },
      {
        name: 'monitor: draw one frame of six charts at 120 columns (median of 50)',
        value: renderMs,
        unit: 'ms',
        target: '≤ 20 ms',
        pass: renderMs <= 20,
      },
    ];
  } finally {
    await sb.down();
  }
}
