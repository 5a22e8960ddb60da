// The guide's migration and a blue/green release, as plain applies of the declarative desired
// state: legacy only -> both -> enhanced only -> candidate beside it -> cut over -> emergency
// rollback. Each plan (terraform show -json) may only remove instances that are no longer
// desired, and every instance that stays keeps its id.
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  tag,
  type Clients,
} from './aws.js';

const ENV = 'migrate';

interface Outputs {
  network_configuration: {
    instances: Record<
      'legacy' | 'enhanced' | 'candidate',
      { id: string; release: string; subnet_tier: string; bot_role: string } | null
    >;
  };
  instance_ids: Record<string, string>;
}

let moto: Moto;
let module: ModuleCopy;
let aws: Clients;
let stack: Stack;

const base: Vars = {
  environment: ENV,
  region: REGION,
  release_bucket: STATE_BUCKET,
  discord_token_parameter: `/ydeploy/${ENV}/discord-token`,
  instance_type: 't3.micro',
  aws_compat_endpoint: true,
};

/** After the emergency rollback: legacy back beside enhanced v2, which stands by. */
const legacyBack: Vars = {
  enable_legacy_instance: true,
  legacy_release_version: 'v1',
  enable_enhanced_instance: true,
  release_version: 'v2',
  use_private_subnet: true,
};

/** The plan's action on each instance, e.g. { 'aws_instance.legacy[0]': 'delete' }. */
function instanceActions(changes: PlannedResourceChange[]): Record<string, string> {
  return Object.fromEntries(
    changes.filter((c) => c.address.startsWith('aws_instance.')).map((c) => [c.address, c.actions.join('+')]),
  );
}

/** Plan, check the instance actions, apply that very plan, return the outputs. */
async function step(vars: Vars, expected: Record<string, string>): Promise<Outputs> {
  const plan = await stack.plan({ ...base, ...vars });
  expect(instanceActions(plan.changes)).toEqual(expected);
  await stack.applyPlan(plan.planFile);
  return (await stack.outputs()) as unknown as Outputs;
}

async function botRole(id: string): Promise<string | undefined> {
  return tag(await describeInstance(aws, id), 'BotRole');
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

describe('desired-state transitions never destroy an instance that stays desired', () => {
  const ids: Record<string, string> = {};

  it('1. legacy only: the starting point of the guide (a full apply from nothing)', async () => {
    const run = await stack.apply({
      ...base,
      enable_legacy_instance: true,
      enable_enhanced_instance: false,
      release_version: 'v1',
    });
    console.info(`full apply against moto (network, logs, alarms, one instance): ${run.seconds.toFixed(1)} s`);
    const outputs = (await stack.outputs()) as unknown as Outputs;
    expect(outputs.network_configuration.instances.enhanced).toBeNull();
    expect(outputs.network_configuration.instances.legacy).toMatchObject({
      release: 'v1',
      subnet_tier: 'public',
      bot_role: 'active',
    });
    ids.legacy = outputs.instance_ids.legacy!;
    expect(Object.keys(outputs.instance_ids)).toEqual(['legacy']);
  });

  it('2. both: the enhanced instance starts in the private subnet beside legacy, standing by', async () => {
    const outputs = await step(
      {
        enable_legacy_instance: true,
        legacy_release_version: 'v1',
        enable_enhanced_instance: true,
        release_version: 'v1',
        use_private_subnet: true,
      },
      { 'aws_instance.legacy[0]': 'no-op', 'aws_instance.enhanced["v1"]': 'create' },
    );
    expect(outputs.instance_ids.legacy).toBe(ids.legacy);
    ids.v1 = outputs.instance_ids['enhanced/v1']!;
    expect(outputs.network_configuration.instances.enhanced).toMatchObject({
      id: ids.v1,
      subnet_tier: 'private',
      bot_role: 'standby',
    });
    expect(await botRole(ids.legacy!)).toBe('active');
    expect(await botRole(ids.v1)).toBe('standby');
  });

  it('3. enhanced only: legacy is removed, the enhanced instance stays and becomes the active one in place', async () => {
    const outputs = await step(
      {
        enable_legacy_instance: false,
        legacy_release_version: 'v1',
        enable_enhanced_instance: true,
        release_version: 'v1',
        use_private_subnet: true,
      },
      { 'aws_instance.legacy[0]': 'delete', 'aws_instance.enhanced["v1"]': 'update' },
    );
    expect(outputs.instance_ids).toEqual({ 'enhanced/v1': ids.v1 });
    expect(outputs.network_configuration.instances.legacy).toBeNull();
    expect(await state(ids.legacy!)).toBe('terminated');
    expect(await state(ids.v1!)).toBe('running');
    expect(await botRole(ids.v1!)).toBe('active');
  });

  it('4. a candidate release starts beside the serving one', async () => {
    const outputs = await step(
      {
        enable_enhanced_instance: true,
        release_version: 'v1',
        candidate_release_version: 'v2',
        use_private_subnet: true,
      },
      { 'aws_instance.enhanced["v1"]': 'no-op', 'aws_instance.enhanced["v2"]': 'create' },
    );
    ids.v2 = outputs.instance_ids['enhanced/v2']!;
    expect(outputs.instance_ids).toEqual({ 'enhanced/v1': ids.v1, 'enhanced/v2': ids.v2 });
    expect(outputs.network_configuration.instances.enhanced).toMatchObject({
      id: ids.v1,
      release: 'v1',
      bot_role: 'active',
    });
    expect(outputs.network_configuration.instances.candidate).toMatchObject({
      id: ids.v2,
      release: 'v2',
      subnet_tier: 'private',
      bot_role: 'standby',
    });
  });

  it('5. cut over: the candidate becomes the serving instance without being replaced; the old release goes', async () => {
    const outputs = await step(
      {
        enable_enhanced_instance: true,
        release_version: 'v2',
        candidate_release_version: null,
        use_private_subnet: true,
      },
      { 'aws_instance.enhanced["v1"]': 'delete', 'aws_instance.enhanced["v2"]': 'update' },
    );
    expect(outputs.instance_ids).toEqual({ 'enhanced/v2': ids.v2 });
    expect(outputs.network_configuration.instances.enhanced).toMatchObject({
      id: ids.v2,
      release: 'v2',
      bot_role: 'active',
    });
    expect(outputs.network_configuration.instances.candidate).toBeNull();
    expect(await state(ids.v1!)).toBe('terminated');
    expect(await botRole(ids.v2!)).toBe('active');
    // The per-instance alarms followed.
    const alarms = await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `ydeploy-${ENV}-` }));
    expect(alarms.MetricAlarms!.map((a) => a.AlarmName).sort()).toEqual(
      [
        `ydeploy-${ENV}-cpu-high-enhanced-v2`,
        `ydeploy-${ENV}-health-failures`,
        `ydeploy-${ENV}-memory-high-enhanced-v2`,
        `ydeploy-${ENV}-nat-errors`,
      ].sort(),
    );
  });

  it('6. emergency rollback: legacy comes back, the enhanced instance is kept (standing by) for investigation', async () => {
    const vars = legacyBack;
    const outputs = await step(vars, { 'aws_instance.legacy[0]': 'create', 'aws_instance.enhanced["v2"]': 'update' });
    expect(outputs.instance_ids['enhanced/v2']).toBe(ids.v2);
    expect(outputs.network_configuration.instances.legacy).toMatchObject({
      release: 'v1',
      subnet_tier: 'public',
      bot_role: 'active',
    });
    expect(await botRole(ids.v2!)).toBe('standby');
    // The desired state is the whole truth: a later plain plan changes nothing.
    const again = await stack.planExitCode({ ...base, ...vars });
    expect(again.stdout).toContain('No changes.');
    expect(again.exitCode).toBe(0);
  });

  it('7. honours the S3 lock file: while another run holds it, a plan is refused', async () => {
    const lockKey = `ydeploy/${ENV}/terraform.tfstate.tflock`;
    const holder = {
      ID: 'b7c1a2d4-0000-4000-8000-000000000001',
      Operation: 'OperationTypeApply',
      Info: '',
      Who: 'someone@elsewhere',
      Version: '1.11.4',
      Created: new Date().toISOString(),
      Path: `${STATE_BUCKET}/ydeploy/${ENV}/terraform.tfstate`,
    };
    await aws.s3.send(new PutObjectCommand({ Bucket: STATE_BUCKET, Key: lockKey, Body: JSON.stringify(holder) }));
    try {
      const refused = await stack.planExitCode({
        ...base,
        enable_legacy_instance: true,
        legacy_release_version: 'v1',
        release_version: 'v2',
      });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain('Error acquiring the state lock');
      expect(refused.stderr).toContain('someone@elsewhere');
    } finally {
      await aws.s3.send(new DeleteObjectCommand({ Bucket: STATE_BUCKET, Key: lockKey }));
    }
  });

  it('8. a newer bootstrap (template, unit files) reaches new instances only; a new health port replaces them', async () => {
    const vars = legacyBack;
    const unit = join(module.dir, 'files', 'discord-bot.service');
    const original = await readFile(unit, 'utf8');
    await writeFile(unit, `${original.trimEnd()}\n# a later ydeploy's unit\n`);
    try {
      const upgraded = await stack.plan({ ...base, ...vars });
      expect(instanceActions(upgraded.changes)).toEqual({
        'aws_instance.legacy[0]': 'no-op',
        'aws_instance.enhanced["v2"]': 'no-op',
      });
    } finally {
      await writeFile(unit, original);
    }
    const moved = await stack.plan({ ...base, ...vars, health_port: 3100 });
    expect(instanceActions(moved.changes)).toEqual({
      'aws_instance.legacy[0]': 'create+delete',
      'aws_instance.enhanced["v2"]': 'create+delete',
    });
  });
});
