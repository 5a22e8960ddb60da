// Instances over EC2: the environment's bot instances, from their tags.
import type { Instance as Ec2Instance } from '@aws-sdk/client-ec2';
type Sdk = typeof import('./sdk/ec2.js');
import type { Instance, InstanceKind, InstanceState, Instances } from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class Ec2Instances implements Instances {
  private readonly api: () => Promise<{ sdk: Sdk; client: InstanceType<Sdk['EC2Client']> }>;

  constructor(
    settings: AwsSettings,
    private readonly project?: string,
  ) {
    this.api = lazyClient(
      () => import('./sdk/ec2.js'),
      (sdk) => new sdk.EC2Client(clientConfig(settings, 'ec2')),
    );
  }

  async list(environment: string): Promise<Instance[]> {
    const filters = [
      { Name: 'tag:Environment', Values: [environment] },
      { Name: 'tag:Role', Values: ['legacy', 'enhanced'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] },
      ...(this.project ? [{ Name: 'tag:Project', Values: [this.project] }] : []),
    ];
    return this.describeWith({ Filters: filters });
  }

  async describe(ids: string[]): Promise<Instance[]> {
    if (!ids.length) return [];
    return this.describeWith({ InstanceIds: ids });
  }

  async stop(id: string): Promise<void> {
    const { sdk, client } = await this.api();
    await aws(`cannot stop ${id}`, () => client.send(new sdk.StopInstancesCommand({ InstanceIds: [id] })));
  }

  private async describeWith(input: {
    Filters?: { Name: string; Values: string[] }[];
    InstanceIds?: string[];
  }): Promise<Instance[]> {
    const { sdk, client } = await this.api();
    const raw: Ec2Instance[] = [];
    let NextToken: string | undefined;
    do {
      const page = await aws('cannot list EC2 instances', () =>
        client.send(new sdk.DescribeInstancesCommand({ ...input, NextToken })),
      );
      for (const reservation of page.Reservations ?? []) raw.push(...(reservation.Instances ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    const tiers = await this.subnetTiers([
      ...new Set(raw.map((i) => i.SubnetId).filter((s): s is string => Boolean(s))),
    ]);
    return raw
      .map((i) => toInstance(i, tiers))
      .filter((i): i is Instance => i !== undefined)
      .sort((a, b) => (a.launchTime?.getTime() ?? 0) - (b.launchTime?.getTime() ?? 0));
  }

  private async subnetTiers(ids: string[]): Promise<Map<string, string | undefined>> {
    const { sdk, client } = await this.api();
    const tiers = new Map<string, string | undefined>();
    if (!ids.length) return tiers;
    const page = await aws('cannot describe subnets', () =>
      client.send(new sdk.DescribeSubnetsCommand({ SubnetIds: ids })),
    );
    for (const subnet of page.Subnets ?? [])
      tiers.set(subnet.SubnetId!, subnet.Tags?.find((t) => t.Key === 'Tier')?.Value);
    return tiers;
  }
}

function toInstance(raw: Ec2Instance, tiers: Map<string, string | undefined>): Instance | undefined {
  const tags = Object.fromEntries((raw.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  if (tags.Role !== 'legacy' && tags.Role !== 'enhanced') return undefined;
  const tier = raw.SubnetId ? tiers.get(raw.SubnetId) : undefined;
  return {
    id: raw.InstanceId!,
    kind: tags.Role as InstanceKind,
    state: (raw.State?.Name ?? 'pending') as InstanceState,
    environment: tags.Environment ?? '',
    release: tags.Release || undefined,
    subnetId: raw.SubnetId,
    privateSubnet: tier === undefined ? undefined : tier === 'private',
    privateIp: raw.PrivateIpAddress,
    publicIp: raw.PublicIpAddress,
    launchTime: raw.LaunchTime,
    ...shardsOf(tags),
  };
}

/** The Shards and ShardCount tags of a sharded fleet's instance; nothing for a single-shard one. */
function shardsOf(tags: Record<string, string>): Pick<Instance, 'shards' | 'shardCount'> {
  const count = Number(tags.ShardCount);
  if (!tags.Shards || !Number.isInteger(count) || count < 1) return {};
  const shards = tags.Shards.split(',').map(Number);
  return shards.every((id) => Number.isInteger(id) && id >= 0 && id < count) ? { shards, shardCount: count } : {};
}
