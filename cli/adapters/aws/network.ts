// The EC2 network facts doctor reads: where an instance sits, NAT gateways, the route table a
// subnet uses, security group rules. Read-only.
import {
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type IpPermission,
  type RouteTable as Ec2RouteTable,
} from '@aws-sdk/client-ec2';
import type { InstanceNetwork, NatGateway, Network, Route, RouteTable, SecurityGroup, SecurityGroupRule } from '../../ports.js';
import { clientConfig, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class Ec2Network implements Network {
  private readonly client: EC2Client;

  constructor(settings: AwsSettings) {
    this.client = new EC2Client(clientConfig(settings));
  }

  async ofInstance(instanceId: string): Promise<InstanceNetwork | undefined> {
    const out = await aws(`cannot describe instance ${instanceId}`, () => this.client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })));
    const raw = out.Reservations?.flatMap((r) => r.Instances ?? [])[0];
    if (!raw?.VpcId || !raw.SubnetId) return undefined;
    const vpcs = await aws(`cannot describe VPC ${raw.VpcId}`, () => this.client.send(new DescribeVpcsCommand({ VpcIds: [raw.VpcId!] })));
    const vpc = vpcs.Vpcs?.[0];
    const cidrs = [vpc?.CidrBlock, ...(vpc?.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlock)].filter((c): c is string => Boolean(c));
    return {
      instanceId,
      vpcId: raw.VpcId,
      vpcCidrs: [...new Set(cidrs)],
      subnetId: raw.SubnetId,
      securityGroupIds: (raw.SecurityGroups ?? []).map((g) => g.GroupId!).filter(Boolean),
    };
  }

  async natGateways(vpcId: string): Promise<NatGateway[]> {
    const out = await aws('cannot describe NAT gateways', () => this.client.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] })));
    return (out.NatGateways ?? []).map((n) => ({
      id: n.NatGatewayId ?? '',
      state: (n.State ?? 'pending') as NatGateway['state'],
      subnetId: n.SubnetId,
      failureMessage: n.FailureMessage,
    }));
  }

  async routeTable(subnetId: string, vpcId: string): Promise<RouteTable | undefined> {
    const explicit = await aws('cannot describe route tables', () =>
      this.client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] })),
    );
    const table = explicit.RouteTables?.[0];
    if (table) return toRouteTable(table);
    const main = await aws('cannot describe route tables', () =>
      this.client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] })),
    );
    return main.RouteTables?.[0] && toRouteTable(main.RouteTables[0]);
  }

  async securityGroups(ids: string[]): Promise<SecurityGroup[]> {
    if (!ids.length) return [];
    const out = await aws('cannot describe security groups', () => this.client.send(new DescribeSecurityGroupsCommand({ GroupIds: ids })));
    return (out.SecurityGroups ?? []).map((g) => ({
      id: g.GroupId ?? '',
      name: g.GroupName,
      rules: [...(g.IpPermissions ?? []).map((p) => toRule('ingress', p)), ...(g.IpPermissionsEgress ?? []).map((p) => toRule('egress', p))],
    }));
  }
}

function toRouteTable(table: Ec2RouteTable): RouteTable {
  const routes: Route[] = (table.Routes ?? []).map((r) => ({
    destination: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '',
    target: r.NatGatewayId ?? r.GatewayId ?? r.TransitGatewayId ?? r.NetworkInterfaceId ?? r.InstanceId ?? r.VpcPeeringConnectionId ?? 'unknown',
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
    cidrs: [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)].filter((c): c is string => Boolean(c)),
    sourceGroups: (p.UserIdGroupPairs ?? []).map((g) => g.GroupId).filter((g): g is string => Boolean(g)),
  };
}
