// Alarms over CloudWatch: the environment's alarms and their states.
type Sdk = typeof import('./sdk/cloudwatch.js');
import type { Alarm, Alarms } from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class CloudWatchAlarms implements Alarms {
  private readonly api: () => Promise<{ sdk: Sdk; client: InstanceType<Sdk['CloudWatchClient']> }>;

  constructor(settings: AwsSettings) {
    this.api = lazyClient(
      () => import('./sdk/cloudwatch.js'),
      (sdk) => new sdk.CloudWatchClient(clientConfig(settings, 'cloudwatch')),
    );
  }

  async list(prefix: string): Promise<Alarm[]> {
    const { sdk, client } = await this.api();
    const alarms: Alarm[] = [];
    let NextToken: string | undefined;
    do {
      const page = await aws('cannot read CloudWatch alarms', () =>
        client.send(new sdk.DescribeAlarmsCommand({ AlarmNamePrefix: prefix, NextToken })),
      );
      for (const a of page.MetricAlarms ?? []) {
        alarms.push({
          name: a.AlarmName ?? '',
          state: (a.StateValue ?? 'INSUFFICIENT_DATA') as Alarm['state'],
          reason: a.StateReason,
          updated: a.StateUpdatedTimestamp,
          metric: a.MetricName ?? a.Metrics?.find((m) => m.ReturnData)?.Id,
          threshold: a.Threshold,
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return alarms;
  }
}
