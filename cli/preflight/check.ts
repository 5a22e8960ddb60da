// What a preflight check is: data with a title, what it needs first, and a run that says
// ✔ or ✖ with the reason and the fix.
import type { Context } from '../core/context.js';
import type { PlanCost } from '../cost/plan.js';

export interface CheckOutcome {
  ok: boolean;
  reason: string;
  fix?: string;
  /** Not run: --skip-tests, or a check it needs failed. */
  skipped?: boolean;
  /** Passed, with something worth saying (a warning, not a failure). */
  warning?: string;
}

/** How the bot's tests are run; undefined when --skip-tests. */
export interface TestCommand {
  file: string;
  args: string[];
  cwd: string;
  timeoutMs: number;
  /** How to name it in messages (default: file and args). */
  shown?: string;
}

/** The parts of the context the checks read. */
export type CheckContext = Pick<
  Context,
  | 'env'
  | 'identity'
  | 'store'
  | 'releases'
  | 'buckets'
  | 'secrets'
  | 'terraform'
  | 'clock'
  | 'discord'
  | 'backend'
  | 'signal'
>;

export type CheckDeps = CheckContext & {
  tests?: TestCommand;
  /** Where the default test suite should be, when it is not there. */
  testsMissing?: string;
  /** The cost of the run preflight guards (migrate, deploy), when it could be estimated. */
  plannedCost?: PlanCost;
};

export interface PreflightCheck {
  id: string;
  title: string;
  /** Ids of checks that must pass before this one can say anything. */
  needs?: string[];
  /** Give up after this long (ms); the check then fails with that reason. */
  timeoutMs?: number;
  run(deps: CheckDeps): Promise<CheckOutcome>;
}

export const pass = (reason: string): CheckOutcome => ({ ok: true, reason });
export const fail = (reason: string, fix?: string): CheckOutcome => ({ ok: false, reason, fix });

/** `--env <name>` for a fix line, so a copied command acts on the same environment. */
export const envFlag = (deps: Pick<CheckDeps, 'env'>) => `--env ${deps.env.name}`;
