// The guide's pre-deployment checklist, as data. Each check is small and says why it failed
// and what fixes it; run.ts runs them concurrently, respecting `needs`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ExitCode, isUserError } from '../errors.js';
import { compareVersions, MIN_TERRAFORM_VERSION } from '../config/requirements.js';
import { keys } from '../core/storage.js';
import { loadDesired } from '../core/desired/state.js';
import { readLock } from '../core/lock/lock.js';
import { blocksAllPublicAccess, bucketFix, isTlsOnly } from '../core/buckets.js';
import { identifyBudget, resetIn } from '../core/budget.js';
import { layoutOf } from '../core/fleet.js';
import type { BucketSettings } from '../ports.js';
import { envFlag, fail, pass, type CheckDeps, type CheckOutcome, type PreflightCheck } from './check.js';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const credentials: PreflightCheck = {
  id: 'aws-credentials',
  title: 'AWS credentials and region',
  async run(deps) {
    if (!REGION.test(deps.env.region))
      return fail(
        `"${deps.env.region}" is not an AWS region`,
        `pass --region us-east-1 (or fix region in ${configName(deps)})`,
      );
    const who = await deps.identity.whoami();
    return pass(`account ${who.account} as ${who.arn}, region ${deps.env.region}`);
  },
};

function bucket(
  id: string,
  title: string,
  pick: (deps: CheckDeps) => CheckDeps['store'],
  key: 'stateBucket' | 'releaseBucket',
): PreflightCheck {
  return {
    id,
    title,
    needs: ['aws-credentials'],
    async run(deps) {
      const store = pick(deps);
      if (await store.reachable()) return pass(`s3://${store.bucket} is reachable`);
      return fail(
        `s3://${store.bucket} does not exist or these credentials may not use it (HeadBucket: 404/403)`,
        `aws s3 mb s3://${store.bucket} --region ${deps.env.region} (or fix ${key} in ${configName(deps)})`,
      );
    },
  };
}

/**
 * The state bucket's protections, one check each: versioning, default encryption, the public
 * access block and a TLS-only policy. Each fix is the exact command that sets it.
 */
function stateBucketProtections(): PreflightCheck[] {
  const check = (
    id: string,
    title: string,
    run: (buckets: BucketSettings, bucket: string, deps: CheckDeps) => Promise<CheckOutcome>,
  ): PreflightCheck => ({
    id,
    title,
    needs: ['state-bucket'],
    run: (deps) => run(deps.buckets!, deps.store.bucket, deps),
  });
  return [
    check('state-bucket-versioning', 'state bucket keeps versions', async (buckets, bucket, deps) => {
      const status = await buckets.versioning(bucket);
      if (status === 'Enabled') return pass(`s3://${bucket} keeps every version of state, lock and journal`);
      return fail(
        `s3://${bucket} has versioning ${status === 'Suspended' ? 'suspended' : 'off'}: an overwritten or deleted terraform state cannot be brought back`,
        `${bucketFix.versioning(bucket)} (or ${bucketFix.all(deps.env.name)})`,
      );
    }),
    check('state-bucket-encryption', 'state bucket encrypts by default', async (buckets, bucket, deps) => {
      const algorithm = await buckets.encryption(bucket);
      if (algorithm) return pass(`s3://${bucket} encrypts new objects with ${algorithm}`);
      return fail(
        `s3://${bucket} has no default encryption`,
        `${bucketFix.encryption(bucket)} (or ${bucketFix.all(deps.env.name)})`,
      );
    }),
    check('state-bucket-public-access', 'state bucket blocks public access', async (buckets, bucket, deps) => {
      const block = await buckets.publicAccessBlock(bucket);
      if (blocksAllPublicAccess(block)) return pass(`s3://${bucket} blocks public ACLs and policies`);
      const off = block
        ? Object.entries(block)
            .filter(([, on]) => !on)
            .map(([name]) => name)
            .join(', ')
        : 'no public access block';
      return fail(
        `s3://${bucket} does not block all public access (${off})`,
        `${bucketFix.publicAccess(bucket)} (or ${bucketFix.all(deps.env.name)})`,
      );
    }),
    check('state-bucket-tls', 'state bucket refuses plain http', async (buckets, bucket, deps) => {
      // The sandbox's moto is served over plain http and enforces a TLS-only policy: it has none,
      // and neither can any S3 emulator reached over plain http on this machine.
      if (deps.env.sandbox) return pass(`not required in the sandbox (its S3 is plain http on 127.0.0.1)`);
      if (buckets.plainHttpLoopback)
        return pass('not required: S3 is an emulator over plain http on this machine (AWS_ENDPOINT_URL)');
      if (isTlsOnly(await buckets.policy(bucket), bucket))
        return pass(`s3://${bucket}'s policy denies requests without TLS (aws:SecureTransport)`);
      return fail(
        `s3://${bucket}'s policy does not deny requests made without TLS (aws:SecureTransport = false)`,
        bucketFix.all(deps.env.name),
      );
    }),
  ];
}

const tokenParameter: PreflightCheck = {
  id: 'token-parameter',
  title: 'Discord token parameter is a SecureString',
  // Without credentials every AWS check would fail for the same reason: say it once.
  needs: ['aws-credentials'],
  async run(deps) {
    const name = deps.env.tokenParameter;
    const parameter = await deps.secrets.get(name, { decrypt: false });
    const store = `ydeploy init --store-token ${envFlag(deps)}`;
    if (!parameter) return fail(`SSM parameter ${name} does not exist in ${deps.env.region}`, store);
    if (parameter.type !== 'SecureString')
      return fail(
        `SSM parameter ${name} is a ${parameter.type}, so the token is stored unencrypted`,
        `${store} (stores it again as a SecureString)`,
      );
    return pass(`${name} exists and is a SecureString`);
  },
};

const discordToken: PreflightCheck = {
  id: 'discord-token',
  title: 'Discord token is valid',
  needs: ['token-parameter'],
  async run(deps) {
    const parameter = await deps.secrets.get(deps.env.tokenParameter, { decrypt: true });
    const token = parameter?.value.trim();
    if (!token)
      return fail(`SSM parameter ${deps.env.tokenParameter} is empty`, `ydeploy init --store-token ${envFlag(deps)}`);
    try {
      const [user, gateway] = await Promise.all([
        deps.discord.botUser(token, deps.signal),
        deps.discord.gatewayBot(token, deps.signal),
      ]);
      const { remaining, total, resetAfter } = gateway.sessionStartLimit;
      if (remaining <= 0) {
        return fail(
          `bot ${user.username} has no session starts left (0 of ${total}) until Discord resets them in ${Math.ceil(resetAfter / 60_000)} min`,
          'wait for the reset, then rerun',
        );
      }
      return pass(`bot ${user.username} (${user.id}); ${remaining} of ${total} session starts left`);
    } catch (error) {
      if (isUserError(error) && (error as { status?: number }).status === 401) {
        return fail(
          `Discord rejected the token in ${deps.env.tokenParameter} (401 Unauthorized)`,
          `reset the token in the Discord developer portal, then: ydeploy init --store-token ${envFlag(deps)}`,
        );
      }
      throw error;
    }
  },
};

/**
 * The identify budget against the next deploy of the configured fleet: a rolling deploy starts
 * every shard's session once (core/budget.ts adds the margin for retries and reconnects).
 */
const identifyBudgetCheck: PreflightCheck = {
  id: 'identify-budget',
  title: 'Discord identify budget fits the next deploy',
  needs: ['discord-token'],
  async run(deps) {
    const { shards } = layoutOf(deps.env);
    const what = `the next deploy of ${deps.env.name} (${shards} shard${shards === 1 ? '' : 's'})`;
    try {
      const b = await identifyBudget(deps, shards, what, { rerun: `ydeploy preflight ${envFlag(deps)}` });
      return pass(
        `${b.remaining} of ${b.total} session starts left, max_concurrency ${b.maxConcurrency}, resets at ${b.resetAt} (${resetIn(b)}); ` +
          `a deploy of ${shards} shard${shards === 1 ? '' : 's'} needs ${b.withMargin} with margin`,
      );
    } catch (error) {
      if (isUserError(error) && error.code === ExitCode.preflight) return fail(error.message, error.fix);
      throw error;
    }
  },
};

const terraformVersion: PreflightCheck = {
  id: 'terraform',
  title: 'terraform is installed',
  async run(deps) {
    let version: string;
    try {
      version = await deps.terraform.version();
    } catch (error) {
      const install = `install terraform >= ${MIN_TERRAFORM_VERSION} on PATH (or set terraform.binary in ${configName(deps)})`;
      if (isUserError(error)) return fail(error.message, error.fix ?? install);
      return fail(`${deps.env.terraform.binary} cannot be run: ${(error as Error).message}`, install);
    }
    if (compareVersions(version, MIN_TERRAFORM_VERSION) < 0)
      return fail(
        `terraform ${version} is older than ${MIN_TERRAFORM_VERSION}`,
        `install terraform >= ${MIN_TERRAFORM_VERSION}`,
      );
    return pass(`terraform ${version}`);
  },
};

const terraformModule: PreflightCheck = {
  id: 'terraform-module',
  title: 'terraform module initialised and valid',
  needs: ['terraform', 'state-bucket'],
  timeoutMs: 300_000,
  async run(deps) {
    await deps.terraform.init({ backendConfig: deps.backend, reconfigure: true, signal: deps.signal });
    const diagnostics = await deps.terraform.validate();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      const first = errors.slice(0, 3).map((d) => `${d.summary}${d.address ? ` (${d.address})` : ''}`);
      return fail(
        `terraform validate: ${errors.length} error${errors.length === 1 ? '' : 's'}: ${first.join('; ')}`,
        `fix the module in ${deps.env.terraform.dir}`,
      );
    }
    const warnings = diagnostics.length - errors.length;
    return pass(`initialised and valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`);
  },
};

const drift: PreflightCheck = {
  id: 'drift',
  title: 'terraform plan: drift from the desired state',
  // A running deployment holds terraform's state lock too: plan only when no one holds ours,
  // so the checklist names the holder instead of terraform's state-lock error.
  needs: ['terraform-module', 'lock'],
  timeoutMs: 600_000,
  async run(deps) {
    const desired = await loadDesired(deps);
    if (!desired)
      return pass(
        `no desired state yet (s3://${deps.store.bucket}/${keys.desired(deps.env.name)} is absent): nothing deployed to compare with`,
      );
    const dir = await mkdtemp(join(tmpdir(), 'ydeploy-preflight-'));
    try {
      const file = join(dir, 'desired.tfvars.json');
      await writeFile(file, JSON.stringify(desired));
      const plan = await deps.terraform.plan({ varFiles: [...deps.env.terraform.varFiles, file], signal: deps.signal });
      if (!plan.changed) return pass('no drift: the infrastructure matches desired.json');
      const shown = plan.changes
        .filter((c) => c.action !== 'noop' && c.action !== 'read')
        .slice(0, 5)
        .map((c) => `${c.action} ${c.address}`);
      return pass(
        `drift: ${plan.add} to add, ${plan.change} to change, ${plan.remove} to destroy${shown.length ? ` (${shown.join(', ')})` : ''}; the next apply corrects it`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

const botTests: PreflightCheck = {
  id: 'bot-tests',
  title: "the bot's tests pass",
  timeoutMs: 600_000,
  async run(deps) {
    const tests = deps.tests!;
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
    const result = await execa(tests.file, tests.args, {
      cwd: tests.cwd,
      reject: false,
      all: true,
      timeout: tests.timeoutMs,
      cancelSignal: deps.signal,
      env: { ...env, CI: '1', NO_COLOR: '1' },
      extendEnv: false,
    });
    const shown = tests.shown ?? [tests.file, ...tests.args].join(' ');
    if (result.timedOut)
      return fail(
        `${shown} did not finish within ${tests.timeoutMs / 1000}s`,
        'run it yourself to see why, or pass --skip-tests',
      );
    if (result.exitCode !== 0) {
      // The failures are at the end of a test runner's output: show them, one per line.
      const tail = tests.shown ? failureLines(String(result.all ?? '')) : lastLines(String(result.all ?? ''), 3);
      return fail(
        `${shown} failed (exit ${result.exitCode ?? result.signal})${tail ? `:${tail.startsWith('\n') ? '' : ' '}${tail}` : ''}`,
        `cd ${tests.cwd} && ${shown}`,
      );
    }
    return pass(summary(String(result.all ?? '')) ?? `${shown} passed`);
  },
};

const lock: PreflightCheck = {
  id: 'lock',
  title: 'no deployment lock held',
  needs: ['state-bucket'],
  async run(deps) {
    const current = await readLock(deps);
    if (!current) return pass('no lock');
    const { holder, command, since } = current.body;
    // The expiry judged on S3's clock, shown on ours: the holder's own expiresAt may be skewed.
    const { expiresAt } = current;
    if (current.expired)
      return pass(`an expired lock of ${holder} (${command}) is left; the next deployment takes it over`);
    return fail(
      `${holder} holds the lock: "${command}" since ${since}, expires ${expiresAt}`,
      `wait for it, or if it is dead: ydeploy lock release --force ${envFlag(deps)}`,
    );
  },
};

/** Every check, in the order they are shown. */
/** The run's cost: a warning (never a failure) when it raises the monthly estimate above cost.warnAbove. */
export const costCheck: PreflightCheck = {
  id: 'cost',
  title: 'monthly cost after this run',
  async run(deps) {
    const cost = deps.plannedCost;
    if (!cost) return pass('not estimated');
    const limit = deps.env.cost?.warnAbove ?? 10;
    const money = (v: number) => `$${v.toFixed(2)}`;
    if (cost.monthlyChange === null)
      return {
        ...pass(`${money(cost.before)} → ${money(cost.after)}/month, excluding unpriced lines`),
        warning: `the monthly change of this run is not known: unpriced ${cost.unpriced.join('; ')}`,
      };
    const change = `${money(cost.before)} → ${money(cost.after)}/month (${cost.monthlyChange >= 0 ? '+' : '−'}${money(Math.abs(cost.monthlyChange))})`;
    if (cost.monthlyChange > limit)
      return {
        ...pass(change),
        warning: `this run raises the monthly estimate by ${money(cost.monthlyChange)}, more than cost.warnAbove (${money(limit)}): ydeploy cost ${envFlag(deps)} shows every line`,
      };
    return pass(change);
  },
};

export function checklist(deps: Pick<CheckDeps, 'env' | 'buckets' | 'plannedCost'>): PreflightCheck[] {
  const buckets = [bucket('state-bucket', 'state bucket reachable', (d) => d.store, 'stateBucket')];
  if (deps.env.releaseBucket !== deps.env.stateBucket)
    buckets.push(bucket('release-bucket', 'release bucket reachable', (d) => d.releases, 'releaseBucket'));
  return [
    credentials,
    ...buckets,
    ...(deps.buckets ? stateBucketProtections() : []),
    tokenParameter,
    discordToken,
    identifyBudgetCheck,
    terraformVersion,
    terraformModule,
    drift,
    botTests,
    lock,
    ...(deps.plannedCost ? [costCheck] : []),
  ];
}

function configName(deps: Pick<CheckDeps, 'env'>): string {
  return deps.env.configFile ?? 'ydeploy.config.json';
}

function lastLines(text: string, n: number): string {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ')
    .slice(0, 400);
}

/** The last lines of a team's test output (at most 20), indented under the check. */
function failureLines(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-20);
  return lines.length ? `\n      ${lines.map((l) => l.slice(0, 200)).join('\n      ')}` : '';
}

/** vitest's "Tests  12 passed (12)" line, when the command is vitest. */
function summary(text: string): string | undefined {
  const line = /Tests\s+(\d+ passed[^\n]*)/.exec(text)?.[1];
  return line ? `tests: ${line.trim()}` : undefined;
}
