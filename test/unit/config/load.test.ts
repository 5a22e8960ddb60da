import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, loadEnvironment, parseConfig } from '../../../cli/config/load.js';
import { PACKAGE_ROOT } from '../../../cli/package-root.js';
import { ExitCode, UsageError } from '../../../cli/errors.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'ydeploy-config-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

const production = { stateBucket: 'acme-state', tokenParameter: '/acme/discord-token', region: 'eu-west-1' };

function write(name: string, value: unknown): string {
  const file = join(cwd, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).code).toBe(ExitCode.usage);
  return error as UsageError;
}

describe('parseConfig', () => {
  it('lists every problem with its JSON path', () => {
    const text = JSON.stringify({
      project: 'Bad Name',
      color: true,
      environments: {
        production: { region: 'europe', health: { port: 70000, gateTimeout: 'soon' }, terraform: { binary: 3 } },
      },
    });
    let error: UsageError | undefined;
    try {
      parseConfig(text, '/repo/ydeploy.config.json');
    } catch (e) {
      error = e as UsageError;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.code).toBe(ExitCode.usage);
    expect(error!.what).toBe('config /repo/ydeploy.config.json is invalid');
    const problems = error!.details!.problems as string[];
    expect(problems).toHaveLength(8);
    expect(problems).toEqual(
      expect.arrayContaining([
        '$.project: lowercase letters, digits and dashes, starting with a letter',
        expect.stringMatching(/^\$: Unrecognized key: "color"/),
        '$.environments.production.region: must be an AWS region such as us-east-1',
        expect.stringMatching(/^\$\.environments\.production\.stateBucket: /),
        expect.stringMatching(/^\$\.environments\.production\.tokenParameter: /),
        expect.stringMatching(/^\$\.environments\.production\.health\.port: /),
        '$.environments.production.health.gateTimeout: "soon" is not a positive duration (try "30s" or "5m")',
        expect.stringMatching(/^\$\.environments\.production\.terraform\.binary: /),
      ]),
    );
    expect(error!.why).toBe(`8 problems\n  ${problems.join('\n  ')}`);
    expect(error!.fix).toBe('fix /repo/ydeploy.config.json (reference: README.md#configuration)');
  });

  it('says where the JSON is broken', () => {
    expect(() => parseConfig('{ "environments": ', '/repo/c.json')).toThrow(UsageError);
    try {
      parseConfig('{ "environments": ', '/repo/c.json');
    } catch (e) {
      expect((e as UsageError).what).toBe('config /repo/c.json is not valid JSON');
      expect((e as UsageError).fix).toBe('fix the syntax in /repo/c.json');
    }
  });

  it('rejects a health.path or discordApi a shell would read as code (they go into scripts run as root)', () => {
    const text = JSON.stringify({
      environments: {
        production: { ...production, health: { path: '/health$(reboot)' }, discordApi: 'https://x.test/"; reboot; "' },
        staging: { ...production, discordApi: 'ftp://discord.com/api' },
      },
    });
    let error: UsageError | undefined;
    try {
      parseConfig(text, 'c.json');
    } catch (e) {
      error = e as UsageError;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.details!.problems).toEqual([
      '$.environments.production.health.path: must be a URL path such as /health (letters, digits, - . _ ~ / % only)',
      '$.environments.production.discordApi: must be an http(s) URL such as https://discord.com/api',
      '$.environments.staging.discordApi: must be an http(s) URL such as https://discord.com/api',
    ]);
    expect(() =>
      parseConfig(
        JSON.stringify({ environments: { production: { ...production, health: { path: '/ready/v1' } } } }),
        'c.json',
      ),
    ).not.toThrow();
  });

  it('rejects environment names that cannot be resource names', () => {
    expect(() => parseConfig(JSON.stringify({ environments: { Prod_1: production } }), 'c.json')).toThrow(
      /environment names are lowercase/,
    );
  });
});

describe('loadConfig', () => {
  it('reads ydeploy.config.json from the working directory', async () => {
    const file = write('ydeploy.config.json', { project: 'acme', environments: { production } });
    const { config, file: found } = await loadConfig({ cwd, environment: {} });
    expect(found).toBe(file);
    expect(config.project).toBe('acme');
  });

  it('without a file, the defaults (the sandbox needs none)', async () => {
    expect(await loadConfig({ cwd, environment: {} })).toEqual({
      config: { project: 'ydeploy', sandbox: { legacy: true }, environments: {} },
    });
  });

  it('a missing --config or YDEPLOY_CONFIG file is an error', async () => {
    const error = await usageError(loadConfig({ cwd, config: 'nope.json', environment: {} }));
    expect(error.message).toBe(`config file ${join(cwd, 'nope.json')} not found: the file does not exist`);
    expect(error.fix).toBe('ydeploy init (or fix --config / YDEPLOY_CONFIG)');
    await usageError(loadConfig({ cwd, environment: { YDEPLOY_CONFIG: 'also-nope.json' } }));
  });

  it('YDEPLOY_CONFIG names the file; --config wins over it', async () => {
    write('a.json', { project: 'from-env' });
    write('b.json', { project: 'from-flag' });
    expect((await loadConfig({ cwd, environment: { YDEPLOY_CONFIG: 'a.json' } })).config.project).toBe('from-env');
    expect(
      (await loadConfig({ cwd, config: 'b.json', environment: { YDEPLOY_CONFIG: 'a.json' } })).config.project,
    ).toBe('from-flag');
  });

  it('an unparseable file is a usage error', async () => {
    write('ydeploy.config.json', 'not json');
    const error = await usageError(loadConfig({ cwd, environment: {} }));
    expect(error.what).toBe(`config ${join(cwd, 'ydeploy.config.json')} is not valid JSON`);
  });
});

describe('loadEnvironment', () => {
  it("a config's environments.sandbox changes only what it names; the rest stays the sandbox's", async () => {
    write('ydeploy.config.json', { environments: { sandbox: { lockTtl: '30s', health: { gateTimeout: '2m' } } } });
    const env = await loadEnvironment({ cwd, environment: {}, env: 'sandbox' });
    expect(env).toMatchObject({
      name: 'sandbox',
      lockTtl: 30_000,
      stateBucket: 'ydeploy-sandbox-state',
      tokenParameter: '/ydeploy/sandbox/discord-token',
      health: { gateTimeout: 120_000, pollInterval: 500, onlineTimeout: 60_000 },
    });
    const plain = await loadEnvironment({ cwd: join(cwd, 'none'), environment: {}, env: 'sandbox' });
    expect(plain.lockTtl).toBe(120_000);
  });

  it('with no config file at all, the built-in sandbox', async () => {
    const env = await loadEnvironment({ cwd, environment: {} });
    expect(env).toMatchObject({
      name: 'sandbox',
      sandbox: true,
      project: 'ydeploy',
      stateBucket: 'ydeploy-sandbox-state',
      releaseBucket: 'ydeploy-sandbox-releases',
    });
    expect(env.terraform.dir).toBe(resolve(PACKAGE_ROOT, 'terraform'));
    expect(env.configFile).toBeUndefined();
  });

  it('--env sandbox works beside a config that does not mention it', async () => {
    write('ydeploy.config.json', { environments: { production } });
    expect((await loadEnvironment({ cwd, env: 'sandbox', environment: {} })).sandbox).toBe(true);
  });

  it('an unknown environment names the known ones', async () => {
    write('ydeploy.config.json', { environments: { production, staging: production } });
    const error = await usageError(loadEnvironment({ cwd, env: 'prod', environment: {} }));
    expect(error.message).toBe('unknown environment "prod": known environments: production, staging, sandbox');
    expect(error.fix).toBe(
      `add it to ${join(cwd, 'ydeploy.config.json')} or pass one of: --env production, staging, sandbox`,
    );
  });

  it('an unknown environment without a config file says how to create it', async () => {
    const error = await usageError(loadEnvironment({ cwd, env: 'production', environment: {} }));
    expect(error.fix).toBe('ydeploy init --env production');
  });

  it('picks --env, then YDEPLOY_ENV, then defaultEnvironment, then the only one', async () => {
    write('ydeploy.config.json', {
      defaultEnvironment: 'staging',
      environments: { production, staging: { ...production, region: 'us-west-2' } },
    });
    expect((await loadEnvironment({ cwd, environment: {} })).name).toBe('staging');
    expect((await loadEnvironment({ cwd, environment: { YDEPLOY_ENV: 'production' } })).name).toBe('production');
    expect((await loadEnvironment({ cwd, env: 'staging', environment: { YDEPLOY_ENV: 'production' } })).name).toBe(
      'staging',
    );
    write('one.json', { environments: { production } });
    expect((await loadEnvironment({ cwd, config: 'one.json', environment: {} })).name).toBe('production');
  });

  it('several environments and no default: asks for --env', async () => {
    write('ydeploy.config.json', { environments: { production, staging: production } });
    const error = await usageError(loadEnvironment({ cwd, environment: {} }));
    expect(error.what).toBe('no environment chosen');
    expect(error.fix).toBe('pass --env production');
  });

  it('resolves paths against the config file and lets --region and --profile win', async () => {
    mkdirSync(join(cwd, 'deploy'));
    write('deploy/ydeploy.config.json', {
      environments: {
        production: {
          ...production,
          profile: 'acme',
          terraform: {
            dir: 'infra',
            varFiles: ['extra.tfvars', '/abs.tfvars'],
            pluginDir: 'mirror',
            cliConfig: 'tf.rc',
          },
        },
      },
    });
    const env = await loadEnvironment({
      cwd,
      config: 'deploy/ydeploy.config.json',
      region: 'ap-south-1',
      environment: {},
    });
    expect(env.region).toBe('ap-south-1');
    expect(env.profile).toBe('acme');
    expect(env.releaseBucket).toBe('acme-state');
    expect(env.sandbox).toBe(false);
    expect(env.terraform).toMatchObject({
      dir: join(cwd, 'deploy', 'infra'),
      varFiles: [join(cwd, 'deploy', 'extra.tfvars'), '/abs.tfvars'],
      pluginDir: join(cwd, 'deploy', 'mirror'),
      cliConfig: join(cwd, 'deploy', 'tf.rc'),
    });
    expect(
      (await loadEnvironment({ cwd, config: 'deploy/ydeploy.config.json', profile: 'other', environment: {} })).profile,
    ).toBe('other');
  });
});
