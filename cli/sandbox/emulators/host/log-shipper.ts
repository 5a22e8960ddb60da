// What the CloudWatch agent does on an instance: each unit's output lines, batched every 250 ms,
// into /ec2/<project>-sandbox-logs streams {instance-id}-bot and {instance-id}-health. The group belongs to
// terraform: the shipper waits for it rather than creating it (terraform would then fail).
import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';

export const FLUSH_MS = 250;
/** Kept per stream while CloudWatch is unreachable or the group does not exist yet. */
const BUFFER_LIMIT = 10_000;
/** PutLogEvents limits: 10,000 events and 1 MiB (26 bytes of overhead each). */
const BATCH_EVENTS = 10_000;
const BATCH_BYTES = 1_000_000;

export class LogShipper {
  private readonly queues = new Map<string, InputLogEvent[]>();
  private readonly created = new Set<string>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  lastError?: string;

  constructor(
    private readonly client: CloudWatchLogsClient,
    readonly group: string,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), FLUSH_MS);
  }

  push(stream: string, message: string, timestamp: number): void {
    const queue = this.queues.get(stream) ?? [];
    queue.push({ message, timestamp });
    if (queue.length > BUFFER_LIMIT) queue.splice(0, queue.length - BUFFER_LIMIT);
    this.queues.set(stream, queue);
  }

  /** One flush at a time; callers share the one in progress. */
  flush(): Promise<void> {
    this.flushing ??= this.flushAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async flushAll(): Promise<void> {
    for (const [stream, queue] of this.queues) {
      while (queue.length) {
        const batch = takeBatch(queue);
        try {
          await this.put(stream, batch);
          this.lastError = undefined;
        } catch (error) {
          queue.unshift(...batch);
          this.lastError = `${stream}: ${(error as Error).name}: ${(error as Error).message}`;
          return;
        }
      }
    }
  }

  private async put(stream: string, events: InputLogEvent[]): Promise<void> {
    if (!this.created.has(stream)) {
      try {
        await this.client.send(new CreateLogStreamCommand({ logGroupName: this.group, logStreamName: stream }));
      } catch (error) {
        if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
      }
      this.created.add(stream);
    }
    try {
      await this.client.send(
        new PutLogEventsCommand({ logGroupName: this.group, logStreamName: stream, logEvents: events }),
      );
    } catch (error) {
      // The stream (or the group) went away, e.g. moto restarted: create it again next time.
      if ((error as Error).name === 'ResourceNotFoundException') this.created.delete(stream);
      throw error;
    }
  }
}

function takeBatch(queue: InputLogEvent[]): InputLogEvent[] {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < BATCH_EVENTS) {
    const size = Buffer.byteLength(queue[count].message ?? '') + 26;
    if (bytes + size > BATCH_BYTES && count > 0) break;
    bytes += size;
    count++;
  }
  return queue.splice(0, count).sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
}
