// The CloudWatch agent's stand-in inside a systemd-mode instance: it reads the agent config the
// user data installed and does what the real agent does with it, nothing more. Each file in
// logs.logs_collected.files.collect_list is followed (rotation included) and its lines are put
// into the log group and stream the entry names ({instance_id} and {hostname} expanded, the
// instance id read from IMDS). A file that is not there is waited for and reported, as the real
// agent does, so a wrong path ships nothing; the group is never created (terraform owns it): a
// wrong group name fails every put, and says so. Lines in embedded metric format become metrics,
// as CloudWatch Logs extracts them on AWS (moto does not). The instance's memory and CPU are
// measured from outside, by the instance host, over all of the instance's processes.
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { open, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { emfMetrics } from '../../host/metrics.js';

export interface CollectEntry {
  file_path: string;
  log_group_name: string;
  log_stream_name: string;
  timezone?: string;
}

export interface AgentConfig {
  agent?: { metrics_collection_interval?: number };
  logs?: { logs_collected?: { files?: { collect_list?: CollectEntry[] } } };
  metrics?: {
    namespace?: string;
    append_dimensions?: Record<string, string>;
    metrics_collected?: { mem?: { measurement?: string[]; metrics_collection_interval?: number } };
  };
}

/** The config's problems, each "{where}: {why}"; empty when the agent can run it. */
export function checkConfig(value: unknown): string[] {
  const problems: string[] = [];
  const config = value as AgentConfig;
  if (!config || typeof config !== 'object') return ['config: not a JSON object'];
  const list = config.logs?.logs_collected?.files?.collect_list;
  if (config.logs && !Array.isArray(list)) problems.push('logs.logs_collected.files.collect_list: not a list');
  for (const [i, entry] of (list ?? []).entries()) {
    const at = `logs.logs_collected.files.collect_list[${i}]`;
    if (typeof entry?.file_path !== 'string' || !entry.file_path.startsWith('/'))
      problems.push(`${at}.file_path: must be an absolute path`);
    if (typeof entry?.log_group_name !== 'string' || !/^[\w\-./#]{1,512}$/.test(entry.log_group_name))
      problems.push(`${at}.log_group_name: must be a CloudWatch Logs group name`);
    if (typeof entry?.log_stream_name !== 'string' || !entry.log_stream_name || /[:*]/.test(entry.log_stream_name))
      problems.push(`${at}.log_stream_name: must be a stream name (no ':' or '*')`);
  }
  const mem = config.metrics?.metrics_collected?.mem?.measurement;
  if (mem && mem.some((m) => !['mem_used_percent', 'used_percent'].includes(m)))
    problems.push(`metrics.metrics_collected.mem.measurement: only mem_used_percent is collected here`);
  return problems;
}

export function expandStreamName(template: string, facts: { instanceId: string; hostname: string }): string {
  return template
    .replaceAll('{instance_id}', facts.instanceId)
    .replaceAll('{hostname}', facts.hostname)
    .replaceAll('{local_hostname}', facts.hostname);
}

interface Followed {
  entry: CollectEntry;
  stream: string;
  offset: number;
  inode?: number;
  partial: string;
  missingTold: boolean;
  created: boolean;
  queue: { message: string; timestamp: number }[];
}

export interface AgentOptions {
  instanceId: string;
  log(line: string): void;
  pollMs?: number;
}

/** Runs until stopped: follows the files and puts the metrics the config names. */
export class CloudWatchAgent {
  private readonly logsClient = new CloudWatchLogsClient({});
  private readonly metricsClient = new CloudWatchClient({});
  private readonly followed: Followed[];
  private timers: NodeJS.Timeout[] = [];
  private busy = false;

  constructor(
    config: AgentConfig,
    private readonly options: AgentOptions,
  ) {
    const facts = { instanceId: options.instanceId, hostname: hostname() };
    this.followed = (config.logs?.logs_collected?.files?.collect_list ?? []).map((entry) => ({
      entry,
      stream: expandStreamName(entry.log_stream_name, facts),
      offset: 0,
      partial: '',
      missingTold: false,
      created: false,
      queue: [],
    }));
  }

  start(): void {
    for (const f of this.followed)
      this.options.log(`following ${f.entry.file_path} into ${f.entry.log_group_name}/${f.stream}`);
    this.timers.push(setInterval(() => void this.tick(), this.options.pollMs ?? 250));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.tick();
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const f of this.followed) {
        await this.read(f);
        await this.ship(f);
      }
    } finally {
      this.busy = false;
    }
  }

  private async read(f: Followed): Promise<void> {
    let info;
    try {
      info = await stat(f.entry.file_path);
    } catch {
      if (!f.missingTold) this.options.log(`${f.entry.file_path}: no such file (yet); shipping it once it appears`);
      f.missingTold = true;
      return;
    }
    f.missingTold = false;
    // Rotated (a new file under the name) or truncated: start the new file from its beginning.
    if (f.inode !== undefined && (info.ino !== f.inode || info.size < f.offset)) {
      f.offset = 0;
      f.partial = '';
    }
    f.inode = info.ino;
    if (info.size <= f.offset) return;
    const handle = await open(f.entry.file_path, 'r');
    try {
      const length = Math.min(info.size - f.offset, 4 * 1024 * 1024);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, f.offset);
      f.offset += bytesRead;
      const text = f.partial + buffer.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      f.partial = lines.pop() ?? '';
      const now = Date.now();
      for (const line of lines) {
        if (!line) continue;
        f.queue.push({ message: line, timestamp: now });
        this.extract(line);
      }
    } finally {
      await handle.close();
    }
  }

  private async ship(f: Followed): Promise<void> {
    while (f.queue.length) {
      const batch = f.queue.slice(0, 1000);
      try {
        if (!f.created) {
          try {
            await this.logsClient.send(
              new CreateLogStreamCommand({ logGroupName: f.entry.log_group_name, logStreamName: f.stream }),
            );
          } catch (error) {
            if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
          }
          f.created = true;
        }
        await this.logsClient.send(
          new PutLogEventsCommand({ logGroupName: f.entry.log_group_name, logStreamName: f.stream, logEvents: batch }),
        );
        f.queue.splice(0, batch.length);
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') f.created = false;
        this.options.log(
          `cannot put ${batch.length} events into ${f.entry.log_group_name}/${f.stream}: ${(error as Error).name}: ${(error as Error).message}`,
        );
        if (f.queue.length > 10_000) f.queue.splice(0, f.queue.length - 10_000);
        return;
      }
    }
  }

  /** Metrics embedded in a line (EMF), put as CloudWatch Logs would extract them. */
  private extract(line: string): void {
    for (const { namespace, datum } of emfMetrics(line)) {
      this.metricsClient
        .send(new PutMetricDataCommand({ Namespace: namespace, MetricData: [datum] }))
        .catch((error: Error) => this.options.log(`cannot put ${datum.MetricName}: ${error.name}: ${error.message}`));
    }
  }
}
