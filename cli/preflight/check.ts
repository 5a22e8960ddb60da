// What a preflight check is: data with a title, what it needs first, and a run that says
// ✔ or ✖ with the reason and the fix.
import type { ResolvedEnvironment } from '../config/load.js';
import type { Clock, DiscordAccount, Identity, ObjectStore, Secrets, Terraform } from '../ports.js';

export interface CheckOutcome {
  ok: boolean;
  reason: string;
  fix?: string;
  /** Not run: --skip-tests, or a check it needs failed. */
  skipped?: boolean;
}

/** How the bot's tests are run; undefined when --skip-tests. */
export interface TestCommand {
  file: string;
  args: string[];
  cwd: string;
  timeoutMs: number;
}

export interface CheckDeps {
  env: ResolvedEnvironment;
  /** ydeploy/<env>/ */
  prefix: string;
  identity: Identity;
  store: ObjectStore;
  releases: ObjectStore;
  secrets: Secrets;
  terraform: Terraform;
  clock: Clock;
  discord: DiscordAccount;
  tests?: TestCommand;
  /** Where the default test suite should be, when it is not there. */
  testsMissing?: string;
  /** S3 behind a custom endpoint (moto): the backend needs path-style addressing. */
  pathStyle?: boolean;
  signal: AbortSignal;
}

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
