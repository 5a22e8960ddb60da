// `ydeploy init` with flags (the CI path), in-process through main(), in a temporary directory.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { loadEnvironment } from '../../../cli/config/load.js';
import { buildConfig } from '../../../cli/config/init.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ydeploy-init-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function init(args: string[], stdinText = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const stdin = Object.assign(Readable.from([stdinText]), { isTTY: false });
  const code = await main(['init', ...args], {
    cwd: dir,
    stdout: stdout as never,
    stderr: stderr as never,
    stdin,
    env: { PATH: process.env.PATH },
  });
  return { code, out, err };
}

describe('ydeploy init with flags', () => {
  it('writes a config that validates and resolves', async () => {
    const { code, err } = await init([
      '--env',
      'production',
      '--region',
      'eu-west-1',
      '--project',
      'acme',
      '--state-bucket',
      'acme-state',
      '--release-bucket',
      'acme-releases',
      '--token-parameter',
      '/acme/discord-token',
    ]);
    expect(code).toBe(0);
    expect(err).toContain('✔ Wrote ydeploy.config.json');
    expect(err).toContain('ydeploy init --store-token --env production');
    const written = JSON.parse(await readFile(join(dir, 'ydeploy.config.json'), 'utf8'));
    expect(written).toEqual({
      project: 'acme',
      defaultEnvironment: 'production',
      environments: {
        production: {
          region: 'eu-west-1',
          stateBucket: 'acme-state',
          tokenParameter: '/acme/discord-token',
          releaseBucket: 'acme-releases',
        },
      },
    });
    const env = await loadEnvironment({ cwd: dir, environment: {} });
    expect(env).toMatchObject({
      name: 'production',
      project: 'acme',
      region: 'eu-west-1',
      releaseBucket: 'acme-releases',
      sandbox: false,
    });
  });

  it('fills in defaults: project from the folder, token parameter from project and environment', async () => {
    const { code } = await init(['--env', 'staging', '--state-bucket', 'acme-staging']);
    expect(code).toBe(0);
    const written = JSON.parse(await readFile(join(dir, 'ydeploy.config.json'), 'utf8'));
    expect(written.project).toMatch(/^ydeploy-init-/);
    expect(written.environments.staging).toEqual({
      region: 'us-east-1',
      stateBucket: 'acme-staging',
      tokenParameter: `/${written.project}/staging/discord-token`,
    });
  });

  it('refuses to overwrite without --force (exit 2 with the fix), and --force keeps other environments', async () => {
    await init(['--env', 'production', '--state-bucket', 'acme-prod']);
    const before = await readFile(join(dir, 'ydeploy.config.json'), 'utf8');
    const refused = await init(['--env', 'staging', '--state-bucket', 'acme-staging']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      `✖ ${join(dir, 'ydeploy.config.json')} already exists: init does not overwrite a config`,
    );
    expect(refused.err).toContain('→ ydeploy init --force');
    expect(await readFile(join(dir, 'ydeploy.config.json'), 'utf8')).toBe(before);

    const forced = await init(['--env', 'staging', '--state-bucket', 'acme-staging', '--force']);
    expect(forced.code).toBe(0);
    const written = JSON.parse(await readFile(join(dir, 'ydeploy.config.json'), 'utf8'));
    expect(Object.keys(written.environments)).toEqual(['production', 'staging']);
    expect(written.defaultEnvironment).toBe('production');
    expect(written.environments.production).toEqual({
      region: 'us-east-1',
      stateBucket: 'acme-prod',
      tokenParameter: expect.stringMatching(/^\/ydeploy-init-.*\/production\/discord-token$/),
    });
  });

  it('needs a state bucket when it cannot ask', async () => {
    const { code, err } = await init(['--env', 'production']);
    expect(code).toBe(2);
    expect(err).toContain('init needs a state bucket');
    expect(err).toContain('--state-bucket <bucket>');
  });

  it('rejects invalid values with the problem, writing nothing', async () => {
    const { code, err, out } = await init([
      '--env',
      'production',
      '--region',
      'moon',
      '--state-bucket',
      'b',
      '--token-parameter',
      'no-slash',
      '--json',
    ]);
    expect(code).toBe(2);
    expect(err).toContain('$.environments.production.region: must be an AWS region such as us-east-1');
    expect(err).toContain('$.environments.production.stateBucket');
    expect(err).toContain('$.environments.production.tokenParameter');
    expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ type: 'result', ok: false, exitCode: 2 });
    await expect(readFile(join(dir, 'ydeploy.config.json'))).rejects.toThrow(/ENOENT/);
  });

  it('has no flag for the token and fails cleanly on an empty stdin, writing nothing', async () => {
    const flag = await init(['--env', 'production', '--state-bucket', 'acme-prod', '--token', 'secret']);
    expect(flag.code).toBe(2);
    const empty = await init(['--env', 'production', '--state-bucket', 'acme-prod', '--store-token'], '');
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('no Discord token given: standard input was empty');
    await expect(readFile(join(dir, 'ydeploy.config.json'))).rejects.toThrow(/ENOENT/);
  });

  it('prints a JSON result with --json', async () => {
    const { code, out } = await init(['--env', 'production', '--state-bucket', 'acme-prod', '--json']);
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({
      type: 'result',
      ok: true,
      environment: 'production',
      written: true,
      tokenStored: false,
    });
  });

  it('starts over from a broken file with --force', async () => {
    await writeFile(join(dir, 'ydeploy.config.json'), '{ not json');
    expect((await init(['--env', 'production', '--state-bucket', 'acme-prod'])).code).toBe(2);
    expect((await init(['--env', 'production', '--state-bucket', 'acme-prod', '--force'])).code).toBe(0);
  });

  it('merges an environment into an existing config', () => {
    const config = buildConfig(
      {
        project: 'acme',
        environment: 'prod',
        region: 'eu-west-1',
        stateBucket: 's',
        releaseBucket: 's',
        tokenParameter: '/t',
      },
      {
        project: 'old',
        environments: {
          prod: { stateBucket: 'x', tokenParameter: '/x', instanceType: 't3.large' },
          dev: { stateBucket: 'd', tokenParameter: '/d' },
        },
      },
    );
    expect(config).toEqual({
      project: 'acme',
      defaultEnvironment: 'prod',
      environments: {
        prod: { stateBucket: 's', tokenParameter: '/t', instanceType: 't3.large', region: 'eu-west-1' },
        dev: { stateBucket: 'd', tokenParameter: '/d' },
      },
    });
  });
});
