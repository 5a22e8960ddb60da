// The module's network choices against moto: the default plan (NAT gateway + S3 gateway
// endpoint), a NAT instance with every interface endpoint applied for real and checked through
// the AWS SDK, and the switch back to the gateway as one more apply.
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeInstanceAttributeCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { ModuleCopy, type PlanJson, type Stack, type Vars } from '../../_helpers/terraform.js';
import {
  clients,
  createStateBucket,
  describeInstance,
  putToken,
  REGION,
  STATE_BUCKET,
  stopAll,
  userData,
  type Clients,
} from './aws.js';

const ENV = 'net';
const VPC_CIDR = '10.42.0.0/16';
const ENDPOINTS = ['ssm', 'ssmmessages', 'ec2messages', 'logs'];

interface Outputs {
  network_configuration: {
    vpc_id: string;
    private_subnet_ids: string[];
    public_subnet_ids: string[];
    nat_type: string;
    nat_gateway_id: string | null;
    nat_instance_id: string | null;
    nat_public_ip: string;
  };
  nat_type: string;
  nat_public_ip: string;
  vpc_endpoint_ids: Record<string, string>;
  alarm_names: string[];
  alarm_topic_arn: string;
}

const base: Vars = {
  environment: ENV,
  region: REGION,
  release_bucket: STATE_BUCKET,
  release_version: 'v1',
  discord_token_parameter: `/ydeploy/${ENV}/discord-token`,
  instance_type: 't3.micro',
  vpc_cidr: VPC_CIDR,
  aws_compat_endpoint: true,
};

const instanceVars: Vars = { ...base, nat_type: 'instance', interface_endpoints: ENDPOINTS };

let moto: Moto;
let module: ModuleCopy;
let aws: Clients;
let stack: Stack;

/** The planned resources by address, with the values known at plan time. */
function planned(plan: PlanJson): Map<string, Record<string, unknown>> {
  return new Map(
    (plan.resource_changes ?? [])
      .filter((c) => c.change.actions.includes('create') || c.change.actions.includes('update'))
      .map((c) => [c.address, c.change.after ?? {}]),
  );
}

async function outputs(): Promise<Outputs> {
  return (await stack.outputs()) as unknown as Outputs;
}

async function privateDefaultRoute(vpcId: string, subnetId: string) {
  const tables = await aws.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  const table = tables.RouteTables!.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId));
  return table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
}

beforeAll(async () => {
  moto = await startMoto();
  aws = clients(moto);
  module = await ModuleCopy.create();
  await createStateBucket(aws);
  await putToken(aws, base.discord_token_parameter as string);
  stack = module.stack(ENV, moto.env);
  await stack.init({ bucket: STATE_BUCKET, key: `ydeploy/${ENV}/terraform.tfstate`, region: REGION });
});

afterAll(async () => {
  stopAll(aws);
  await moto?.stop();
  await module?.cleanup();
});

describe('network choices: planned', () => {
  it('by default: a NAT gateway, the S3 gateway endpoint on both route tables, no NAT instance, no interface endpoint', async () => {
    const { json } = await stack.plan(base);
    const resources = planned(json);
    expect(resources.has('aws_nat_gateway.main[0]')).toBe(true);
    expect(resources.has('aws_eip.nat[0]')).toBe(true);
    expect(resources.has('aws_cloudwatch_metric_alarm.nat_errors[0]')).toBe(true);
    expect(resources.get('aws_vpc_endpoint.s3')).toMatchObject({
      service_name: 'com.amazonaws.us-east-1.s3',
      vpc_endpoint_type: 'Gateway',
    });
    const addresses = [...resources.keys()];
    expect(
      addresses.filter((a) => /^aws_(instance|security_group)\.nat\[|^aws_eip\.nat_instance|nat_instance_/.test(a)),
    ).toEqual([]);
    expect(addresses.filter((a) => a.startsWith('aws_vpc_endpoint.interface'))).toEqual([]);
    expect(resources.has('aws_security_group.endpoints[0]')).toBe(false);
    expect(resources.get('aws_vpc.main')).toMatchObject({ enable_dns_hostnames: false });
  });

  it('nat_type=instance: a NAT instance (source/dest check off, arm64 image for t4g.nano) and its alarms, no NAT gateway', async () => {
    const { json } = await stack.plan({ ...base, nat_type: 'instance' });
    const resources = planned(json);
    expect(resources.get('aws_instance.nat[0]')).toMatchObject({ source_dest_check: false, instance_type: 't4g.nano' });
    expect(resources.has('aws_eip.nat_instance[0]')).toBe(true);
    expect(resources.has('aws_security_group.nat[0]')).toBe(true);
    for (const alarm of ['nat_instance_recover', 'nat_instance_status', 'nat_instance_credits'])
      expect(resources.has(`aws_cloudwatch_metric_alarm.${alarm}[0]`), alarm).toBe(true);
    // Its actions (EC2 recovery and the topic) are known after apply only: checked below, applied.
    expect(resources.get('aws_cloudwatch_metric_alarm.nat_instance_recover[0]')).toMatchObject({
      metric_name: 'StatusCheckFailed_System',
    });
    expect(resources.has('aws_nat_gateway.main[0]')).toBe(false);
    expect(resources.has('aws_eip.nat[0]')).toBe(false);
    expect(resources.has('aws_cloudwatch_metric_alarm.nat_errors[0]')).toBe(false);
    // The route's target is the instance's network interface (known after apply).
    expect(resources.get('aws_route.private_nat')).toMatchObject({ nat_gateway_id: null });
    const route = json.resource_changes!.find((c) => c.address === 'aws_route.private_nat')!;
    expect((route.change as { after_unknown?: Record<string, unknown> }).after_unknown).toMatchObject({
      network_interface_id: true,
    });
  });

  it('a NAT instance that is not burstable has no CPU credit alarm, and an x86 type gets the x86 image', async () => {
    const { json } = await stack.plan({ ...base, nat_type: 'instance', nat_instance_type: 'c5.large' });
    const resources = planned(json);
    expect(resources.get('aws_instance.nat[0]')).toMatchObject({ instance_type: 'c5.large' });
    expect(resources.has('aws_cloudwatch_metric_alarm.nat_instance_credits[0]')).toBe(false);
    expect(resources.has('aws_cloudwatch_metric_alarm.nat_instance_recover[0]')).toBe(true);
  });

  it('interface endpoints listed: one per service in the private subnets, private DNS on, HTTPS from the VPC', async () => {
    const { json } = await stack.plan({ ...base, interface_endpoints: ['ssm', 'logs'] });
    const resources = planned(json);
    expect(resources.get('aws_vpc_endpoint.interface["ssm"]')).toMatchObject({
      service_name: 'com.amazonaws.us-east-1.ssm',
      vpc_endpoint_type: 'Interface',
      private_dns_enabled: true,
    });
    expect(resources.get('aws_vpc_endpoint.interface["logs"]')).toMatchObject({
      service_name: 'com.amazonaws.us-east-1.logs',
    });
    expect([...resources.keys()].filter((a) => a.startsWith('aws_vpc_endpoint.interface'))).toHaveLength(2);
    expect(resources.get('aws_security_group.endpoints[0]')).toMatchObject({
      ingress: [expect.objectContaining({ protocol: 'tcp', from_port: 443, to_port: 443, cidr_blocks: [VPC_CIDR] })],
    });
    expect(resources.get('aws_vpc.main')).toMatchObject({ enable_dns_hostnames: true });
  });
});

describe('network choices: applied against moto', () => {
  let first: Outputs;

  beforeAll(async () => {
    const run = await stack.apply(instanceVars);
    console.info(`apply with a NAT instance and 4 interface endpoints: ${run.seconds.toFixed(1)} s`);
    first = await outputs();
  });

  it('outputs the NAT instance, its public address and every endpoint', () => {
    const net = first.network_configuration;
    expect(first.nat_type).toBe('instance');
    expect(net.nat_type).toBe('instance');
    expect(net.nat_gateway_id).toBeNull();
    expect(net.nat_instance_id).toMatch(/^i-/);
    expect(first.nat_public_ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(net.nat_public_ip).toBe(first.nat_public_ip);
    expect(Object.keys(first.vpc_endpoint_ids).sort()).toEqual(['s3', ...ENDPOINTS].sort());
    for (const id of Object.values(first.vpc_endpoint_ids)) expect(id).toMatch(/^vpce-/);
  });

  it('runs the NAT instance in the first public subnet, forwarding (source/dest check off), with its EIP and a masquerading bootstrap', async () => {
    const net = first.network_configuration;
    const instance = await describeInstance(aws, net.nat_instance_id!);
    expect(instance.SubnetId).toBe(net.public_subnet_ids[0]);
    expect(instance.InstanceType).toBe('t4g.nano');
    expect(instance.PublicIpAddress).toBe(first.nat_public_ip);
    const check = await aws.ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: net.nat_instance_id!, Attribute: 'sourceDestCheck' }),
    );
    expect(check.SourceDestCheck?.Value).toBe(false);
    const script = await userData(aws, net.nat_instance_id!);
    expect(script).toContain('net.ipv4.ip_forward = 1');
    expect(script).toContain(`ip saddr ${VPC_CIDR} ip daddr != ${VPC_CIDR} masquerade`);
    expect(script).toContain('systemctl enable nftables');

    const groups = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: instance.SecurityGroups!.map((g) => g.GroupId!) }),
    );
    const group = groups.SecurityGroups![0]!;
    expect(group.GroupName).toBe(`ydeploy-${ENV}-nat`);
    expect(group.IpPermissions!.map((p) => [p.IpProtocol, p.IpRanges!.map((r) => r.CidrIp).sort()])).toEqual([
      ['-1', ['10.42.128.0/20', '10.42.144.0/20']],
    ]);
  });

  it("routes the private subnets through the NAT instance's network interface, and S3 through the gateway endpoint", async () => {
    const net = first.network_configuration;
    const instance = await describeInstance(aws, net.nat_instance_id!);
    const eni = instance.NetworkInterfaces!.find((n) => n.Attachment?.DeviceIndex === 0)!.NetworkInterfaceId;
    for (const id of net.private_subnet_ids)
      expect((await privateDefaultRoute(net.vpc_id, id))?.NetworkInterfaceId).toBe(eni);

    const s3 = await aws.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [first.vpc_endpoint_ids.s3!] }));
    const tables = await aws.ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpc_id] }] }),
    );
    const tableOf = (subnet: string) =>
      tables.RouteTables!.find((t) => t.Associations?.some((a) => a.SubnetId === subnet))!.RouteTableId;
    expect(s3.VpcEndpoints![0]).toMatchObject({
      VpcEndpointType: 'Gateway',
      ServiceName: 'com.amazonaws.us-east-1.s3',
    });
    expect([...s3.VpcEndpoints![0]!.RouteTableIds!].sort()).toEqual(
      [tableOf(net.private_subnet_ids[0]!), tableOf(net.public_subnet_ids[0]!)].sort(),
    );
  });

  it('puts the interface endpoints in the private subnets with private DNS and the HTTPS-from-VPC group', async () => {
    const net = first.network_configuration;
    const ids = ENDPOINTS.map((e) => first.vpc_endpoint_ids[e]!);
    const out = await aws.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ids }));
    expect(out.VpcEndpoints!.map((e) => e.ServiceName).sort()).toEqual(
      ENDPOINTS.map((e) => `com.amazonaws.us-east-1.${e}`).sort(),
    );
    for (const endpoint of out.VpcEndpoints!) {
      expect(endpoint.VpcEndpointType).toBe('Interface');
      expect(endpoint.PrivateDnsEnabled).toBe(true);
      expect([...endpoint.SubnetIds!].sort()).toEqual([...net.private_subnet_ids].sort());
      const group = await aws.ec2.send(
        new DescribeSecurityGroupsCommand({ GroupIds: endpoint.Groups!.map((g) => g.GroupId!) }),
      );
      expect(
        group.SecurityGroups![0]!.IpPermissions!.map((p) => [
          p.IpProtocol,
          p.FromPort,
          p.ToPort,
          p.IpRanges![0]!.CidrIp,
        ]),
      ).toEqual([['tcp', 443, 443, VPC_CIDR]]);
    }
    const hostnames = await aws.ec2.send(
      new DescribeVpcAttributeCommand({ VpcId: net.vpc_id, Attribute: 'enableDnsHostnames' }),
    );
    expect(hostnames.EnableDnsHostnames?.Value).toBe(true);
  });

  it('watches the NAT instance instead of a NAT gateway: recovery on a system check failure, status and credits', async () => {
    const names = first.alarm_names;
    expect(names).not.toContain(`ydeploy-${ENV}-nat-errors`);
    for (const suffix of ['nat-instance-recover', 'nat-instance-status', 'nat-instance-credits'])
      expect(names).toContain(`ydeploy-${ENV}-${suffix}`);
    const out = await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `ydeploy-${ENV}-nat-` }));
    const recover = out.MetricAlarms!.find((a) => a.AlarmName === `ydeploy-${ENV}-nat-instance-recover`)!;
    expect(recover.MetricName).toBe('StatusCheckFailed_System');
    expect(recover.Dimensions).toEqual([{ Name: 'InstanceId', Value: first.network_configuration.nat_instance_id }]);
    expect([...recover.AlarmActions!].sort()).toEqual(
      ['arn:aws:automate:us-east-1:ec2:recover', first.alarm_topic_arn].sort(),
    );
    expect(recover.OKActions).toEqual([first.alarm_topic_arn]);
  });

  it('is converged: a second plan changes nothing', async () => {
    const plan = await stack.planExitCode(instanceVars);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.exitCode).toBe(0);
  });

  it('switches back to the NAT gateway in one apply: the same route now targets the gateway, the instance is gone', async () => {
    const { changes, planFile } = await stack.plan(base);
    const actions = Object.fromEntries(changes.map((c) => [c.address, c.actions.join('+')]));
    expect(actions['aws_route.private_nat']).toBe('update');
    expect(actions['aws_instance.nat[0]']).toBe('delete');
    expect(actions['aws_nat_gateway.main[0]']).toBe('create');
    expect(actions['aws_vpc_endpoint.s3']).toBe('no-op');
    await stack.applyPlan(planFile);

    const after = await outputs();
    const net = after.network_configuration;
    expect(after.nat_type).toBe('gateway');
    expect(net.nat_instance_id).toBeNull();
    expect(net.nat_gateway_id).toMatch(/^nat-/);
    expect(after.vpc_endpoint_ids).toEqual({ s3: first.vpc_endpoint_ids.s3 });
    for (const id of net.private_subnet_ids)
      expect((await privateDefaultRoute(net.vpc_id, id))?.NatGatewayId).toBe(net.nat_gateway_id);
    const nat = await aws.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [net.nat_gateway_id!] }));
    expect(nat.NatGateways![0]!.NatGatewayAddresses?.[0]?.PublicIp).toBe(after.nat_public_ip);
    expect((await describeInstance(aws, first.network_configuration.nat_instance_id!)).State?.Name).toBe('terminated');
    expect(after.alarm_names).toContain(`ydeploy-${ENV}-nat-errors`);
    expect(after.alarm_names.filter((n) => n.includes('nat-instance'))).toEqual([]);
  });
});
