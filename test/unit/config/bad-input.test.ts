// Config values that AWS, terraform or the instances would refuse later (or quietly misread) are
// refused when the config is read: exit 2, the JSON path, why, and the file to fix.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../cli/config/load.js';
import { IAM_ROLE_NAME_MAX, IAM_ROLE_SUFFIXES, OWNED_TERRAFORM_VARS } from '../../../cli/config/schema.js';
import { emptyDesired } from '../../../cli/core/desired/state.js';
import { sandboxEnvironment } from '../../../cli/config/sandbox.js';
import { PACKAGE_ROOT } from '../../../cli/package-root.js';
import { ExitCode, UsageError } from '../../../cli/errors.js';

const production = { stateBucket: 'acme-state', tokenParameter: '/acme/discord-token' };

function problems(config: unknown): string[] {
  try {
    parseConfig(JSON.stringify(config), '/repo/ydeploy.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe(ExitCode.usage);
    expect((error as UsageError).what).toBe('config /repo/ydeploy.config.json is invalid');
    expect((error as UsageError).fix).toBe('fix /repo/ydeploy.config.json (reference: README.md#configuration)');
    return (error as UsageError).details!.problems as string[];
  }
  return [];
}

const env = (settings: Record<string, unknown>) => ({ environments: { production: { ...production, ...settings } } });

describe('durations', () => {
  it('an empty or zero duration is refused, not a crash or a wait that never waits', () => {
    expect(problems(env({ lockTtl: '', health: { pollInterval: '  ', gateTimeout: 0 } }))).toEqual([
      '$.environments.production.health.pollInterval: "  " is not a positive duration (try "30s" or "5m")',
      '$.environments.production.health.gateTimeout: "0" is not a positive duration (try "30s" or "5m")',
      '$.environments.production.lockTtl: "" is not a positive duration (try "30s" or "5m")',
    ]);
  });

  it('lockTtl is bounded: 30 s to 1 h', () => {
    expect(problems(env({ lockTtl: '10s' }))).toEqual([
      '$.environments.production.lockTtl: 10 seconds is outside 30 seconds to 1 hour (try "2m" or "10m")',
    ]);
    expect(problems(env({ lockTtl: '2h' }))).toEqual([
      '$.environments.production.lockTtl: 2 hours is outside 30 seconds to 1 hour (try "2m" or "10m")',
    ]);
    expect(problems(env({ lockTtl: '30s' }))).toEqual([]);
    expect(problems(env({ lockTtl: 3_600_000 }))).toEqual([]);
  });
});

describe('S3 bucket names', () => {
  it.each([
    ['ab', 'must be 3 to 63 characters long'],
    ['a'.repeat(64), 'must be 3 to 63 characters long'],
    ['Acme-State', 'must be lowercase letters, digits, dots and dashes only'],
    ['acme_state', 'must be lowercase letters, digits, dots and dashes only'],
    ['-acme', 'must begin and end with a letter or a digit'],
    ['acme.', 'must begin and end with a letter or a digit'],
    ['acme..state', 'must not contain two dots in a row'],
    ['192.168.5.4', 'must not look like an IP address'],
    ['xn--acme', 'must not start with "xn--" (reserved by S3)'],
    ['sthree-acme', 'must not start with "sthree-" (reserved by S3)'],
    ['acme-s3alias', 'must not end with "-s3alias" (reserved by S3)'],
    ['acme--ol-s3', 'must not end with "--ol-s3" (reserved by S3)'],
  ])('%s: %s', (bucket, why) => {
    expect(problems(env({ stateBucket: bucket, releaseBucket: bucket }))).toEqual([
      `$.environments.production.stateBucket: ${why} (S3 bucket names, e.g. acme-ydeploy-state)`,
      `$.environments.production.releaseBucket: ${why} (S3 bucket names, e.g. acme-ydeploy-state)`,
    ]);
  });

  it('accepts names S3 accepts', () => {
    expect(problems(env({ stateBucket: 'acme.state-1', releaseBucket: '123' }))).toEqual([]);
  });
});

describe('SSM parameter names', () => {
  it.each([
    ['acme/token', 'must start with "/" (a path such as /acme/production/discord-token)'],
    ['/acme//token', 'must be /-separated parts of letters, digits, _ . and - (no empty part, no trailing /)'],
    ['/acme/token/', 'must be /-separated parts of letters, digits, _ . and - (no empty part, no trailing /)'],
    ['/acme/discord token', 'must be /-separated parts of letters, digits, _ . and - (no empty part, no trailing /)'],
    ['/acme/$(reboot)', 'must be /-separated parts of letters, digits, _ . and - (no empty part, no trailing /)'],
    [`/${'a'.repeat(1011)}`, 'must be at most 1011 characters'],
    [`/${Array(16).fill('a').join('/')}`, 'must have at most 15 levels'],
    ['/aws/token', 'must not start with "aws" or "ssm" (reserved by AWS)'],
    ['/SSM-things/token', 'must not start with "aws" or "ssm" (reserved by AWS)'],
  ])('%s: %s', (parameter, why) => {
    expect(problems(env({ tokenParameter: parameter }))).toEqual([`$.environments.production.tokenParameter: ${why}`]);
  });
});

describe('discordApi', () => {
  it('plain http is refused unless the host is this machine (the bot token is sent there)', () => {
    expect(problems(env({ discordApi: 'http://discord.example.com/api' }))).toEqual([
      '$.environments.production.discordApi: must use https: the bot token is sent to discord.example.com and plain http would expose it (http is for 127.0.0.1 / localhost only)',
    ]);
    expect(problems(env({ discordApi: 'http://10.0.0.5:8080/api' }))[0]).toMatch(/sent to 10\.0\.0\.5:8080/);
    expect(problems(env({ discordApi: 'http://127.0.0.1.example.com/api' }))).toHaveLength(1);
    for (const url of [
      'https://discord.com/api',
      'http://127.0.0.1:9000/api',
      'http://localhost:1/api',
      'http://[::1]:9/api',
    ])
      expect(problems(env({ discordApi: url })), url).toEqual([]);
  });
});

describe('health.port', () => {
  it('is 1024 or more: the bot runs unprivileged and the module refuses lower ports', () => {
    expect(problems(env({ health: { port: 80 } }))).toEqual([
      '$.environments.production.health.port: must be 1024 to 65535 (the bot runs unprivileged; the module refuses lower ports)',
    ]);
  });
});

describe('terraform.vars', () => {
  it('refuses a variable ydeploy sets itself, saying where it is set instead', () => {
    const vars = { instance_type: 't3.large', enable_legacy_instance: true, vpc_cidr: '10.1.0.0/16' };
    expect(problems(env({ terraform: { vars } }))).toEqual([
      '$.environments.production.terraform.vars.instance_type: ydeploy sets instance_type itself: set the environment\'s "instanceType", and remove it from terraform.vars',
      '$.environments.production.terraform.vars.enable_legacy_instance: ydeploy sets enable_legacy_instance itself: migrate and rollback decide it, and remove it from terraform.vars',
    ]);
    expect(problems(env({ terraform: { vars: { vpc_cidr: '10.1.0.0/16', alarm_actions: [] } } }))).toEqual([]);
  });

  it('the owned list is every variable of the desired state', () => {
    const desired = emptyDesired({
      ...sandboxEnvironment(),
      alarms: { email: 'ops@example.com' },
      name: 'sandbox',
      project: 'p',
    } as never);
    // serving_role and shard_groups are in a desired state only while an overlap or a fleet runs.
    expect(Object.keys(OWNED_TERRAFORM_VARS).sort()).toEqual(
      [...Object.keys(desired), 'serving_role', 'shard_groups'].sort(),
    );
  });

  it('refuses shard_groups: the fleet settings decide the groups', () => {
    expect(problems(env({ terraform: { vars: { shard_groups: {} } } }))).toEqual([
      '$.environments.production.terraform.vars.shard_groups: ydeploy sets shard_groups itself: set the environment\'s "fleet" (its shards and shardsPerInstance decide the groups), and remove it from terraform.vars',
    ]);
  });
});

describe('alarms.email', () => {
  it('is an e-mail address, and not settable through terraform.vars', () => {
    expect(problems(env({ alarms: { email: 'ops@example.com' } }))).toEqual([]);
    expect(problems(env({ alarms: { email: 'ops at example.com' } }))).toEqual([
      '$.environments.production.alarms.email: must be an e-mail address such as ops@example.com',
    ]);
    expect(problems(env({ terraform: { vars: { alarm_email: 'ops@example.com' } } }))).toEqual([
      '$.environments.production.terraform.vars.alarm_email: ydeploy sets alarm_email itself: set the environment\'s "alarms.email", and remove it from terraform.vars',
    ]);
  });
});

describe('IAM role names', () => {
  it('refuses a project and environment whose role name would pass 64 characters', () => {
    const project = 'a'.repeat(30);
    const environment = 'b'.repeat(22);
    const role = `${project}-${environment}-bot-instance`;
    expect(role).toHaveLength(66);
    expect(problems({ project, environments: { [environment]: production } })).toEqual([
      `$.environments.${environment}: the IAM role name ${role} would be 66 characters and IAM allows 64: shorten "project" or the environment's name by 2`,
    ]);
    expect(problems({ project, environments: { [environment.slice(2)]: production } })).toEqual([]);
  });

  it('knows every IAM role name the module derives', () => {
    const iam = readFileSync(resolve(PACKAGE_ROOT, 'terraform/iam.tf'), 'utf8');
    const roles = [...iam.matchAll(/resource "aws_iam_role" "\w+" \{\s*name\s*=\s*"\$\{local\.name\}([^"]*)"/g)].map(
      (m) => m[1],
    );
    expect(roles.length).toBeGreaterThan(0);
    expect([...roles].sort()).toEqual([...IAM_ROLE_SUFFIXES].sort());
    expect(IAM_ROLE_NAME_MAX).toBe(64);
  });
});

describe('network', () => {
  it('defaults to the NAT gateway, a t4g.nano NAT instance type and no interface endpoint', () => {
    const config = parseConfig(JSON.stringify(env({})), '/repo/ydeploy.config.json');
    expect(config.environments.production!.network).toEqual({
      nat: 'gateway',
      natInstanceType: 't4g.nano',
      interfaceEndpoints: [],
    });
  });

  it('takes a NAT instance and any of the four interface endpoints', () => {
    const network = {
      nat: 'instance',
      natInstanceType: 't4g.micro',
      interfaceEndpoints: ['ssm', 'ssmmessages', 'ec2messages', 'logs'],
    };
    expect(problems(env({ network }))).toEqual([]);
    expect(
      parseConfig(JSON.stringify(env({ network })), '/repo/ydeploy.config.json').environments.production!.network,
    ).toEqual(network);
  });

  it('refuses an unknown NAT, endpoint or instance type, a repeated endpoint and unknown keys', () => {
    expect(
      problems(
        env({ network: { nat: 'none', natInstanceType: 'tiny', interfaceEndpoints: ['ssm', 's3'], vpc: true } }),
      ),
    ).toEqual([
      '$.environments.production.network.nat: must be "gateway" (the managed NAT gateway) or "instance" (a NAT instance)',
      '$.environments.production.network.natInstanceType: must be an EC2 instance type such as t4g.nano',
      '$.environments.production.network.interfaceEndpoints.1: must be one of ssm, ssmmessages, ec2messages, logs',
      '$.environments.production.network: Unrecognized key: "vpc"',
    ]);
    expect(problems(env({ network: { interfaceEndpoints: ['logs', 'logs'] } }))).toEqual([
      '$.environments.production.network.interfaceEndpoints: must not name an endpoint twice',
    ]);
  });

  it('is not settable through terraform.vars', () => {
    expect(problems(env({ terraform: { vars: { nat_type: 'instance', interface_endpoints: [] } } }))).toEqual([
      '$.environments.production.terraform.vars.nat_type: ydeploy sets nat_type itself: set the environment\'s "network.nat", and remove it from terraform.vars',
      '$.environments.production.terraform.vars.interface_endpoints: ydeploy sets interface_endpoints itself: set the environment\'s "network.interfaceEndpoints", and remove it from terraform.vars',
    ]);
  });
});
