// The EC2 network facts doctor reads: where an instance sits, NAT gateways, the route table a
// subnet uses, security group rules. Read-only.
import type { IpPermission, RouteTable as Ec2RouteTable } from '@aws-sdk/client-ec2';
type Sdk = typeof import('./sdk/ec2.js');
import type {
  InstanceNetwork,
  NatGateway,
  Network,
  Route,
  RouteTable,
  SecurityGroup,
  SecurityGroupRule,
} from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class Ec2Network implements Network {
  private readonly api: () => Promise<{ sdk: Sdk; client: InstanceType<Sdk['EC2Client']> }>;

  constructor(settings: AwsSettings) {
    this.api = lazyClient(
      () => import('./sdk/ec2.js'),
      (sdk) => new sdk.EC2Client(clientConfig(settings, 'ec2')),
    );
  }

  async ofInstance(instanceId: string): Promise<InstanceNetwork | undefined> {
    const { sdk, client } = await this.api();
    const out = await aws(`cannot describe instance ${instanceId}`, () =>
      client.send(new sdk.DescribeInstancesCommand({ InstanceIds: [instanceId] })),
    );
    const raw = out.Reservations?.flatMap((r) => r.Instances ?? [])[0];
    if (!raw?.VpcId || !raw.SubnetId) return undefined;
    const vpcs = await aws(`cannot describe VPC ${raw.VpcId}`, () =>
      client.send(new sdk.DescribeVpcsCommand({ VpcIds: [raw.VpcId!] })),
    );
    const vpc = vpcs.Vpcs?.[0];
    const cidrs = [vpc?.CidrBlock, ...(vpc?.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlock)].filter(
      (c): c is string => Boolean(c),
    );
    return {
      instanceId,
      vpcId: raw.VpcId,
      vpcCidrs: [...new Set(cidrs)],
      subnetId: raw.SubnetId,
      securityGroupIds: (raw.SecurityGroups ?? []).map((g) => g.GroupId!).filter(Boolean),
    };
  }

  async natGateways(vpcId: string): Promise<NatGateway[]> {
    const { sdk, client } = await this.api();
    const out = await aws('cannot describe NAT gateways', () =>
      client.send(new sdk.DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] })),
    );
    return (out.NatGateways ?? []).map((n) => ({
      id: n.NatGatewayId ?? '',
      state: (n.State ?? 'pending') as NatGateway['state'],
      subnetId: n.SubnetId,
      failureMessage: n.FailureMessage,
    }));
  }

  async routeTable(subnetId: string, vpcId: string): Promise<RouteTable | undefined> {
    const { sdk, client } = await this.api();
    const explicit = await aws('cannot describe route tables', () =>
      client.send(
        new sdk.DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
      ),
    );
    const table = explicit.RouteTables?.[0];
    if (table) return toRouteTable(table);
    const main = await aws('cannot describe route tables', () =>
      client.send(
        new sdk.DescribeRouteTablesCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'association.main', Values: ['true'] },
          ],
        }),
      ),
    );
    return main.RouteTables?.[0] && toRouteTable(main.RouteTables[0]);
  }

  async securityGroups(ids: string[]): Promise<SecurityGroup[]> {
    const { sdk, client } = await this.api();
    if (!ids.length) return [];
    const out = await aws('cannot describe security groups', () =>
      client.send(new sdk.DescribeSecurityGroupsCommand({ GroupIds: ids })),
    );
    return (out.SecurityGroups ?? []).map((g) => ({
      id: g.GroupId ?? '',
      name: g.GroupName,
      rules: [
        ...(g.IpPermissions ?? []).map((p) => toRule('ingress', p)),
        ...(g.IpPermissionsEgress ?? []).map((p) => toRule('egress', p)),
      ],
    }));
  }
}

function toRouteTable(table: Ec2RouteTable): RouteTable {
  const routes: Route[] = (table.Routes ?? []).map((r) => ({
    destination: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '',
    target:
      r.NatGatewayId ??
      r.GatewayId ??
      r.TransitGatewayId ??
      r.NetworkInterfaceId ??
      r.InstanceId ??
      r.VpcPeeringConnectionId ??
      'unknown',
    state: r.State === 'blackhole' ? 'blackhole' : 'active',
  }));
  return { id: table.RouteTableId ?? '', main: (table.Associations ?? []).some((a) => a.Main), routes };
}

function toRule(direction: SecurityGroupRule['direction'], p: IpPermission): SecurityGroupRule {
  return {
    direction,
    protocol: p.IpProtocol ?? '-1',
    fromPort: p.FromPort,
    toPort: p.ToPort,
    cidrs: [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)].filter(
      (c): c is string => Boolean(c),
    ),
    sourceGroups: (p.UserIdGroupPairs ?? []).map((g) => g.GroupId).filter((g): g is string => Boolean(g)),
  };
}
