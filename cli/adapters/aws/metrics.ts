// CloudWatch metrics over time (monitor): every query of a refresh in one GetMetricData call
// (500 queries per call is CloudWatch's limit; NextToken pages are followed), and the NAT whose
// metrics to read. Each SDK is loaded on first use.
type CloudWatch = typeof import('./sdk/cloudwatch.js');
type Ec2 = typeof import('./sdk/ec2.js');
import type { MetricPoint, MetricQuery, Metrics } from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws } from './errors.js';

/** GetMetricData's limit on MetricDataQueries per call. */
export const QUERIES_PER_CALL = 500;

export class CloudWatchMetrics implements Metrics {
  private readonly cloudwatch: () => Promise<{ sdk: CloudWatch; client: InstanceType<CloudWatch['CloudWatchClient']> }>;
  private readonly ec2: () => Promise<{ sdk: Ec2; client: InstanceType<Ec2['EC2Client']> }>;

  constructor(settings: AwsSettings) {
    this.cloudwatch = lazyClient(
      () => import('./sdk/cloudwatch.js'),
      (sdk) => new sdk.CloudWatchClient(clientConfig(settings, 'cloudwatch')),
    );
    this.ec2 = lazyClient(
      () => import('./sdk/ec2.js'),
      (sdk) => new sdk.EC2Client(clientConfig(settings, 'ec2')),
    );
  }

  async read(queries: MetricQuery[], start: Date, end: Date) {
    const series = new Map<string, MetricPoint[]>(queries.map((q) => [q.id, []]));
    const cost = { calls: 0, queries: queries.length };
    if (!queries.length) return { series, cost };
    const { sdk, client } = await this.cloudwatch();
    for (let i = 0; i < queries.length; i += QUERIES_PER_CALL) {
      const MetricDataQueries = queries.slice(i, i + QUERIES_PER_CALL).map((q) => ({
        Id: q.id,
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: q.namespace,
            MetricName: q.metric,
            Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: q.periodSeconds,
          Stat: q.stat,
        },
      }));
      let NextToken: string | undefined;
      do {
        const page = await aws('cannot read CloudWatch metrics', () =>
          client.send(
            new sdk.GetMetricDataCommand({
              MetricDataQueries,
              StartTime: start,
              EndTime: end,
              ScanBy: 'TimestampAscending',
              NextToken,
            }),
          ),
        );
        cost.calls++;
        for (const result of page.MetricDataResults ?? []) {
          const points = series.get(result.Id ?? '');
          if (!points) continue;
          const stamps = result.Timestamps ?? [];
          (result.Values ?? []).forEach((value, n) => {
            const at = stamps[n]?.getTime();
            if (at !== undefined && Number.isFinite(value)) points.push({ at, value });
          });
        }
        NextToken = page.NextToken;
      } while (NextToken);
    }
    // Pages may split a series anywhere: each is put back in time order once, at the end.
    for (const points of series.values()) points.sort((a, b) => a.at - b.at);
    return { series, cost };
  }

  async nat(name: string): Promise<{ type: 'gateway' | 'instance'; id: string } | undefined> {
    const { sdk, client } = await this.ec2();
    const gateways = await aws('cannot list NAT gateways', () =>
      client.send(
        new sdk.DescribeNatGatewaysCommand({
          Filter: [
            { Name: 'tag:Name', Values: [name] },
            { Name: 'state', Values: ['available'] },
          ],
        }),
      ),
    );
    const gateway = gateways.NatGateways?.[0]?.NatGatewayId;
    if (gateway) return { type: 'gateway', id: gateway };
    const instances = await aws('cannot list the NAT instance', () =>
      client.send(
        new sdk.DescribeInstancesCommand({
          Filters: [
            { Name: 'tag:Name', Values: [name] },
            { Name: 'tag:Role', Values: ['nat'] },
            { Name: 'instance-state-name', Values: ['running'] },
          ],
        }),
      ),
    );
    const id = instances.Reservations?.flatMap((r) => r.Instances ?? [])[0]?.InstanceId;
    return id ? { type: 'instance', id } : undefined;
  }
}
