// A sharded fleet as plain applies of the declarative desired state (variable shard_groups): a
// fleet of two shard groups, a third group added, a candidate release for group 0 started
// beside it, then the old group 0 removed. Each plan (terraform show -json) may only create the
// keys that are new and delete the keys that are gone; every other group's instance keeps its
// id, and its tags say which shards its bot runs.
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { ModuleCopy, type PlannedResourceChange, type Stack, type Vars } from '../../_helpers/terraform.js';
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

const ENV = 'fleet';

interface Group {
  release: string;
  shards: number[];
  shard_count: number;
  role: 'active' | 'standby';
}

interface Outputs {
  network_configuration: { instances: Record<'legacy' | 'enhanced' | 'candidate', unknown> };
  instance_ids: Record<string, string>;
  shard_groups: Record<
    string,
    {
      instance_id: string;
      private_ip: string;
      shards: number[];
      shard_count: number;
      group: string;
      release: string;
      role: string;
    }
  >;
}

let moto: Moto;
let module: ModuleCopy;
let aws: Clients;
let stack: Stack;

const V2_MANIFEST_SHA = createHash('sha256').update('{"name":"ydeploy-bot","version":"v2"}\n').digest('hex');

const base: Vars = {
  environment: ENV,
  region: REGION,
  release_bucket: STATE_BUCKET,
  discord_token_parameter: `/ydeploy/${ENV}/discord-token`,
  instance_type: 't3.micro',
  aws_compat_endpoint: true,
  enable_enhanced_instance: true,
  release_version: 'v1',
  release_manifest_sha256: { v2: V2_MANIFEST_SHA },
};

const s0: Group = { release: 'v1', shards: [0], shard_count: 3, role: 'active' };
const s1: Group = { release: 'v1', shards: [1], shard_count: 3, role: 'active' };
const s2: Group = { release: 'v1', shards: [2], shard_count: 3, role: 'active' };
/** The next release of group 0, standing by beside it. */
const s0next: Group = { release: 'v2', shards: [0], shard_count: 3, role: 'standby' };

/** The plan's action on each instance, e.g. { 'aws_instance.enhanced["v1.s0of3"]': 'create' }. */
function instanceActions(changes: PlannedResourceChange[]): Record<string, string> {
  return Object.fromEntries(
    changes.filter((c) => c.address.startsWith('aws_instance.')).map((c) => [c.address, c.actions.join('+')]),
  );
}

const at = (key: string) => `aws_instance.enhanced["${key}"]`;

/** Plan, check the instance actions, apply that very plan, return the outputs. */
async function step(groups: Record<string, Group>, expected: Record<string, string>): Promise<Outputs> {
  const plan = await stack.plan({ ...base, shard_groups: groups });
  expect(instanceActions(plan.changes)).toEqual(expected);
  await stack.applyPlan(plan.planFile);
  return (await stack.outputs()) as unknown as Outputs;
}

/** The instance's tags as EC2 has them, without the provider's default Project/Environment. */
async function tagsOf(id: string): Promise<Record<string, string>> {
  const instance = await describeInstance(aws, id);
  const tags = Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key!, t.Value!]));
  delete tags.Project;
  delete tags.Environment;
  delete tags.ManagedBy;
  return tags;
}

async function state(id: string): Promise<string | undefined> {
  return (await describeInstance(aws, id)).State?.Name;
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

describe('shard groups: adding or removing one never replaces another', () => {
  const ids: Record<string, string> = {};

  it('1. a fleet of two groups: one instance per group, tagged with its shards', async () => {
    const run = await stack.apply({ ...base, shard_groups: { 'v1.s0of3': s0, 'v1.s1of3': s1 } });
    console.info(`full apply against moto (network, logs, alarms, two shard groups): ${run.seconds.toFixed(1)} s`);
    const outputs = (await stack.outputs()) as unknown as Outputs;
    ids.s0 = outputs.instance_ids['enhanced/v1.s0of3']!;
    ids.s1 = outputs.instance_ids['enhanced/v1.s1of3']!;
    expect(Object.keys(outputs.instance_ids).sort()).toEqual(['enhanced/v1.s0of3', 'enhanced/v1.s1of3']);
    expect(await tagsOf(ids.s0)).toEqual({
      Name: `ydeploy-${ENV}-enhanced-v1.s0of3`,
      Role: 'enhanced',
      Release: 'v1',
      BotRole: 'active',
      Shards: '0',
      ShardCount: '3',
      ShardGroup: 's0of3',
    });
    expect(await tagsOf(ids.s1)).toMatchObject({
      Shards: '1',
      ShardCount: '3',
      ShardGroup: 's1of3',
      BotRole: 'active',
    });
    expect(outputs.shard_groups).toEqual({
      'v1.s0of3': {
        instance_id: ids.s0,
        private_ip: expect.stringMatching(/^10\.0\./),
        shards: [0],
        shard_count: 3,
        group: 's0of3',
        release: 'v1',
        role: 'active',
      },
      'v1.s1of3': expect.objectContaining({ instance_id: ids.s1, shards: [1], group: 's1of3' }),
    });
    // The fleet's instances have no single serving role.
    expect(outputs.network_configuration.instances).toEqual({ legacy: null, enhanced: null, candidate: null });
    // The per-instance alarms follow the groups' keys.
    const alarms = await aws.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `ydeploy-${ENV}-cpu-high-` }),
    );
    expect(alarms.MetricAlarms!.map((a) => [a.AlarmName, a.Dimensions?.[0]?.Value]).sort()).toEqual([
      [`ydeploy-${ENV}-cpu-high-enhanced-v1.s0of3`, ids.s0],
      [`ydeploy-${ENV}-cpu-high-enhanced-v1.s1of3`, ids.s1],
    ]);
  });

  it('2. a third group is only a create', async () => {
    const outputs = await step(
      { 'v1.s0of3': s0, 'v1.s1of3': s1, 'v1.s2of3': s2 },
      { [at('v1.s0of3')]: 'no-op', [at('v1.s1of3')]: 'no-op', [at('v1.s2of3')]: 'create' },
    );
    ids.s2 = outputs.instance_ids['enhanced/v1.s2of3']!;
    expect(outputs.instance_ids).toEqual({
      'enhanced/v1.s0of3': ids.s0,
      'enhanced/v1.s1of3': ids.s1,
      'enhanced/v1.s2of3': ids.s2,
    });
    expect(await tagsOf(ids.s2)).toMatchObject({ Shards: '2', ShardCount: '3', ShardGroup: 's2of3' });
  });

  it('3. a candidate release for group 0 starts beside it, booting its own release', async () => {
    const outputs = await step(
      { 'v1.s0of3': s0, 'v1.s1of3': s1, 'v1.s2of3': s2, 'v2.s0of3': s0next },
      { [at('v1.s0of3')]: 'no-op', [at('v1.s1of3')]: 'no-op', [at('v1.s2of3')]: 'no-op', [at('v2.s0of3')]: 'create' },
    );
    ids.next = outputs.instance_ids['enhanced/v2.s0of3']!;
    expect(await tagsOf(ids.next)).toEqual({
      Name: `ydeploy-${ENV}-enhanced-v2.s0of3`,
      Role: 'enhanced',
      Release: 'v2',
      BotRole: 'standby',
      Shards: '0',
      ShardCount: '3',
      ShardGroup: 's0of3',
    });
    // The user data is the release's, with the manifest pinned; the old group keeps v1's.
    const script = await userData(aws, ids.next);
    expect(script).toContain("release_version='v2'");
    expect(script).toContain(`release_manifest_sha256='${V2_MANIFEST_SHA}'`);
    expect(await userData(aws, ids.s0!)).toContain("release_version='v1'");
  });

  it('4. removing a key destroys only its instance; a role change is an in-place tag update', async () => {
    const outputs = await step(
      { 'v1.s1of3': s1, 'v1.s2of3': s2, 'v2.s0of3': { ...s0next, role: 'active' } },
      { [at('v1.s0of3')]: 'delete', [at('v1.s1of3')]: 'no-op', [at('v1.s2of3')]: 'no-op', [at('v2.s0of3')]: 'update' },
    );
    expect(outputs.instance_ids).toEqual({
      'enhanced/v1.s1of3': ids.s1,
      'enhanced/v1.s2of3': ids.s2,
      'enhanced/v2.s0of3': ids.next,
    });
    expect(await state(ids.s0!)).toBe('terminated');
    for (const id of [ids.s1, ids.s2, ids.next]) expect(await state(id!)).toBe('running');
    expect(await tagsOf(ids.next!)).toMatchObject({ BotRole: 'active', Shards: '0' });
    expect(outputs.shard_groups['v2.s0of3']).toMatchObject({ instance_id: ids.next, role: 'active', release: 'v2' });
    // The desired state is the whole truth: a later plain plan changes nothing.
    const again = await stack.planExitCode({
      ...base,
      shard_groups: { 'v1.s1of3': s1, 'v1.s2of3': s2, 'v2.s0of3': { ...s0next, role: 'active' } },
    });
    expect(again.stdout).toContain('No changes.');
    expect(again.exitCode).toBe(0);
  });

  it('5. refuses a shard group whose shards do not fit its count, naming it, and changes nothing', async () => {
    const refused = await stack.planExitCode({
      ...base,
      shard_groups: { 'v1.s1of3': s1, 'v1.s2of3': { ...s2, shards: [2, 3] }, 'v2.s0of3': s0next },
    });
    expect(refused.exitCode).toBe(1);
    const text = refused.stderr.replace(/\s+/g, ' ');
    expect(text).toContain(
      'shard_groups: shards must be at least one shard id, each a whole number from 0 to shard_count - 1, none twice; not so in ["v1.s2of3"].',
    );
    for (const id of [ids.s1, ids.s2, ids.next]) expect(await state(id!)).toBe('running');
  });
});
