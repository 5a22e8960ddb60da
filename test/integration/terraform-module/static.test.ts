// The module without AWS: formatting, validation, the variables' validation messages, and the
// user data it renders (shellcheck, systemd-analyze verify, no secret). Needs the Debian
// packages shellcheck and systemd (systemd-analyze), which the tests' setup brings in.
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleCopy, userDataFiles, type Vars } from '../../_helpers/terraform.js';
import { ensureCommand, pluginDir } from '../../_helpers/tools.js';

// No AWS is reached: a dead endpoint makes any accidental call fail fast instead of leaving.
const offline = {
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'offline',
  AWS_SECRET_ACCESS_KEY: 'offline',
  AWS_REGION: 'us-east-1',
  AWS_MAX_ATTEMPTS: '1',
};

const base: Vars = {
  environment: 'staging',
  release_bucket: 'acme-releases',
  release_version: 'v2',
  discord_token_parameter: '/ydeploy/staging/discord-token',
};

let module: ModuleCopy;

beforeAll(async () => {
  module = await ModuleCopy.create({ localBackend: true });
  await module.must(['init', '-input=false', '-no-color', `-plugin-dir=${pluginDir()}`], { env: offline });
});

afterAll(async () => {
  await module?.cleanup();
});

/**
 * The variable validation errors for these variables, as one line of text each. `console`
 * evaluates the variables without configuring the provider (plan would contact AWS for the
 * cross-variable rules).
 */
async function validationErrors(vars: Vars): Promise<string[]> {
  const file = await module.writeVars(`bad-${Math.random().toString(36).slice(2)}`, vars);
  const run = await module.run(['console', '-no-color', `-var-file=${file}`], {
    env: offline,
    input: 'var.environment\n',
  });
  const text = `${run.stderr}\n${run.stdout}`.replace(/\s+/g, ' ');
  return text
    .split('Error: Invalid value for variable')
    .slice(1)
    .map((chunk) => chunk.trim());
}

/** The user data the module renders for each release in use, through `terraform console`. */
async function renderUserData(vars: Vars): Promise<Record<string, string>> {
  const file = await module.writeVars(`render-${Math.random().toString(36).slice(2)}`, vars);
  const run = await module.must(['console', `-var-file=${file}`], {
    env: offline,
    input: 'nonsensitive(base64encode(jsonencode(local.user_data)))\n',
  });
  const encoded = JSON.parse(run.stdout.trim()) as string;
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, string>;
}

describe('terraform module: static checks', () => {
  it('is formatted (terraform fmt -check)', async () => {
    const run = await module.run(['fmt', '-check', '-recursive', '-diff', '-no-color'], { env: offline });
    expect(run.stdout).toBe('');
    expect(run.exitCode).toBe(0);
  });

  it('validates without errors or warnings', async () => {
    const run = await module.run(['validate', '-json', '-no-color'], { env: offline });
    const result = JSON.parse(run.stdout) as {
      valid: boolean;
      error_count: number;
      warning_count: number;
      diagnostics: unknown[];
    };
    expect(result.diagnostics).toEqual([]);
    expect(result).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  it('rejects bad variables, each with its own message', async () => {
    const errors = await validationErrors({
      project: '9lives',
      environment: 'Prod_1',
      region: 'mars',
      release_bucket: 'Not A Bucket',
      release_version: 'v 1',
      discord_token_parameter: 'token with spaces',
      discord_api: 'ftp://discord.example',
      health_port: 80,
      vpc_cidr: '10.0.0.0/8',
      ami_id: 'ubuntu',
      alarm_actions: ['my-topic'],
      alarm_email: 'ops at example.com',
      log_retention_days: 2,
      instance_type: 'big',
      availability_zone_count: 4,
    });
    const expected = [
      'project must be lowercase letters',
      'environment must be lowercase letters',
      'region must be an AWS region',
      'release_bucket must be an S3 bucket name',
      'release_version must be 1-64 letters',
      'discord_token_parameter must be an SSM parameter name',
      'discord_api must be an http(s) URL',
      'health_port must be an integer between 1024 and 65535',
      'vpc_cidr must be an IPv4 CIDR',
      'ami_id must be null or an AMI id',
      'alarm_actions must be ARNs',
      'alarm_email must be an e-mail address',
      'log_retention_days must be a value CloudWatch Logs accepts',
      'instance_type must be an EC2 instance type',
      'availability_zone_count must be 1, 2 or 3',
    ];
    for (const message of expected)
      expect(
        errors.some((e) => e.includes(message)),
        `${message} in:\n${errors.join('\n')}`,
      ).toBe(true);
    expect(errors).toHaveLength(expected.length);
  });

  it('rejects an unknown NAT type or interface endpoint, a repeated endpoint and a bad NAT instance type', async () => {
    const errors = await validationErrors({
      ...base,
      nat_type: 'none',
      nat_instance_type: 'tiny',
      interface_endpoints: ['ssm', 's3'],
    });
    expect(errors).toEqual([
      expect.stringContaining('nat_type must be "gateway" or "instance"'),
      expect.stringContaining('nat_instance_type must be an EC2 instance type such as t4g.nano'),
      expect.stringContaining('interface_endpoints must be distinct names among "ssm", "ssmmessages"'),
    ]);
    expect(await validationErrors({ ...base, interface_endpoints: ['logs', 'logs'] })).toEqual([
      expect.stringContaining('interface_endpoints must be distinct names'),
    ]);
    expect(
      await validationErrors({
        ...base,
        nat_type: 'instance',
        interface_endpoints: ['ssm', 'ssmmessages', 'ec2messages', 'logs'],
      }),
    ).toEqual([]);
  });

  it('renders a NAT instance bootstrap that forwards and masquerades the VPC, persisted, and passes shellcheck', async () => {
    ensureCommand('shellcheck');
    const file = await module.writeVars('nat-user-data', { ...base, nat_type: 'instance', vpc_cidr: '10.9.0.0/16' });
    const run = await module.must(['console', `-var-file=${file}`], {
      env: offline,
      input: 'base64encode(local.nat_instance_user_data)\n',
    });
    const script = Buffer.from(JSON.parse(run.stdout.trim()) as string, 'base64').toString('utf8');
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('net.ipv4.ip_forward = 1');
    expect(script).toContain('/etc/sysctl.d/90-ydeploy-nat.conf');
    expect(script).toContain('ip saddr 10.9.0.0/16 ip daddr != 10.9.0.0/16 masquerade');
    expect(script).toContain('include "/etc/nftables/ydeploy-nat.nft"');
    expect(script).toContain('systemctl enable nftables');
    const checked = await execa('shellcheck', ['-s', 'bash', '-'], { input: script, reject: false });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.exitCode).toBe(0);
  });

  it('rejects a manifest sha256 that is not one', async () => {
    const errors = await validationErrors({ ...base, release_manifest_sha256: { v2: "abc'; reboot" } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('release_manifest_sha256 must map release versions to sha256 hex digests');
  });

  it('rejects a candidate release equal to the serving one, and malformed releases', async () => {
    // One at a time: console holds the (local) state lock.
    const same = await validationErrors({ ...base, candidate_release_version: 'v2' });
    const malformed = await validationErrors({ ...base, candidate_release_version: '..' });
    const dots = await validationErrors({ ...base, release_version: '..' });
    // Rules that refer to other variables run only when those are valid, so these go one by one.
    expect(await validationErrors({ ...base, legacy_release_version: 'a/b' })).toEqual([
      expect.stringContaining('legacy_release_version must be null or 1-64'),
    ]);
    expect(same).toEqual([expect.stringContaining('candidate_release_version must differ from release_version')]);
    expect(malformed).toEqual([expect.stringContaining('candidate_release_version must be null or 1-64')]);
    expect(dots).toEqual([expect.stringContaining('release_version must be 1-64')]);
  });

  it('rejects malformed shard groups, naming the groups each rule fails for', async () => {
    const group = { release: 'v2', shards: [0, 1], shard_count: 4, role: 'active' };
    const errors = await validationErrors({
      ...base,
      shard_groups: {
        'v2.s0-1of4': group,
        'bad key!': group,
        'v 3': { ...group, release: 'v 3' },
        beyond: { ...group, shards: [3, 4] },
        twice: { ...group, shards: [1, 1] },
        none: { ...group, shards: [] },
        zero: { ...group, shards: [0], shard_count: 0 },
        primary: { ...group, role: 'primary' },
        unset: { ...group, shards: null },
      },
    });
    expect(errors).toEqual([
      expect.stringContaining('shard_groups: keys must be 1-128 letters, digits, dots, underscores or dashes'),
      expect.stringContaining(
        'shard_groups: every group needs release, shards, shard_count and role; not so in ["unset"]',
      ),
      expect.stringContaining('shard_groups: release must be 1-64 letters, digits, dots, underscores or dashes'),
      expect.stringContaining('shard_groups: shard_count must be a whole number of at least 1; not so in ["zero"]'),
      expect.stringContaining(
        'shard_groups: shards must be at least one shard id, each a whole number from 0 to shard_count - 1, none twice; not so in ["beyond","none","twice","zero"]',
      ),
      expect.stringContaining('shard_groups: role must be "active" or "standby"; not so in ["primary"]'),
    ]);
    expect(errors[0]).toContain('not so: ["bad key!","v 3"]');
    expect(errors[2]).toContain('not so in ["v 3"]');
    // A Shards tag longer than an EC2 tag value (256 characters).
    const wide = Array.from({ length: 100 }, (_, id) => id);
    expect(
      await validationErrors({ ...base, shard_groups: { wide: { ...group, shards: wide, shard_count: 100 } } }),
    ).toEqual([expect.stringContaining('must fit the 256 characters of an EC2 tag value')]);
    expect(await validationErrors({ ...base, shard_groups: { 'v2.s0-1of4': group } })).toEqual([]);
  });

  it('boots each shard group with its release: one bootstrap per release the groups name', async () => {
    const groups = {
      'v2.s0of2': { release: 'v2', shards: [0], shard_count: 2, role: 'active' },
      'v2.s1of2': { release: 'v2', shards: [1], shard_count: 2, role: 'active' },
      'v4.s0of2': { release: 'v4', shards: [0], shard_count: 2, role: 'standby' },
    };
    // The groups decide the enhanced instances: release_version is not needed beside them, and
    // a candidate_release_version is not started.
    const fleet = { ...base, release_version: null, candidate_release_version: 'v3', shard_groups: groups };
    expect(await validationErrors(fleet)).toEqual([]);
    const rendered = await renderUserData({ ...fleet, release_manifest_sha256: { v4: MANIFEST_SHA } });
    expect(Object.keys(rendered).sort()).toEqual(['v2', 'v4']);
    expect(rendered.v4).toContain(`release_manifest_sha256='${MANIFEST_SHA}'`);
    // Each group's tags say which shards its bot runs; the single-instance layout gets none.
    const file = await module.writeVars(`fleet-${Math.random().toString(36).slice(2)}`, fleet);
    const run = await module.must(['console', `-var-file=${file}`], {
      env: offline,
      input: 'jsonencode({ tags = local.shard_tags, roles = local.enhanced_bot_role })\n',
    });
    expect(JSON.parse(JSON.parse(run.stdout.trim()) as string)).toEqual({
      tags: {
        'v2.s0of2': { Shards: '0', ShardCount: '2', ShardGroup: 's0of2' },
        'v2.s1of2': { Shards: '1', ShardCount: '2', ShardGroup: 's1of2' },
        'v4.s0of2': { Shards: '0', ShardCount: '2', ShardGroup: 's0of2' },
      },
      roles: { 'v2.s0of2': 'active', 'v2.s1of2': 'active', 'v4.s0of2': 'standby' },
    });
    const single = await module.writeVars(`single-${Math.random().toString(36).slice(2)}`, base);
    const plain = await module.must(['console', `-var-file=${single}`], {
      env: offline,
      input: 'jsonencode(local.shard_tags)\n',
    });
    expect(JSON.parse(JSON.parse(plain.stdout.trim()) as string)).toEqual({ v2: {} });
  });

  it('needs a release for every enabled role, and nothing more', async () => {
    const noRelease = { ...base, release_version: null };
    expect(await validationErrors(noRelease)).toEqual([
      expect.stringContaining('release_version must be set while enable_enhanced_instance is true'),
    ]);
    expect(
      await validationErrors({ ...noRelease, enable_enhanced_instance: false, enable_legacy_instance: true }),
    ).toEqual([
      expect.stringContaining(
        'legacy_release_version (or release_version) must be set while enable_legacy_instance is true',
      ),
    ]);
    // Legacy only, with its own release: the guide's starting point before any enhanced release exists.
    const legacyOnly = {
      ...noRelease,
      enable_enhanced_instance: false,
      enable_legacy_instance: true,
      legacy_release_version: 'v1',
    };
    expect(await validationErrors(legacyOnly)).toEqual([]);
    expect(Object.keys(await renderUserData(legacyOnly))).toEqual(['v1']);
  });
});

const MANIFEST = '{"name":"ydeploy-bot","version":"v2","files":{}}\n';
const MANIFEST_SHA = createHash('sha256').update(MANIFEST).digest('hex');

describe('terraform module: rendered user data', () => {
  const vars: Vars = {
    ...base,
    enable_legacy_instance: true,
    legacy_release_version: 'v1',
    candidate_release_version: 'v3',
    health_port: 3100,
    region: 'eu-west-1',
    release_manifest_sha256: { v2: MANIFEST_SHA },
  };
  let rendered: Record<string, string>;
  let root: string;

  beforeAll(async () => {
    ensureCommand('shellcheck');
    ensureCommand('systemd-analyze');
    rendered = await renderUserData(vars);
    root = await mkdtemp(join(tmpdir(), 'ydeploy-userdata-'));
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('renders one bootstrap per release in use, under the 16 KiB EC2 limit', () => {
    expect(Object.keys(rendered).sort()).toEqual(['v1', 'v2', 'v3']);
    for (const [version, script] of Object.entries(rendered)) {
      expect(script.startsWith('#!/bin/bash\n')).toBe(true);
      expect(script).toContain(`release_version='${version}'`);
      expect(Buffer.byteLength(script)).toBeLessThan(16 * 1024);
    }
  });

  it('does not depend on the role an instance plays, so a cut-over or migration step never replaces it', async () => {
    // v3 as the candidate beside v2, then v3 as the only serving release after the cut-over.
    const after = await renderUserData({ ...base, release_version: 'v3', health_port: 3100, region: 'eu-west-1' });
    expect(after.v3).toBe(rendered.v3);
  });

  it('contains no secret: only the token parameter name', () => {
    for (const script of Object.values(rendered)) {
      expect(script).toContain('DISCORD_TOKEN_PARAMETER=/ydeploy/staging/discord-token');
      expect(script).not.toMatch(/^DISCORD_TOKEN=/m);
      expect(script).not.toMatch(/with-decryption|get-parameter|aws ssm/i);
      // The shape of a Discord bot token, and of AWS keys.
      expect(script).not.toMatch(/[\w-]{24,}\.[\w-]{6}\.[\w-]{27,}/);
      expect(script).not.toMatch(/AKIA[0-9A-Z]{16}|aws_secret_access_key/i);
    }
  });

  it('passes shellcheck: the bootstrap and the launcher it installs', async () => {
    for (const script of Object.values(rendered)) {
      const whole = await execa('shellcheck', ['-s', 'bash', '-'], { input: script, reject: false });
      expect(whole.stdout + whole.stderr).toBe('');
      expect(whole.exitCode).toBe(0);
    }
    const launcher = userDataFiles(rendered.v2!).get('/usr/local/libexec/discord-bot/run');
    expect(launcher?.mode).toBe('0755');
    const checked = await execa('shellcheck', ['-s', 'bash', '-'], { input: launcher!.content, reject: false });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.exitCode).toBe(0);
  });

  it('installs systemd units that systemd-analyze verify accepts', async () => {
    const files = userDataFiles(rendered.v2!);
    // A root tree as the instance would have it: the rendered files plus the system's own units.
    for (const [path, file] of files) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), file.content);
      await chmod(join(root, path), parseInt(file.mode, 8));
    }
    await mkdir(join(root, 'usr/lib/systemd'), { recursive: true });
    await cp('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    const units = ['/etc/systemd/system/discord-bot.service', '/etc/systemd/system/discord-health.service'];
    const verify = await execa('systemd-analyze', ['verify', `--root=${root}`, ...units], { reject: false });
    expect(verify.stderr).toBe('');
    expect(verify.exitCode).toBe(0);

    for (const [unit, identifier] of [
      ['discord-bot', 'discord-bot'],
      ['discord-health', 'discord-health'],
    ] as const) {
      const text = files.get(`/etc/systemd/system/${unit}.service`)!.content;
      expect(text).toMatch(/^Restart=on-failure$/m);
      expect(text).toMatch(/^KillSignal=SIGTERM$/m);
      expect(text).toMatch(/^TimeoutStopSec=\d+$/m);
      expect(text).toMatch(/^StandardOutput=journal$/m);
      expect(text).toMatch(new RegExp(`^SyslogIdentifier=${identifier}$`, 'm'));
      expect(text).toMatch(/^User=discord-bot$/m);
      expect(text).toMatch(/^EnvironmentFile=\/etc\/discord-bot\/environment$/m);
    }
    // The role file (/run/discord-bot/control.role) survives the bot's restarts, not a stop.
    expect(files.get('/etc/systemd/system/discord-bot.service')!.content).toMatch(
      /^RuntimeDirectoryPreserve=restart$/m,
    );
  });

  it('installs units systemd-analyze security rates 3.0 or better, with the contract left open', async () => {
    const files = userDataFiles(rendered.v2!);
    for (const unit of ['discord-bot', 'discord-health']) {
      const path = join(root, `${unit}.service`);
      await writeFile(path, files.get(`/etc/systemd/system/${unit}.service`)!.content);
      const rated = await execa('systemd-analyze', ['security', '--offline=yes', '--no-pager', path], {
        reject: false,
      });
      const score = /Overall exposure level for \S+: ([\d.]+)/.exec(rated.stdout + rated.stderr)?.[1];
      expect(score, `${unit}: ${rated.stderr || rated.stdout}`).toBeDefined();
      expect(Number(score), `${unit} exposure`).toBeLessThanOrEqual(3.0);
      const text = files.get(`/etc/systemd/system/${unit}.service`)!.content;
      // The readiness file stays in the shared /tmp, writable; V8's JIT keeps writable+executable
      // memory; the bot reaches Discord, IMDS and SSM over the host's network.
      expect(text).not.toMatch(/^PrivateTmp=yes$/m);
      expect(text).toMatch(/^ReadWritePaths=\/tmp$/m);
      expect(text).not.toMatch(/^MemoryDenyWriteExecute=yes$/m);
      expect(text).not.toMatch(/^PrivateNetwork=yes$/m);
      expect(text).toMatch(/^RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX$/m);
    }
  });

  it('gives the bot and health server their environment, and Run Command the instance-local facts', () => {
    const files = userDataFiles(rendered.v2!);
    const environment = files.get('/etc/discord-bot/environment')!.content;
    expect(environment).toContain('HEALTH_PORT=3100\n');
    expect(environment).toContain('RELEASE_VERSION=v2\n');
    expect(environment).toContain('AWS_REGION=eu-west-1\n');
    expect(environment).toContain('READY_FILE=/tmp/bot-ready\n');
    expect(environment).toContain('CONTROL_SOCKET=/run/discord-bot/control.sock\n');
    expect(environment).toContain('DISCORD_API=https://discord.com/api\n');
    // The health server's embedded metrics go to the namespace the health-failure metric filter uses.
    expect(environment).toMatch(/^METRIC_NAMESPACE=ydeploy\/[^/\n]+\/[^/\n]+$/m);
    // INSTANCE_ID and BOT_ROLE come from instance metadata at each start (IMDSv2).
    const launcher = files.get('/usr/local/libexec/discord-bot/run')!.content;
    expect(launcher).toContain('X-aws-ec2-metadata-token-ttl-seconds');
    expect(launcher).toContain('meta-data/$1');
    expect(launcher).toContain('tags/instance/BotRole');
    expect(launcher).toMatch(/export INSTANCE_ID BOT_ROLE/);

    const ssm = files.get('/etc/systemd/system/amazon-ssm-agent.service.d/ydeploy.conf')!.content;
    expect(ssm).toContain('Environment=YDEPLOY_HEALTH_PORT=3100\n');
    expect(ssm).toContain('Environment=YDEPLOY_READY_FILE=/tmp/bot-ready\n');
    expect(ssm).toContain('Environment=YDEPLOY_CONTROL_SOCKET=/run/discord-bot/control.sock\n');
    expect(ssm).toContain('Environment=YDEPLOY_RELEASE_DIR=/opt/discord-bot/current\n');

    const script = rendered.v2!;
    expect(script).toContain('dnf install -y nodejs22 amazon-cloudwatch-agent rsyslog');
    expect(script).toContain('s3://$release_bucket/releases/$release_version/');
    expect(script).toContain("release_bucket='acme-releases'");
    expect(script).toContain('ln -sfn "$release_dir" /opt/discord-bot/current');
    expect(script).toContain('release_dir="/opt/discord-bot/$release_version"');
  });

  it('pins the manifest sha256 terraform was given, for the releases it was given one for', () => {
    expect(rendered.v2).toContain(`release_manifest_sha256='${MANIFEST_SHA}'`);
    expect(userDataFiles(rendered.v2!).get('/etc/discord-bot/environment')!.content).toContain(
      `RELEASE_MANIFEST_SHA256=${MANIFEST_SHA}\n`,
    );
    expect(rendered.v1).toContain("release_manifest_sha256=''");
  });

  it('refuses, while fetching, a release whose manifest is not the one terraform was given', async () => {
    // The bootstrap's release block, run against a local folder instead of /opt and S3.
    const script = rendered.v2!;
    const block = script.slice(script.indexOf('release_dir="/opt/discord-bot/'), script.indexOf('ln -sfn'));
    const work = await mkdtemp(join(tmpdir(), 'ydeploy-fetch-'));
    const bucket = join(work, 's3');
    await mkdir(bucket);
    const bin = join(work, 'bin');
    await mkdir(bin);
    // `aws s3 cp --only-show-errors --recursive <src> <dst>`: copy the "bucket" folder.
    await writeFile(join(bin, 'aws'), `#!/bin/bash\ncp -R "${bucket}/." "$6"\n`, { mode: 0o755 });
    const run = (manifest: string) =>
      writeFile(join(bucket, 'manifest.json'), manifest).then(() =>
        execa(
          'bash',
          [
            '-c',
            [
              'set -euo pipefail',
              'retry() { "$@"; }',
              "release_version='v2'",
              "release_bucket='acme-releases'",
              `release_manifest_sha256='${MANIFEST_SHA}'`,
              `node_bin='${process.execPath}'`,
              block.replaceAll('/opt/discord-bot', join(work, 'opt')),
            ].join('\n'),
          ],
          { reject: false, env: { PATH: `${bin}:${process.env.PATH}` } },
        ),
      );
    const refused = await run(MANIFEST.replace('"files":{}', '"files":{},"x":1'));
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`ydeploy: refusing release v2: its manifest.json has sha256`);
    expect(refused.stderr).toContain(`terraform was given ${MANIFEST_SHA}`);
    expect(await readdir(join(work, 'opt'))).toEqual([]);

    const accepted = await run(MANIFEST);
    expect(accepted.stderr).toBe('');
    expect(accepted.exitCode).toBe(0);
    expect(await readdir(join(work, 'opt'))).toEqual(['v2']);
    await rm(work, { recursive: true, force: true });
  });

  it('has the launcher refuse to start a release whose manifest changed since', async () => {
    const launcher = userDataFiles(rendered.v2!).get('/usr/local/libexec/discord-bot/run')!.content;
    const work = await mkdtemp(join(tmpdir(), 'ydeploy-launch-'));
    const bin = join(work, 'bin');
    await mkdir(bin);
    // No instance metadata here: curl fails at once, after the manifest check.
    await writeFile(join(bin, 'curl'), '#!/bin/bash\necho "curl: no metadata here" >&2\nexit 7\n', { mode: 0o755 });
    await writeFile(join(work, 'run'), launcher, { mode: 0o755 });
    const start = (manifest: string) =>
      writeFile(join(work, 'manifest.json'), manifest).then(() =>
        execa(join(work, 'run'), ['bot'], {
          reject: false,
          env: { PATH: `${bin}:${process.env.PATH}`, YDEPLOY_RELEASE_DIR: work, RELEASE_MANIFEST_SHA256: MANIFEST_SHA },
        }),
      );
    const refused = await start(`${MANIFEST} `);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`refusing to start the bot: ${work}/manifest.json has sha256`);
    expect(refused.stderr).toContain(`terraform was given ${MANIFEST_SHA}`);
    const passed = await start(MANIFEST);
    expect(passed.stderr).not.toContain('refusing');
    expect(passed.stderr).toContain('curl: no metadata here');
    await rm(work, { recursive: true, force: true });
  });

  it('has the launcher start a bot whose BotRole tag cannot be read as unknown (it stands by), never active', async () => {
    const launcher = userDataFiles(rendered.v2!).get('/usr/local/libexec/discord-bot/run')!.content;
    const work = await mkdtemp(join(tmpdir(), 'ydeploy-role-'));
    const bin = join(work, 'bin');
    await mkdir(bin);
    // Instance metadata answers the token and the instance id; the tag as the case says.
    const curl = (tag: string) =>
      [
        '#!/bin/bash',
        'url="${@: -1}"',
        'case "$url" in',
        '  */api/token) echo token ;;',
        '  */meta-data/instance-id) echo i-0123456789abcdef0 ;;',
        `  */meta-data/tags/instance/BotRole) ${tag} ;;`,
        '  *) exit 22 ;;',
        'esac',
      ].join('\n') + '\n';
    // "node" prints what the bot would be started with.
    await writeFile(join(bin, 'node'), '#!/bin/bash\necho "$INSTANCE_ID $BOT_ROLE"\n', { mode: 0o755 });
    await writeFile(join(work, 'run'), launcher, { mode: 0o755 });
    const start = async (tag: string) => {
      await writeFile(join(bin, 'curl'), curl(tag), { mode: 0o755 });
      return execa(join(work, 'run'), ['bot'], {
        reject: false,
        env: { PATH: `${bin}:${process.env.PATH}`, YDEPLOY_RELEASE_DIR: work, NODE_BIN: join(bin, 'node') },
      });
    };
    expect((await start('echo standby')).stdout).toBe('i-0123456789abcdef0 standby');
    expect((await start('echo active')).stdout).toBe('i-0123456789abcdef0 active');
    // Tags not exposed in instance metadata (404), or something unexpected in the tag.
    expect((await start('exit 22')).stdout).toBe('i-0123456789abcdef0 unknown');
    expect((await start('echo primary')).stdout).toBe('i-0123456789abcdef0 unknown');
    await rm(work, { recursive: true, force: true });
  });

  it('ships the two streams and mem_used_percent with the CloudWatch agent', () => {
    const files = userDataFiles(rendered.v2!);
    const agent = JSON.parse(files.get('/opt/aws/amazon-cloudwatch-agent/etc/ydeploy.json')!.content) as {
      logs: {
        logs_collected: {
          files: { collect_list: { file_path: string; log_group_name: string; log_stream_name: string }[] };
        };
      };
      metrics: {
        namespace: string;
        append_dimensions: Record<string, string>;
        metrics_collected: { mem: { measurement: string[] } };
      };
    };
    expect(agent.logs.logs_collected.files.collect_list).toEqual([
      expect.objectContaining({
        file_path: '/var/log/discord-bot/bot.log',
        log_group_name: '/ec2/ydeploy-staging-logs',
        log_stream_name: '{instance_id}-bot',
      }),
      expect.objectContaining({
        file_path: '/var/log/discord-bot/health.log',
        log_group_name: '/ec2/ydeploy-staging-logs',
        log_stream_name: '{instance_id}-health',
      }),
    ]);
    expect(agent.metrics.namespace).toBe('CWAgent');
    expect(agent.metrics.append_dimensions).toEqual({ InstanceId: '${aws:InstanceId}' });
    expect(agent.metrics.metrics_collected.mem.measurement).toEqual(['mem_used_percent']);
    // journald -> the files the agent reads, by the units' SyslogIdentifier.
    const rsyslog = files.get('/etc/rsyslog.d/30-discord-bot.conf')!.content;
    expect(rsyslog).toContain('$programname == "discord-bot"');
    expect(rsyslog).toContain('file="/var/log/discord-bot/bot.log"');
    expect(rsyslog).toContain('$programname == "discord-health"');
    expect(rsyslog).toContain('file="/var/log/discord-bot/health.log"');
  });
});
