// LogStore over CloudWatch Logs. FilterLogEvents with logStreamNames (moto ignores
// logStreamNamePrefix) and interleaved=true, one page at a time so memory stays bounded.
type Sdk = typeof import('./sdk/cloudwatch-logs.js');
import type { LogEvent, LogQuery, LogStore, LogStream } from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws } from './errors.js';

/** FilterLogEvents accepts at most 100 stream names per call. */
const MAX_STREAMS = 100;

export class CloudWatchLogStore implements LogStore {
  private readonly api: () => Promise<{ sdk: Sdk; client: InstanceType<Sdk['CloudWatchLogsClient']> }>;

  constructor(settings: AwsSettings) {
    this.api = lazyClient(
      () => import('./sdk/cloudwatch-logs.js'),
      (sdk) => new sdk.CloudWatchLogsClient(clientConfig(settings, 'cloudwatch_logs')),
    );
  }

  async *pages(query: LogQuery): AsyncIterable<LogEvent[]> {
    const { sdk, client } = await this.api();
    if (query.streams && query.streams.length === 0) return;
    if (query.streams && query.streams.length > MAX_STREAMS)
      throw new Error(`at most ${MAX_STREAMS} streams per query`);
    let nextToken: string | undefined;
    do {
      const page = await aws(`cannot read log group ${query.group}`, () =>
        client.send(
          new sdk.FilterLogEventsCommand({
            logGroupName: query.group,
            logStreamNames: query.streams,
            startTime: query.start,
            endTime: query.end,
            filterPattern: query.filterPattern,
            interleaved: true,
            limit: query.pageSize,
            nextToken,
          }),
          { abortSignal: query.signal },
        ),
      );
      const events = (page.events ?? []).map((e): LogEvent => ({
        id: e.eventId ?? `${e.logStreamName}:${e.timestamp}:${e.message}`,
        timestamp: e.timestamp ?? 0,
        ingestionTime: e.ingestionTime,
        stream: e.logStreamName ?? '',
        message: e.message ?? '',
      }));
      if (events.length) yield events;
      nextToken = page.nextToken;
    } while (nextToken);
  }

  async streams(group: string): Promise<LogStream[]> {
    const { sdk, client } = await this.api();
    const streams: LogStream[] = [];
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await client.send(new sdk.DescribeLogStreamsCommand({ logGroupName: group, nextToken }));
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return [];
        return aws(`cannot list the streams of ${group}`, () => Promise.reject(error));
      }
      for (const s of page.logStreams ?? []) {
        streams.push({
          name: s.logStreamName ?? '',
          lastEventTimestamp: s.lastEventTimestamp,
          lastIngestionTime: s.lastIngestionTime,
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return streams;
  }
}
