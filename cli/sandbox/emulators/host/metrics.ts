// What CloudWatch and its agent make of an instance's metrics, done for the sandbox's instances:
// embedded-metric-format lines in the shipped logs become metrics (CloudWatch Logs extracts them
// on AWS), and the instance's processes are sampled every SAMPLE_MS for CPUUtilization (AWS/EC2,
// as EC2 reports it) and mem_used_percent (CWAgent, as the module's agent config publishes it),
// both with the InstanceId dimension. Everything reaches moto through PutMetricData.
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

/** How often the instances' processes are sampled (the agent's interval is 60 s; shorter shows curves sooner). */
export const SAMPLE_MS = 15_000;
/** How often queued datapoints are sent. */
export const METRICS_FLUSH_MS = 5_000;
/** PutMetricData takes at most 1,000 datapoints per call. */
const DATUMS_PER_CALL = 1000;
/** Kept per namespace while moto cannot be reached. */
const QUEUE_LIMIT = 20_000;

export interface Datum {
  namespace: string;
  datum: MetricDatum;
}

/** EMF's directive: which top-level fields of the line are metrics, in which namespace, by which dimensions. */
interface EmfDirective {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

/**
 * The metrics one log line embeds (CloudWatch embedded metric format), none when it is not an
 * EMF line: a JSON object whose `_aws.CloudWatchMetrics` names the fields to take, each datapoint
 * stamped with `_aws.Timestamp` and dimensioned by every dimension set listed.
 */
export function emfMetrics(line: string): Datum[] {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return [];
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return [];
  }
  const aws = record._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || typeof aws.Timestamp !== 'number' || !Array.isArray(aws.CloudWatchMetrics)) return [];
  const out: Datum[] = [];
  for (const directive of aws.CloudWatchMetrics as EmfDirective[]) {
    if (typeof directive.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    const sets = Array.isArray(directive.Dimensions) ? (directive.Dimensions as unknown[]) : [[]];
    for (const metric of directive.Metrics as { Name?: unknown; Unit?: unknown }[]) {
      const value = record[String(metric.Name)];
      if (typeof metric.Name !== 'string' || typeof value !== 'number' || !Number.isFinite(value)) continue;
      for (const set of sets) {
        if (!Array.isArray(set)) continue;
        const dimensions = set
          .filter((name): name is string => typeof name === 'string' && typeof record[name] === 'string')
          .map((Name) => ({ Name, Value: record[Name] as string }));
        if (dimensions.length !== set.length) continue;
        out.push({
          namespace: directive.Namespace,
          datum: {
            MetricName: metric.Name,
            Dimensions: dimensions,
            Value: value,
            Timestamp: new Date(aws.Timestamp),
            ...(typeof metric.Unit === 'string' ? { Unit: metric.Unit as MetricDatum['Unit'] } : {}),
          },
        });
      }
    }
  }
  return out;
}

/** One process's CPU time so far (seconds) and resident memory (bytes), from /proc; undefined once it is gone. */
export function processUsage(pid: number): { cpuSeconds: number; rssBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    return { cpuSeconds: ticks / clockTicks(), rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;
/** The kernel's USER_HZ, the unit of /proc's CPU times (100 on every common Linux). */
function clockTicks(): number {
  if (ticksPerSecond) return ticksPerSecond;
  try {
    ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/** An instance as the sampler sees it: its id and the pids of its running units. */
export interface SampledInstance {
  id: string;
  pids: number[];
}

/**
 * CPUUtilization and mem_used_percent of each instance from its processes: the CPU time they used
 * since the last sample over the wall time, as a share of this machine's CPUs (an instance's
 * processes could use all of them), and their resident memory as a share of this machine's.
 */
export class ProcessSampler {
  private readonly last = new Map<number, { cpuSeconds: number; at: number }>();

  constructor(
    private readonly cpus = availableParallelism(),
    private readonly memory = totalmem(),
    private readonly usage: typeof processUsage = processUsage,
  ) {}

  sample(instances: SampledInstance[], now: number): Datum[] {
    const out: Datum[] = [];
    const seen = new Set<number>();
    for (const instance of instances) {
      let cpuSeconds = 0;
      let wallSeconds = 0;
      let rss = 0;
      let measured = false;
      for (const pid of instance.pids) {
        const usage = this.usage(pid);
        if (!usage) continue;
        seen.add(pid);
        rss += usage.rssBytes;
        const before = this.last.get(pid);
        this.last.set(pid, { cpuSeconds: usage.cpuSeconds, at: now });
        if (!before || now <= before.at) continue;
        cpuSeconds += usage.cpuSeconds - before.cpuSeconds;
        wallSeconds = Math.max(wallSeconds, (now - before.at) / 1000);
        measured = true;
      }
      const Dimensions = [{ Name: 'InstanceId', Value: instance.id }];
      const Timestamp = new Date(now);
      if (rss > 0)
        out.push({
          namespace: 'CWAgent',
          datum: {
            MetricName: 'mem_used_percent',
            Dimensions,
            Timestamp,
            Unit: 'Percent',
            Value: (100 * rss) / this.memory,
          },
        });
      if (measured && wallSeconds > 0)
        out.push({
          namespace: 'AWS/EC2',
          datum: {
            MetricName: 'CPUUtilization',
            Dimensions,
            Timestamp,
            Unit: 'Percent',
            Value: Math.min(100, (100 * cpuSeconds) / wallSeconds / this.cpus),
          },
        });
    }
    // Processes that exited are forgotten: a restarted unit's new pid starts a fresh baseline.
    for (const pid of this.last.keys()) if (!seen.has(pid)) this.last.delete(pid);
    return out;
  }
}

/** Datapoints queued per namespace and sent in PutMetricData calls of at most 1,000 each. */
export class MetricPublisher {
  private readonly queues = new Map<string, MetricDatum[]>();
  private flushing?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  lastError?: string;
  /** PutMetricData calls made (the instance host's own cost, for its tests and benches). */
  calls = 0;

  constructor(
    private readonly client: Pick<CloudWatchClient, 'send'>,
    private readonly sampler: ProcessSampler,
    private readonly instances: () => SampledInstance[],
  ) {}

  start(): void {
    if (this.timers.length) return;
    this.timers = [
      setInterval(() => this.push(this.sampler.sample(this.instances(), Date.now())), SAMPLE_MS),
      setInterval(() => void this.flush(), METRICS_FLUSH_MS),
    ];
    // The first sample is the CPU baseline: the first CPUUtilization comes one SAMPLE_MS later.
    this.push(this.sampler.sample(this.instances(), Date.now()));
  }

  /** A unit's output line: the metrics it embeds (EMF), if any, are queued. */
  line(text: string): void {
    this.push(emfMetrics(text));
  }

  push(data: Datum[]): void {
    for (const { namespace, datum } of data) {
      const queue = this.queues.get(namespace) ?? [];
      queue.push(datum);
      if (queue.length > QUEUE_LIMIT) queue.splice(0, queue.length - QUEUE_LIMIT);
      this.queues.set(namespace, queue);
    }
  }

  flush(): Promise<void> {
    this.flushing ??= this.flushAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.flush();
  }

  private async flushAll(): Promise<void> {
    for (const [Namespace, queue] of this.queues) {
      while (queue.length) {
        const batch = queue.splice(0, DATUMS_PER_CALL);
        try {
          this.calls++;
          await this.client.send(new PutMetricDataCommand({ Namespace, MetricData: batch }));
          this.lastError = undefined;
        } catch (error) {
          queue.unshift(...batch);
          this.lastError = `${Namespace}: ${(error as Error).name}: ${(error as Error).message}`;
          return;
        }
      }
    }
  }
}
