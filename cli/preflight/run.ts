// Runs the checklist concurrently: every check starts as soon as the checks it needs passed,
// each is a Reporter step (✔/✖ with the reason, then the fix), and the whole is one result.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Context } from '../core/context.js';
import { ExitCode, UserError, isUserError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { Reporter } from '../ports.js';
import { quietReporter } from './quiet.js';
import type { PlanCost } from '../cost/plan.js';
import type { CheckContext, CheckDeps, CheckOutcome, PreflightCheck, TestCommand } from './check.js';
import { checklist } from './checks.js';

export interface CheckResult {
  id: string;
  title: string;
  ok: boolean;
  reason: string;
  fix?: string;
  skipped?: boolean;
  warning?: string;
  seconds: number;
}

export interface PreflightReport {
  ok: boolean;
  checks: CheckResult[];
}

export interface PreflightOptions {
  skipTests?: boolean;
  /** The bot's test command (default: vitest on the bundled bot's tests). */
  tests?: TestCommand;
  /** Replace the checklist (tests). */
  checks?: PreflightCheck[];
  /** Default true: a failed check throws a UserError with exit code 3. */
  throwOnFailure?: boolean;
  /** The cost of the run about to start: the cost check warns when it raises the monthly estimate. */
  plannedCost?: PlanCost;
}

/** What the checks read, and the reporter that shows them. */
export type PreflightContext = CheckContext & Pick<Context, 'reporter'>;

const DEFAULT_TIMEOUT_MS = 60_000;

/** The pre-deployment checklist. Throws a UserError (exit 3) naming the failed checks. */
export async function runPreflight(ctx: PreflightContext, options: PreflightOptions = {}): Promise<PreflightReport> {
  const { env } = ctx;
  const deps: CheckDeps = {
    ...ctx,
    // Terraform's per-resource steps would bury the checklist: its reporter keeps them quiet.
    terraform: ctx.terraform.withReporter(quietReporter(ctx.reporter)),
    tests: options.skipTests ? undefined : (options.tests ?? testsOf(env)),
    testsMissing: options.skipTests || options.tests || env.bot ? undefined : missingSuite(),
    ...(options.plannedCost ? { plannedCost: options.plannedCost } : {}),
  };
  const checks = options.checks ?? checklist(deps);
  const results = await runChecks(checks, deps, ctx.reporter, { skipTests: options.skipTests });
  const report = { ok: results.every((r) => r.ok), checks: results };
  if (!report.ok && options.throwOnFailure !== false) throw preflightFailed(report, env.name, ctx.reporter.json);
  return report;
}

export async function runChecks(
  checks: PreflightCheck[],
  deps: CheckDeps,
  reporter: Reporter,
  options: { skipTests?: boolean } = {},
): Promise<CheckResult[]> {
  const started = new Map<string, Promise<CheckResult>>();
  const byId = new Map(checks.map((c) => [c.id, c]));
  const start = (check: PreflightCheck): Promise<CheckResult> => {
    let running = started.get(check.id);
    if (!running) {
      running = runOne(check, deps, reporter, options, (id) => (byId.has(id) ? start(byId.get(id)!) : undefined));
      started.set(check.id, running);
    }
    return running;
  };
  return Promise.all(checks.map(start));
}

async function runOne(
  check: PreflightCheck,
  deps: CheckDeps,
  reporter: Reporter,
  options: { skipTests?: boolean },
  need: (id: string) => Promise<CheckResult> | undefined,
): Promise<CheckResult> {
  const needed = await Promise.all((check.needs ?? []).map(need));
  const blocked = needed.filter((r): r is CheckResult => r !== undefined && !r.ok);
  const step = () => reporter.step(check.title, { check: check.id });
  if (blocked.length) {
    const outcome: CheckOutcome = {
      ok: false,
      skipped: true,
      reason: `not run: needs ${blocked.map((b) => `"${b.title}"`).join(' and ')}`,
    };
    step().skip(outcome.reason);
    return publish(reporter, check, outcome, 0);
  }
  if (check.id === 'bot-tests' && (options.skipTests || !deps.tests || deps.testsMissing)) {
    const reason =
      deps.testsMissing && !options.skipTests
        ? `no bot test suite at ${deps.testsMissing} (an installed ydeploy ships the bot without its tests): nothing to run`
        : !deps.tests && !options.skipTests
          ? `no bot.test in ${deps.env.configFile ?? 'ydeploy.config.json'}: nothing to run`
          : 'skipped (--skip-tests)';
    const outcome: CheckOutcome = { ok: true, skipped: true, reason };
    step().skip(outcome.reason);
    return publish(reporter, check, outcome, 0);
  }
  const handle = step();
  const began = deps.clock.now();
  const outcome = await withTimeout(check, deps);
  const seconds = (deps.clock.now() - began) / 1000;
  if (outcome.ok) handle.succeed(outcome.reason);
  else handle.fail(outcome.reason);
  if (outcome.ok && outcome.warning) reporter.warn(outcome.warning, { check: check.id });
  return publish(reporter, check, outcome, seconds);
}

async function withTimeout(check: PreflightCheck, deps: CheckDeps): Promise<CheckOutcome> {
  const ms = check.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          reason: `no answer within ${ms / 1000}s`,
          fix: 'check the network and rerun with --verbose',
        }),
      ms,
    );
  });
  try {
    return await Promise.race([check.run(deps).catch((error) => outcomeOf(error, deps)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A check that threw: user errors carry their why and fix; anything else is named as is. */
function outcomeOf(error: unknown, deps: CheckDeps): CheckOutcome {
  if (deps.signal.aborted) throw deps.signal.reason;
  if (isUserError(error)) return { ok: false, reason: error.message, fix: error.fix };
  return {
    ok: false,
    reason: `unexpected error: ${(error as Error)?.message ?? String(error)}`,
    fix: 'rerun with --verbose and report the output',
  };
}

function publish(reporter: Reporter, check: PreflightCheck, outcome: CheckOutcome, seconds: number): CheckResult {
  const result: CheckResult = {
    id: check.id,
    title: check.title,
    ok: outcome.ok,
    reason: outcome.reason,
    ...(outcome.fix ? { fix: outcome.fix } : {}),
    ...(outcome.skipped ? { skipped: true } : {}),
    ...(outcome.warning ? { warning: outcome.warning } : {}),
    seconds: Math.round(seconds * 1000) / 1000,
  };
  if (reporter.json) reporter.event({ type: 'check', ...result });
  else if (!outcome.ok && outcome.fix) reporter.info(`    → ${outcome.fix}`);
  return result;
}

export function preflightFailed(report: PreflightReport, envName: string, withChecks = false): UserError {
  const failed = report.checks.filter((c) => !c.ok && !c.skipped);
  const blocked = report.checks.filter((c) => !c.ok && c.skipped);
  const why = `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.title).join('; ')}${blocked.length ? ` (${blocked.length} not run because of ${failed.length === 1 ? 'it' : 'them'})` : ''}`;
  return new UserError('preflight failed', why, {
    code: ExitCode.preflight,
    fix: `fix what is listed above, then: ydeploy preflight --env ${envName}`,
    // Each check was already shown with its fix; --json gets them all in the result.
    ...(withChecks ? { details: { checks: report.checks } } : {}),
  });
}

/**
 * The bot's tests: bot.test run by the shell in the config file's folder; a configured bot without
 * bot.test has none (undefined); without a bot section, the example bot's own suite.
 */
export function testsOf(env: PreflightContext['env']): TestCommand | undefined {
  if (!env.bot) return defaultTests();
  if (!env.bot.test) return undefined;
  const cwd = env.configDir ?? (env.configFile ? dirname(env.configFile) : process.cwd());
  return { file: '/bin/sh', args: ['-c', env.bot.test], cwd, timeoutMs: 600_000, shown: env.bot.test };
}

const SUITE = 'test/unit/bot';

/** An installed ydeploy ships the bot without its tests. */
function missingSuite(): string | undefined {
  const dir = join(PACKAGE_ROOT, SUITE);
  return existsSync(dir) ? undefined : dir;
}

/** The bundled bot's unit tests, run by the vitest ydeploy ships with. */
export function defaultTests(): TestCommand {
  const vitest = join(PACKAGE_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const suite = SUITE;
  if (existsSync(vitest))
    return { file: process.execPath, args: [vitest, 'run', suite], cwd: PACKAGE_ROOT, timeoutMs: 300_000 };
  return { file: 'npx', args: ['vitest', 'run', suite], cwd: PACKAGE_ROOT, timeoutMs: 300_000 };
}
