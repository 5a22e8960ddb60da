// The instance role's rendered policies, read from the plan (terraform show -json against moto):
// the bot can read its own token parameter and no other. AWS managed policies attached to the
// role count too, since AmazonSSMManagedInstanceCore alone grants ssm:GetParameter(s) on "*".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { ModuleCopy, type PlanJson, type Vars } from '../../_helpers/terraform.js';
import { clients, createStateBucket, putToken, REGION, STATE_BUCKET, type Clients } from './aws.js';

const ENV = 'iam';
const TOKEN = `/ydeploy/${ENV}/discord-token`;
const TOKEN_ARN = `arn:aws:ssm:us-east-1:123456789012:parameter${TOKEN}`;
/** Parameters the bot has no business reading: another environment's token, the account's others. */
const FOREIGN_ARNS = [
  'arn:aws:ssm:us-east-1:123456789012:parameter/ydeploy/production/discord-token',
  'arn:aws:ssm:us-east-1:123456789012:parameter/database/password',
];
const READ_PARAMETER_ACTIONS = [
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:GetParameterHistory',
];

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
}

let moto: Moto;
let module: ModuleCopy;
let aws: Clients;
let plan: PlanJson;

const vars: Vars = {
  environment: ENV,
  region: REGION,
  release_bucket: STATE_BUCKET,
  discord_token_parameter: TOKEN,
  instance_type: 't3.micro',
  aws_compat_endpoint: true,
  enable_legacy_instance: false,
  enable_enhanced_instance: true,
  release_version: 'v1',
};

/** An IAM wildcard pattern (* and ?) as a case-insensitive regular expression. */
function glob(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

const list = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

/** Does this statement let its holder read the parameter `arn`? (NotAction/NotResource count as yes.) */
function grantsRead(statement: Statement, arn: string): boolean {
  if (statement.Effect !== 'Allow') return false;
  if (statement.NotAction !== undefined || statement.NotResource !== undefined) return true;
  const action = list(statement.Action).some((a) => READ_PARAMETER_ACTIONS.some((read) => glob(a).test(read)));
  const resource = list(statement.Resource).some((r) => glob(r).test(arn));
  return action && resource;
}

function resources(type: string) {
  return (plan.planned_values?.root_module.resources ?? []).filter((r) => r.type === type);
}

/** Every statement of the policies the instance role holds inline, from the plan. */
function instanceStatements(): Statement[] {
  const inline = resources('aws_iam_role_policy').filter((r) => r.address === 'aws_iam_role_policy.instance');
  expect(inline).toHaveLength(1);
  const document = inline[0]!.values.policy;
  expect(typeof document, 'the instance policy is known at plan time').toBe('string');
  return (JSON.parse(document as string) as { Statement: Statement[] }).Statement;
}

beforeAll(async () => {
  moto = await startMoto();
  aws = clients(moto);
  module = await ModuleCopy.create();
  await createStateBucket(aws);
  await putToken(aws, TOKEN);
  const stack = module.stack(ENV, moto.env);
  await stack.init({ bucket: STATE_BUCKET, key: `ydeploy/${ENV}/terraform.tfstate`, region: REGION });
  plan = (await stack.plan(vars)).json;
});

afterAll(async () => {
  await moto?.stop();
  await module?.cleanup();
});

describe('the instance role, as planned', () => {
  it('has no AWS managed policy attached (AmazonSSMManagedInstanceCore reads every parameter)', () => {
    const attached = resources('aws_iam_role_policy_attachment').filter(
      (r) => r.values.role === `ydeploy-${ENV}-bot-instance`,
    );
    expect(attached.map((r) => r.values.policy_arn)).toEqual([]);
    const everywhere = resources('aws_iam_role_policy_attachment').map((r) => String(r.values.policy_arn));
    expect(everywhere.filter((arn) => arn.includes('AmazonSSMManagedInstanceCore'))).toEqual([]);
  });

  it('can read its own token parameter and no other: no ssm:GetParameter* on "*" or on a foreign parameter', () => {
    const statements = instanceStatements();
    for (const arn of ['*', ...FOREIGN_ARNS])
      expect(
        statements.filter((s) => grantsRead(s, arn)).map((s) => s.Sid),
        arn,
      ).toEqual([]);
    expect(statements.filter((s) => grantsRead(s, TOKEN_ARN)).map((s) => s.Sid)).toEqual(['ReadDiscordToken']);
  });

  it('still lets the SSM agent register and take Run Command', () => {
    const actions = instanceStatements()
      .filter((s) => list(s.Resource).includes('*'))
      .flatMap((s) => list(s.Action));
    expect(actions).toEqual(
      expect.arrayContaining([
        'ssm:UpdateInstanceInformation',
        'ec2messages:GetMessages',
        'ec2messages:SendReply',
        'ssmmessages:CreateControlChannel',
        'ssmmessages:OpenControlChannel',
      ]),
    );
  });

  it('grantsRead recognises wildcards, so the check above can fail', () => {
    expect(grantsRead({ Effect: 'Allow', Action: 'ssm:GetParameter*', Resource: '*' }, FOREIGN_ARNS[1]!)).toBe(true);
    expect(
      grantsRead({ Effect: 'Allow', Action: 'ssm:*', Resource: 'arn:aws:ssm:*:*:parameter/*' }, FOREIGN_ARNS[0]!),
    ).toBe(true);
    expect(grantsRead({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, '*')).toBe(true);
    expect(grantsRead({ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: TOKEN_ARN }, FOREIGN_ARNS[0]!)).toBe(
      false,
    );
    expect(grantsRead({ Effect: 'Deny', Action: '*', Resource: '*' }, '*')).toBe(false);
  });
});
