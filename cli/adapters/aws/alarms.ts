// Alarms over CloudWatch: the environment's alarms and their states.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { Alarm, Alarms } from '../../ports.js';
import { clientConfig, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class CloudWatchAlarms implements Alarms {
  private readonly client: CloudWatchClient;

  constructor(settings: AwsSettings) {
    this.client = new CloudWatchClient(clientConfig(settings));
  }

  async list(prefix: string): Promise<Alarm[]> {
    const alarms: Alarm[] = [];
    let NextToken: string | undefined;
    do {
      const page = await aws('cannot read CloudWatch alarms', () => this.client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, NextToken })));
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
