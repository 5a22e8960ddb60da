// What CloudWatch measured for an environment (ydeploy cost): metric sums, log groups' stored
// bytes, and the NAT gateway to measure. Each SDK is loaded on first use.
type CloudWatch = typeof import('./sdk/cloudwatch.js');
type Logs = typeof import('./sdk/cloudwatch-logs.js');
type Ec2 = typeof import('./sdk/ec2.js');
import type { UsageMeter } from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class CloudWatchUsage implements UsageMeter {
  private readonly cloudwatch: () => Promise<{ sdk: CloudWatch; client: InstanceType<CloudWatch['CloudWatchClient']> }>;
  private readonly logs: () => Promise<{ sdk: Logs; client: InstanceType<Logs['CloudWatchLogsClient']> }>;
  private readonly ec2: () => Promise<{ sdk: Ec2; client: InstanceType<Ec2['EC2Client']> }>;

  constructor(settings: AwsSettings) {
    // One attempt each: a measurement that fails falls back to an assumption, so retries only delay.
    this.cloudwatch = lazyClient(
      () => import('./sdk/cloudwatch.js'),
      (sdk) => new sdk.CloudWatchClient(clientConfig(settings, 'cloudwatch', { maxAttempts: 1 })),
    );
    this.logs = lazyClient(
      () => import('./sdk/cloudwatch-logs.js'),
      (sdk) => new sdk.CloudWatchLogsClient(clientConfig(settings, 'cloudwatch_logs', { maxAttempts: 1 })),
    );
    this.ec2 = lazyClient(
      () => import('./sdk/ec2.js'),
      (sdk) => new sdk.EC2Client(clientConfig(settings, 'ec2', { maxAttempts: 1 })),
    );
  }

  async storedBytes(group: string): Promise<number | undefined> {
    const { sdk, client } = await this.logs();
    const page = await aws(`cannot describe log group ${group}`, () =>
      client.send(new sdk.DescribeLogGroupsCommand({ logGroupNamePrefix: group })),
    );
    const found = (page.logGroups ?? []).find((g) => g.logGroupName === group);
    return found ? (found.storedBytes ?? 0) : undefined;
  }

  async metricSum(
    namespace: string,
    metric: string,
    dimensions: Record<string, string>,
    start: Date,
    end: Date,
  ): Promise<number | undefined> {
    const { sdk, client } = await this.cloudwatch();
    const page = await aws(`cannot read ${namespace} ${metric}`, () =>
      client.send(
        new sdk.GetMetricStatisticsCommand({
          Namespace: namespace,
          MetricName: metric,
          Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
          StartTime: start,
          EndTime: end,
          Period: 86_400,
          Statistics: ['Sum'],
        }),
      ),
    );
    const points = page.Datapoints ?? [];
    return points.length ? points.reduce((sum, p) => sum + (p.Sum ?? 0), 0) : undefined;
  }

  async natGatewayId(name: string): Promise<string | undefined> {
    const { sdk, client } = await this.ec2();
    const page = await aws('cannot list NAT gateways', () =>
      client.send(
        new sdk.DescribeNatGatewaysCommand({
          Filter: [
            { Name: 'tag:Name', Values: [name] },
            { Name: 'state', Values: ['available'] },
          ],
        }),
      ),
    );
    return page.NatGateways?.[0]?.NatGatewayId;
  }
}
