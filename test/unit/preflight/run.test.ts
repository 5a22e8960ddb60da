import { describe, expect, it } from 'vitest';
import { runPreflight, runChecks, type PreflightOptions } from '../../../cli/preflight/run.js';
import { ApiError, ExitCode, UsageError, UserError } from '../../../cli/errors.js';
import type { PreflightCheck } from '../../../cli/preflight/check.js';
import { healthyDeps, jsonReporter } from './fakes.js';

type Deps = ReturnType<typeof healthyDeps>;

async function preflight(deps: Deps, options: PreflightOptions = {}) {
  const recorded = await jsonReporter();
  const ctx = { ...deps, reporter: recorded.reporter };
  try {
    const report = await runPreflight(ctx, { tests: deps.tests, ...options });
    return { report, error: undefined, events: recorded.events() };
  } catch (error) {
    return { report: undefined, error: error as UserError, events: recorded.events() };
  }
}

const check = (events: Record<string, unknown>[], id: string) =>
  events.find((e) => e.type === 'check' && e.id === id) as Record<string, any>;

describe('preflight', () => {
  it('passes every check of a healthy environment, each reported as an event', async () => {
    const deps = healthyDeps();
    const { report, events } = await preflight(deps);
    expect(report?.ok).toBe(true);
    expect(report?.checks.map((c) => c.id)).toEqual([
      'aws-credentials',
      'state-bucket',
      'release-bucket',
      'token-parameter',
      'discord-token',
      'identify-budget',
      'terraform',
      'terraform-module',
      'drift',
      'bot-tests',
      'lock',
    ]);
    expect(check(events, 'aws-credentials').reason).toBe(
      'account 123456789012 as arn:aws:iam::123456789012:user/ci, region eu-west-1',
    );
    expect(check(events, 'discord-token').reason).toBe('bot ydeploy-bot (42); 997 of 1000 session starts left');
    expect(check(events, 'drift').reason).toMatch(
      /^no desired state yet \(s3:\/\/acme-state\/ydeploy\/production\/desired.json is absent\)/,
    );
    expect(check(events, 'bot-tests').reason).toBe('tests: 3 passed (3)');
    expect(check(events, 'terraform').reason).toBe('terraform 1.11.0');
    for (const c of report!.checks) expect(typeof c.seconds).toBe('number');
    const init = deps.terraform.calls.find((c) => c.name === 'init')!;
    expect(init.options).toMatchObject({
      backendConfig: {
        bucket: 'acme-state',
        key: 'ydeploy/production/terraform.tfstate',
        region: 'eu-west-1',
        use_lockfile: 'true',
      },
      reconfigure: true,
    });
  });

  it('never puts the token in any output', async () => {
    const deps = healthyDeps();
    deps.discord.validToken = 'other';
    const { events, error } = await preflight(deps);
    expect(JSON.stringify(events)).not.toContain('good-token');
    expect(JSON.stringify(error?.details)).not.toContain('good-token');
  });

  it('fails with exit 3 on an unreachable bucket, and does not run what needs it', async () => {
    const deps = healthyDeps();
    deps.store.exists = false;
    const { error, events } = await preflight(deps);
    expect(error).toBeInstanceOf(UserError);
    expect(error!.code).toBe(ExitCode.preflight);
    expect(error!.why).toBe('1 check failed: state bucket reachable (3 not run because of it)');
    expect(check(events, 'state-bucket')).toMatchObject({
      ok: false,
      fix: 'aws s3 mb s3://acme-state --region eu-west-1 (or fix stateBucket in /repo/ydeploy.config.json)',
    });
    expect(check(events, 'terraform-module')).toMatchObject({
      ok: false,
      skipped: true,
      reason: 'not run: needs "state bucket reachable"',
    });
    expect(check(events, 'lock').skipped).toBe(true);
    expect(deps.terraform.calls.map((c) => c.name)).toEqual(['version']);
    expect((error!.details as any).checks).toHaveLength(11);
  });

  it('fails on a missing token parameter with the command that stores it', async () => {
    const deps = healthyDeps();
    deps.secrets.params.clear();
    const { error, events } = await preflight(deps);
    expect(error!.code).toBe(3);
    expect(check(events, 'token-parameter')).toMatchObject({
      ok: false,
      reason: 'SSM parameter /acme/discord-token does not exist in eu-west-1',
      fix: 'ydeploy init --store-token --env production',
    });
    expect(check(events, 'discord-token')).toMatchObject({ ok: false, skipped: true });
  });

  it('fails on a token stored as a plain String', async () => {
    const deps = healthyDeps();
    deps.secrets.params.set('/acme/discord-token', {
      name: '/acme/discord-token',
      type: 'String',
      value: 'good-token',
    });
    const { events } = await preflight(deps);
    expect(check(events, 'token-parameter').reason).toBe(
      'SSM parameter /acme/discord-token is a String, so the token is stored unencrypted',
    );
  });

  it('fails on a token Discord rejects', async () => {
    const deps = healthyDeps();
    deps.discord.validToken = 'rotated';
    const { events } = await preflight(deps);
    expect(check(events, 'discord-token')).toMatchObject({
      ok: false,
      reason: 'Discord rejected the token in /acme/discord-token (401 Unauthorized)',
    });
    expect(check(events, 'discord-token').fix).toContain('ydeploy init --store-token --env production');
  });

  it('fails when no session starts are left', async () => {
    const deps = healthyDeps();
    deps.discord.remaining = 0;
    const { events } = await preflight(deps);
    expect(check(events, 'discord-token').reason).toBe(
      'bot ydeploy-bot has no session starts left (0 of 1000) until Discord resets them in 60 min',
    );
  });

  it('checks the identify budget against a deploy of every configured shard', async () => {
    const deps = healthyDeps();
    const { events } = await preflight(deps);
    expect(check(events, 'identify-budget')).toMatchObject({
      ok: true,
      reason: expect.stringMatching(
        /^997 of 1000 session starts left, max_concurrency 1, resets at \S+Z \(in 1h\); a deploy of 1 shard needs 12 with margin$/,
      ),
    });
    // A fleet of 16 shards needs 42 with margin: 40 left is too few, and the fix says when to rerun.
    deps.env = { ...deps.env, fleet: { shards: 16, shardsPerInstance: 4, groupsAtOnce: 2 } };
    deps.discord.remaining = 40;
    deps.discord.maxConcurrency = 16;
    const short = await preflight(deps);
    expect(short.error?.code).toBe(ExitCode.preflight);
    expect(check(short.events, 'identify-budget')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /^the next deploy of production \(16 shards\): needs 16 session starts \(42 with margin\), 40 of 1000 remain; resets at \S+ \(in 1h\)$/,
      ),
      fix: expect.stringMatching(
        /^wait until \S+Z, then rerun: ydeploy preflight --env production; or start fewer shard groups at a time \(lower fleet.groupsAtOnce in \/repo\/ydeploy.config.json\)$/,
      ),
    });
  });

  it('fails when terraform is missing or too old, and skips the module checks', async () => {
    const deps = healthyDeps();
    deps.terraform.versionResult = new Error('spawn terraform ENOENT');
    const { events } = await preflight(deps);
    expect(check(events, 'terraform')).toMatchObject({
      ok: false,
      reason: 'terraform cannot be run: spawn terraform ENOENT',
    });
    const missing = healthyDeps();
    missing.terraform.versionResult = new UsageError(
      'terraform not found',
      '"terraform" is not an executable on PATH',
      { fix: 'install terraform' },
    );
    expect(check((await preflight(missing)).events, 'terraform')).toMatchObject({
      ok: false,
      reason: 'terraform not found: "terraform" is not an executable on PATH',
      fix: 'install terraform',
    });
    expect(check(events, 'terraform-module').skipped).toBe(true);
    expect(check(events, 'drift').skipped).toBe(true);

    const old = healthyDeps();
    old.terraform.versionResult = '1.5.7';
    expect(check((await preflight(old)).events, 'terraform').reason).toBe('terraform 1.5.7 is older than 1.10.0');
  });

  it('fails on validation errors', async () => {
    const deps = healthyDeps();
    deps.terraform.diagnostics = [
      { severity: 'error', summary: 'Unsupported argument', address: 'aws_instance.bot' },
      { severity: 'warning', summary: 'deprecated' },
    ];
    const { events } = await preflight(deps);
    expect(check(events, 'terraform-module').reason).toBe(
      'terraform validate: 1 error: Unsupported argument (aws_instance.bot)',
    );
    expect(check(events, 'drift').skipped).toBe(true);
  });

  it('plans against desired.json and summarises drift', async () => {
    const deps = healthyDeps();
    const desired = {
      project: 'acme',
      environment: 'production',
      region: 'eu-west-1',
      use_private_subnet: true,
      enable_legacy_instance: false,
      enable_enhanced_instance: true,
      release_bucket: 'acme-releases',
      release_version: 'v3',
      legacy_release_version: null,
      candidate_release_version: null,
      discord_token_parameter: '/acme/discord-token',
      health_port: 3000,
      instance_type: 't3.small',
    };
    deps.store.seed('ydeploy/production/desired.json', JSON.stringify(desired));
    deps.terraform.planResult = {
      changed: true,
      add: 1,
      change: 0,
      remove: 0,
      changes: [{ address: 'aws_instance.enhanced["v3"]', action: 'create' }],
    };
    const { events, report } = await preflight(deps);
    expect(report?.ok).toBe(true);
    expect(check(events, 'drift').reason).toBe(
      'drift: 1 to add, 0 to change, 0 to destroy (create aws_instance.enhanced["v3"]); the next apply corrects it',
    );
    const plan = deps.terraform.calls.find((c) => c.name === 'plan')!;
    expect(JSON.parse(plan.varFileBodies![0]!)).toMatchObject({
      release_version: 'v3',
      enable_enhanced_instance: true,
    });
  });

  it('fails while someone holds the lock (and plans no drift then), passes when it expired', async () => {
    const deps = healthyDeps();
    const lock = (expiresAt: number) =>
      JSON.stringify({
        holder: 'ana@ci',
        command: 'deploy',
        since: new Date().toISOString(),
        renewedAt: new Date().toISOString(),
        expiresAt: new Date(expiresAt).toISOString(),
      });
    deps.store.seed('ydeploy/production/lock.json', lock(Date.now() + 60_000));
    const held = check((await preflight(deps)).events, 'lock');
    expect(held.ok).toBe(false);
    expect(held.reason).toMatch(/^ana@ci holds the lock: "deploy" since/);
    expect(held.fix).toBe('wait for it, or if it is dead: ydeploy lock release --force --env production');
    // terraform plan would wait on the holder's state lock: the drift check is not run.
    expect(check((await preflight(deps)).events, 'drift')).toMatchObject({
      skipped: true,
      reason: 'not run: needs "no deployment lock held"',
    });
    expect(deps.terraform.calls.some((c) => c.name === 'plan')).toBe(false);

    deps.store.seed('ydeploy/production/lock.json', lock(Date.now() - 1000));
    expect(check((await preflight(deps)).events, 'lock')).toMatchObject({
      ok: true,
      reason: 'an expired lock of ana@ci (deploy) is left; the next deployment takes it over',
    });
  });

  it('runs the bot tests and fails with their output; --skip-tests skips them', async () => {
    const deps = healthyDeps();
    deps.tests = {
      file: process.execPath,
      args: ['-e', 'console.error("FAIL test/unit/bot/ready.test.ts"); process.exit(1)'],
      cwd: process.cwd(),
      timeoutMs: 20_000,
    };
    const failed = check((await preflight(deps)).events, 'bot-tests');
    expect(failed.ok).toBe(false);
    expect(failed.reason).toContain('failed (exit 1): FAIL test/unit/bot/ready.test.ts');

    const skipped = await preflight(deps, { skipTests: true });
    expect(skipped.report?.ok).toBe(true);
    expect(check(skipped.events, 'bot-tests')).toMatchObject({
      ok: true,
      skipped: true,
      reason: 'skipped (--skip-tests)',
    });
  });

  it('bounds the bot tests in time', async () => {
    const deps = healthyDeps();
    deps.tests = {
      file: process.execPath,
      args: ['-e', 'setTimeout(() => {}, 60000)'],
      cwd: process.cwd(),
      timeoutMs: 300,
    };
    expect(check((await preflight(deps)).events, 'bot-tests').reason).toMatch(/did not finish within 0.3s$/);
  });

  it('says a credentials failure once, not in every AWS check', async () => {
    const deps = healthyDeps();
    deps.identity = {
      whoami: async () =>
        Promise.reject(
          new ApiError('cannot confirm AWS credentials', 'AWS rejected the credentials (InvalidClientTokenId: bad)', {
            fix: 'check `aws sts get-caller-identity`',
          }),
        ),
    };
    const { error, events } = await preflight(deps);
    expect(error!.why).toBe('1 check failed: AWS credentials and region (8 not run because of it)');
    expect(check(events, 'aws-credentials')).toMatchObject({
      ok: false,
      reason: 'cannot confirm AWS credentials: AWS rejected the credentials (InvalidClientTokenId: bad)',
      fix: 'check `aws sts get-caller-identity`',
    });
    expect(check(events, 'state-bucket').reason).toBe('not run: needs "AWS credentials and region"');
  });

  it('rejects a region that is not one', async () => {
    const deps = healthyDeps();
    deps.env.region = 'mars-1';
    expect(check((await preflight(deps)).events, 'aws-credentials').reason).toBe('"mars-1" is not an AWS region');
  });

  it('runs independent checks concurrently and times out a stuck one', async () => {
    const deps = healthyDeps();
    const { reporter } = await jsonReporter();
    // Each check waits for the test to release it, so order is observed, never timed.
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const gated = (id: string, needs?: string[]): PreflightCheck => ({
      id,
      title: id,
      needs,
      run: () =>
        new Promise((resolve) => {
          started.push(id);
          release.set(id, () => resolve({ ok: true, reason: 'done' }));
        }),
    });
    const stuck: PreflightCheck = { id: 'stuck', title: 'stuck', timeoutMs: 100, run: () => new Promise(() => {}) };
    const running = runChecks([gated('a'), gated('b'), gated('c', ['a']), stuck], deps, reporter);
    // a and b run at once; c, which needs a, waits for it.
    await until(() => started.includes('a') && started.includes('b'));
    expect(started).not.toContain('c');
    release.get('b')!();
    release.get('a')!();
    await until(() => started.includes('c'));
    release.get('c')!();
    const results = await running;
    expect(results.map((r) => [r.id, r.ok])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
      ['stuck', false],
    ]);
    expect(results[3]!.reason).toBe('no answer within 0.1s');
  });

  it('shows the release bucket check only when it differs from the state bucket', async () => {
    const deps = healthyDeps();
    deps.env.releaseBucket = deps.env.stateBucket;
    const { report } = await preflight(deps);
    expect(report!.checks.map((c) => c.id)).not.toContain('release-bucket');
  });
});

/** Resolves once `condition` holds (checked every few ms), failing after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((r) => setImmediate(r));
  }
}
