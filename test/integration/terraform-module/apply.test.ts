// The module applied for real against moto, once per use_private_subnet × enable_legacy_instance,
// each through the S3 backend with use_lockfile; then every promise of the module checked
// through the AWS SDK.
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeLogGroupsCommand, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeFlowLogsCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { GetRolePolicyCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTlsOnly } from '../../../cli/core/buckets.js';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { ModuleCopy, type Stack, type Vars } from '../../_helpers/terraform.js';
import {
  clients,
  createStateBucket,
  describeInstance,
  putToken,
  REGION,
  STATE_BUCKET,
  stateObject,
  stopAll,
  tag,
  userData,
  type Clients,
} from './aws.js';

interface InstanceFacts {
  id: string;
  private_ip: string;
  public_ip: string | null;
  subnet_id: string;
  subnet_tier: 'public' | 'private';
  release: string;
  bot_role: 'active' | 'standby';
}

interface Outputs {
  network_configuration: {
    vpc_id: string;
    vpc_cidr: string;
    public_subnet_ids: string[];
    private_subnet_ids: string[];
    nat_gateway_id: string;
    nat_public_ip: string;
    use_private_subnet: boolean;
    instances: { legacy: InstanceFacts | null; enhanced: InstanceFacts | null; candidate: InstanceFacts | null };
  };
  log_group_name: string;
  instance_ids: Record<string, string>;
  security_group_id: string;
  log_kms_key_arn: string;
  alarm_names: string[];
  alarm_topic_arn: string;
}

interface Combination {
  environment: string;
  use_private_subnet: boolean;
  enable_legacy_instance: boolean;
  /** One combination also lets the module create its release bucket. */
  create_release_bucket: boolean;
}

const COMBINATIONS: Combination[] = [
  { environment: 'prv-enh', use_private_subnet: true, enable_legacy_instance: false, create_release_bucket: false },
  { environment: 'prv-both', use_private_subnet: true, enable_legacy_instance: true, create_release_bucket: false },
  { environment: 'pub-enh', use_private_subnet: false, enable_legacy_instance: false, create_release_bucket: false },
  { environment: 'pub-both', use_private_subnet: false, enable_legacy_instance: true, create_release_bucket: true },
];

const ALARM_ACTION = 'arn:aws:sns:us-east-1:123456789012:ydeploy-alerts';
const VPC_CIDR = '10.42.0.0/16';

interface Applied {
  combination: Combination;
  vars: Vars;
  stack: Stack;
  secret: string;
  applySeconds: number;
  outputs: Outputs;
}

let moto: Moto;
let module: ModuleCopy;
let aws: Clients;
const applied = new Map<string, Applied>();

function varsFor(c: Combination): Vars {
  return {
    environment: c.environment,
    region: REGION,
    release_bucket: c.create_release_bucket ? `ydeploy-${c.environment}-releases` : STATE_BUCKET,
    create_release_bucket: c.create_release_bucket,
    release_version: '2024.06.01-1',
    legacy_release_version: c.enable_legacy_instance ? '2024.05.20-3' : null,
    discord_token_parameter: `/ydeploy/${c.environment}/discord-token`,
    use_private_subnet: c.use_private_subnet,
    enable_legacy_instance: c.enable_legacy_instance,
    enable_enhanced_instance: true,
    instance_type: 't3.micro',
    vpc_cidr: VPC_CIDR,
    alarm_actions: [ALARM_ACTION],
    alarm_email: `ops+${c.environment}@example.com`,
    aws_compat_endpoint: true,
  };
}

/** The e-mail endpoints subscribed to a topic, through SNS's query API (no SNS client is a dependency). */
async function emailSubscriptions(topicArn: string): Promise<string[]> {
  const res = await fetch(moto.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // moto routes by the credential scope's service; it does not check the signature.
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Action: 'ListSubscriptionsByTopic', TopicArn: topicArn, Version: '2010-03-31' }),
  });
  const xml = await res.text();
  return [...xml.matchAll(/<member>([\s\S]*?)<\/member>/g)]
    .map((m) => m[1]!)
    .filter((member) => member.includes('<Protocol>email</Protocol>'))
    .map((member) => /<Endpoint>(.*?)<\/Endpoint>/.exec(member)?.[1] ?? '');
}

beforeAll(async () => {
  moto = await startMoto();
  aws = clients(moto);
  module = await ModuleCopy.create();
  await createStateBucket(aws);
  // The four environments apply side by side: each has its own names, state key and data dir.
  await Promise.all(
    COMBINATIONS.map(async (combination) => {
      const vars = varsFor(combination);
      const secret = await putToken(aws, vars.discord_token_parameter as string);
      const stack = module.stack(combination.environment, moto.env);
      await stack.init({
        bucket: STATE_BUCKET,
        key: `ydeploy/${combination.environment}/terraform.tfstate`,
        region: REGION,
      });
      const run = await stack.apply(vars);
      const outputs = (await stack.outputs()) as unknown as Outputs;
      applied.set(combination.environment, { combination, vars, stack, secret, applySeconds: run.seconds, outputs });
    }),
  );
  console.info(
    `terraform apply against moto (4 environments side by side): ${[...applied.values()].map((a) => `${a.combination.environment} ${a.applySeconds.toFixed(1)} s`).join(', ')}`,
  );
});

afterAll(async () => {
  stopAll(aws);
  await moto?.stop();
  await module?.cleanup();
});

describe.each(COMBINATIONS)(
  'use_private_subnet=$use_private_subnet × enable_legacy_instance=$enable_legacy_instance ($environment)',
  (combination) => {
    const get = () => applied.get(combination.environment)!;
    const expectedRoles = combination.enable_legacy_instance
      ? ['enhanced/2024.06.01-1', 'legacy']
      : ['enhanced/2024.06.01-1'];

    it('outputs network_configuration, log_group_name, instance_ids, security_group_id', () => {
      const { outputs } = get();
      const net = outputs.network_configuration;
      expect(net.vpc_id).toMatch(/^vpc-/);
      expect(net.vpc_cidr).toBe(VPC_CIDR);
      expect(net.public_subnet_ids).toHaveLength(2);
      expect(net.private_subnet_ids).toHaveLength(2);
      expect(net.nat_gateway_id).toMatch(/^nat-/);
      expect(net.nat_public_ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(net.use_private_subnet).toBe(combination.use_private_subnet);
      expect(net.instances.candidate).toBeNull();
      expect(net.instances.enhanced).toMatchObject({
        id: outputs.instance_ids['enhanced/2024.06.01-1'],
        subnet_tier: combination.use_private_subnet ? 'private' : 'public',
        subnet_id: combination.use_private_subnet ? net.private_subnet_ids[0] : net.public_subnet_ids[0],
        release: '2024.06.01-1',
        // Beside a legacy instance the enhanced one stands by until ydeploy hands over.
        bot_role: combination.enable_legacy_instance ? 'standby' : 'active',
      });
      expect(net.instances.enhanced!.public_ip === null).toBe(combination.use_private_subnet);
      if (combination.enable_legacy_instance) {
        expect(net.instances.legacy).toMatchObject({
          id: outputs.instance_ids.legacy,
          subnet_tier: 'public',
          subnet_id: net.public_subnet_ids[0],
          release: '2024.05.20-3',
          bot_role: 'active',
        });
        expect(net.instances.legacy!.public_ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      } else {
        expect(net.instances.legacy).toBeNull();
      }
      expect(Object.keys(outputs.instance_ids).sort()).toEqual(expectedRoles);
      expect(outputs.log_group_name).toBe(`/ec2/ydeploy-${combination.environment}-logs`);
      expect(outputs.security_group_id).toMatch(/^sg-/);
    });

    it('is converged: a second plan changes nothing', async () => {
      const { stack, vars } = get();
      const plan = await stack.planExitCode(vars);
      expect(plan.stdout).toContain('No changes.');
      expect(plan.exitCode).toBe(0);
    });

    it('runs each instance in the subnet of its tier, with IMDSv2 only, its tags, role profile and security group', async () => {
      const { outputs } = get();
      const net = outputs.network_configuration;
      const subnets = await aws.ec2.send(
        new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpc_id] }] }),
      );
      const tierOf = new Map(subnets.Subnets!.map((s) => [s.SubnetId!, s.Tags?.find((t) => t.Key === 'Tier')?.Value]));
      for (const id of net.public_subnet_ids) expect(tierOf.get(id)).toBe('public');
      for (const id of net.private_subnet_ids) expect(tierOf.get(id)).toBe('private');

      for (const [key, id] of Object.entries(outputs.instance_ids)) {
        const instance = await describeInstance(aws, id);
        const role = key === 'legacy' ? 'legacy' : 'enhanced';
        const tier = role === 'legacy' || !combination.use_private_subnet ? 'public' : 'private';
        expect(instance.State?.Name).toBe('running');
        expect(tierOf.get(instance.SubnetId!)).toBe(tier);
        expect(instance.VpcId).toBe(net.vpc_id);
        expect(Boolean(instance.PublicIpAddress)).toBe(tier === 'public');
        expect(instance.MetadataOptions).toMatchObject({
          HttpTokens: 'required',
          HttpEndpoint: 'enabled',
          HttpPutResponseHopLimit: 1,
          InstanceMetadataTags: 'enabled',
        });
        expect(instance.InstanceType).toBe('t3.micro');
        expect(instance.IamInstanceProfile?.Arn).toMatch(
          new RegExp(`:instance-profile/ydeploy-${combination.environment}-bot-instance$`),
        );
        expect(instance.SecurityGroups?.map((g) => g.GroupId)).toEqual([outputs.security_group_id]);
        expect(instance.KeyName).toBeUndefined();
        expect({
          Project: tag(instance, 'Project'),
          Environment: tag(instance, 'Environment'),
          Role: tag(instance, 'Role'),
          Release: tag(instance, 'Release'),
          Name: tag(instance, 'Name'),
        }).toEqual({
          Project: 'ydeploy',
          Environment: combination.environment,
          Role: role,
          Release: role === 'legacy' ? '2024.05.20-3' : '2024.06.01-1',
          Name:
            role === 'legacy'
              ? `ydeploy-${combination.environment}-legacy`
              : `ydeploy-${combination.environment}-enhanced-2024.06.01-1`,
        });
      }
    });

    it('encrypts every instance volume', async () => {
      const { outputs } = get();
      const ids = Object.values(outputs.instance_ids);
      const volumes = await aws.ec2.send(
        new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: ids }] }),
      );
      expect(volumes.Volumes!.length).toBe(ids.length);
      for (const volume of volumes.Volumes!) expect(volume.Encrypted).toBe(true);
    });

    it('opens only the health port, from the VPC only; no SSH; HTTPS out', async () => {
      const { outputs } = get();
      const out = await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [outputs.security_group_id] }));
      const group = out.SecurityGroups![0]!;
      expect(
        group.IpPermissions!.map((p) => ({
          protocol: p.IpProtocol,
          from: p.FromPort,
          to: p.ToPort,
          cidrs: p.IpRanges?.map((r) => r.CidrIp),
          ipv6: p.Ipv6Ranges ?? [],
        })),
      ).toEqual([{ protocol: 'tcp', from: 3000, to: 3000, cidrs: [VPC_CIDR], ipv6: [] }]);
      const egress = group
        .IpPermissionsEgress!.map(
          (p) => `${p.IpProtocol}:${p.FromPort}-${p.ToPort}:${p.IpRanges?.map((r) => r.CidrIp).join(',')}`,
        )
        .sort();
      expect(egress).toEqual(['tcp:3000-3000:' + VPC_CIDR, 'tcp:443-443:0.0.0.0/0']);
      // The VPC's default group allows nothing.
      const defaults = await aws.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [outputs.network_configuration.vpc_id] },
            { Name: 'group-name', Values: ['default'] },
          ],
        }),
      );
      expect(defaults.SecurityGroups![0]!.IpPermissions).toEqual([]);
      expect(defaults.SecurityGroups![0]!.IpPermissionsEgress).toEqual([]);
    });

    it('routes the private subnets through the NAT gateway and the public ones through the internet gateway; flow logs on', async () => {
      const net = get().outputs.network_configuration;
      const tables = await aws.ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpc_id] }] }),
      );
      const defaultRouteOf = (subnetId: string) => {
        const table = tables.RouteTables!.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId));
        return table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
      };
      for (const id of net.private_subnet_ids) expect(defaultRouteOf(id)?.NatGatewayId).toBe(net.nat_gateway_id);
      for (const id of net.public_subnet_ids) expect(defaultRouteOf(id)?.GatewayId).toMatch(/^igw-/);

      const nat = await aws.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [net.nat_gateway_id] }));
      expect(net.public_subnet_ids).toContain(nat.NatGateways![0]!.SubnetId);
      expect(nat.NatGateways![0]!.NatGatewayAddresses?.[0]?.PublicIp).toBe(net.nat_public_ip);

      const flow = await aws.ec2.send(
        new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [net.vpc_id] }] }),
      );
      expect(flow.FlowLogs).toHaveLength(1);
      expect(flow.FlowLogs![0]).toMatchObject({ TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
      // moto reports the destination ARN but not LogGroupName.
      const destination = flow.FlowLogs![0]!.LogGroupName ?? flow.FlowLogs![0]!.LogDestination;
      expect(destination).toMatch(new RegExp(`/vpc/ydeploy-${combination.environment}-flow-logs$`));
      expect(flow.FlowLogs![0]!.DeliverLogsPermissionArn).toMatch(/:role\/ydeploy-.*-flow-logs$/);
    });

    it('encrypts the log group and the flow logs with its own rotating KMS key that CloudWatch Logs may use', async () => {
      const { outputs } = get();
      const groups = await aws.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/' }));
      const bot = groups.logGroups!.find((g) => g.logGroupName === outputs.log_group_name);
      const flow = groups.logGroups!.find(
        (g) => g.logGroupName === `/vpc/ydeploy-${combination.environment}-flow-logs`,
      );
      expect(bot).toMatchObject({ kmsKeyId: outputs.log_kms_key_arn, retentionInDays: 30 });
      expect(flow).toMatchObject({ kmsKeyId: outputs.log_kms_key_arn, retentionInDays: 30 });

      const key = await aws.kms.send(new DescribeKeyCommand({ KeyId: outputs.log_kms_key_arn }));
      expect(key.KeyMetadata).toMatchObject({ Enabled: true, KeyState: 'Enabled', KeyManager: 'CUSTOMER' });
      expect(
        (await aws.kms.send(new GetKeyRotationStatusCommand({ KeyId: outputs.log_kms_key_arn }))).KeyRotationEnabled,
      ).toBe(true);
      const policy = JSON.parse(
        (await aws.kms.send(new GetKeyPolicyCommand({ KeyId: outputs.log_kms_key_arn, PolicyName: 'default' })))
          .Policy!,
      ) as {
        Statement: {
          Sid: string;
          Principal: { Service?: string };
          Condition?: Record<string, Record<string, string | string[]>>;
        }[];
      };
      const logs = policy.Statement.find((s) => s.Sid === 'CloudWatchLogsEncrypts')!;
      expect(logs.Principal.Service).toBe('logs.us-east-1.amazonaws.com');
      expect(JSON.stringify(logs.Condition)).toContain(`log-group:${outputs.log_group_name}`);

      const filters = await aws.logs.send(new DescribeMetricFiltersCommand({ logGroupName: outputs.log_group_name }));
      expect(filters.metricFilters).toEqual([
        expect.objectContaining({
          filterName: `ydeploy-${combination.environment}-health-failures`,
          filterPattern: '{ $.check = "timer" }',
          metricTransformations: [
            expect.objectContaining({ metricName: 'HealthCheckFailures', metricValue: '$.failed' }),
          ],
        }),
      ]);
    });

    it("has the guide's alarms, each notifying the module's SNS topic (mailed to alarm_email) and alarm_actions", async () => {
      const { outputs } = get();
      const prefix = `ydeploy-${combination.environment}-`;
      const out = await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix }));
      const alarms = new Map<string, MetricAlarm>(out.MetricAlarms!.map((a) => [a.AlarmName!, a]));
      const perInstance = Object.keys(outputs.instance_ids).map((k) => k.replace('/', '-'));
      const expected = [
        `${prefix}health-failures`,
        `${prefix}nat-errors`,
        ...perInstance.map((k) => `${prefix}cpu-high-${k}`),
        ...perInstance.map((k) => `${prefix}memory-high-${k}`),
      ].sort();
      expect([...alarms.keys()].sort()).toEqual(expected);
      expect([...outputs.alarm_names].sort()).toEqual(expected);
      const topic = outputs.alarm_topic_arn;
      expect(topic).toBe(`arn:aws:sns:us-east-1:123456789012:${prefix}alarms`);
      expect(await emailSubscriptions(topic)).toEqual([`ops+${combination.environment}@example.com`]);
      for (const alarm of alarms.values()) {
        // A set on AWS's side: the order is not kept.
        expect([...alarm.AlarmActions!].sort()).toEqual([ALARM_ACTION, topic].sort());
        expect([...alarm.OKActions!].sort()).toEqual([ALARM_ACTION, topic].sort());
        expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
      }

      expect(alarms.get(`${prefix}health-failures`)).toMatchObject({
        Namespace: `ydeploy/ydeploy/${combination.environment}`,
        MetricName: 'HealthCheckFailures',
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 3,
        // A health server that logs no check leaves the metric missing: that alarms too.
        TreatMissingData: 'breaching',
      });
      for (const [key, id] of Object.entries(outputs.instance_ids)) {
        const k = key.replace('/', '-');
        expect(alarms.get(`${prefix}cpu-high-${k}`)).toMatchObject({
          Namespace: 'AWS/EC2',
          MetricName: 'CPUUtilization',
          Period: 300,
          EvaluationPeriods: 2,
          Threshold: 80,
          Dimensions: [{ Name: 'InstanceId', Value: id }],
        });
        expect(alarms.get(`${prefix}memory-high-${k}`)).toMatchObject({
          Namespace: 'CWAgent',
          MetricName: 'mem_used_percent',
          Period: 60,
          EvaluationPeriods: 5,
          Threshold: 90,
          Dimensions: [{ Name: 'InstanceId', Value: id }],
        });
      }
      const nat = alarms.get(`${prefix}nat-errors`)!;
      expect(nat.Threshold).toBe(1);
      const expression = nat.Metrics!.find((m) => m.ReturnData)!;
      // AWS's formula: PacketsDropCount / (PacketsInFromSource + PacketsInFromDestination).
      expect(expression.Expression).toBe('IF(packets > 0, 100 * drops / packets, 0)');
      expect(nat.Metrics!.find((m) => m.Id === 'packets')!.Expression).toBe('from_source + from_destination');
      const inputs = nat
        .Metrics!.filter((m) => m.MetricStat)
        .map((m) => [
          m.Id,
          m.MetricStat!.Metric!.Namespace,
          m.MetricStat!.Metric!.MetricName,
          m.MetricStat!.Metric!.Dimensions?.[0]?.Value,
        ]);
      expect(inputs.sort()).toEqual([
        ['drops', 'AWS/NATGateway', 'PacketsDropCount', outputs.network_configuration.nat_gateway_id],
        [
          'from_destination',
          'AWS/NATGateway',
          'PacketsInFromDestination',
          outputs.network_configuration.nat_gateway_id,
        ],
        ['from_source', 'AWS/NATGateway', 'PacketsInFromSource', outputs.network_configuration.nat_gateway_id],
      ]);
    });

    it('gives the instance role the SSM agent, read of the release prefix and the token parameter, and write to its own log group only', async () => {
      const { vars } = get();
      const role = `ydeploy-${combination.environment}-bot-instance`;
      const attached = await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }));
      expect(attached.AttachedPolicies ?? []).toEqual([]);
      const inline = await aws.iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: role }));
      const document = JSON.parse(decodeURIComponent(inline.PolicyDocument!)) as {
        Statement: { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[] }[];
      };
      const bySid = Object.fromEntries(document.Statement.map((s) => [s.Sid, s]));
      expect(document.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
      expect(bySid.ReadReleases).toMatchObject({
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${vars.release_bucket}/releases/*`,
      });
      expect(bySid.ReadDiscordToken).toMatchObject({
        Action: 'ssm:GetParameter',
        Resource: `arn:aws:ssm:us-east-1:123456789012:parameter/ydeploy/${combination.environment}/discord-token`,
      });
      expect(bySid.WriteOwnLogs!.Resource).toBe(
        `arn:aws:logs:us-east-1:123456789012:log-group:/ec2/ydeploy-${combination.environment}-logs:*`,
      );
      // Nothing else: no wildcard write anywhere.
      expect(Object.keys(bySid).sort()).toEqual([
        'DecryptDiscordToken',
        'ListReleases',
        'PutAgentMetrics',
        'ReadDiscordToken',
        'ReadReleases',
        'SsmAgent',
        'SsmAgentMessages',
        'WriteOwnLogs',
      ]);
    });

    it('never lets the Discord token reach user data or the terraform state', async () => {
      const { outputs, secret } = get();
      for (const id of Object.values(outputs.instance_ids)) {
        const script = await userData(aws, id);
        expect(script).toContain(`DISCORD_TOKEN_PARAMETER=/ydeploy/${combination.environment}/discord-token`);
        expect(script).not.toContain(secret);
      }
      const state = await stateObject(aws, `ydeploy/${combination.environment}/terraform.tfstate`);
      expect(state).toContain('"serial"');
      expect(state).not.toContain(secret);
      // use_lockfile: the lock file is gone once the apply finished.
      const keys = await aws.s3.send(
        new ListObjectsV2Command({ Bucket: STATE_BUCKET, Prefix: `ydeploy/${combination.environment}/` }),
      );
      expect(keys.Contents?.map((o) => o.Key)).toEqual([`ydeploy/${combination.environment}/terraform.tfstate`]);
    });
  },
);

describe('create_release_bucket', () => {
  it('creates the release bucket versioned, encrypted, private and TLS-only when asked', async () => {
    const bucket = [...applied.values()].find((a) => a.combination.create_release_bucket)!.vars
      .release_bucket as string;
    expect((await aws.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
    const encryption = await aws.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe('AES256');
    const block = await aws.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const policy = await aws.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    expect(isTlsOnly(policy.Policy, bucket)).toBe(true);
  });
});
