// One error tree. Everything a user can fix is a UserError carrying its exit code (DESIGN.md §2);
// anything else is a bug. Errors become output in exactly one place: cli/output/errors.ts.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  preflight: 3,
  healthGate: 4,
  locked: 5,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface UserErrorOptions {
  /** The command that fixes or continues it, e.g. "ydeploy lock release --force". */
  fix?: string;
  code?: ExitCode;
  cause?: unknown;
  /** Extra facts shown with the message and carried in --json. */
  details?: Record<string, unknown>;
}

/** Something the user can fix: "{what}: {why}", then the command that fixes it. */
export class UserError extends Error {
  readonly what: string;
  readonly why: string;
  readonly fix?: string;
  readonly code: ExitCode;
  readonly details?: Record<string, unknown>;

  constructor(what: string, why: string, options: UserErrorOptions = {}) {
    super(`${what}: ${why}`, { cause: options.cause });
    this.name = 'UserError';
    this.what = what;
    this.why = why;
    this.fix = options.fix;
    this.code = options.code ?? ExitCode.failed;
    this.details = options.details;
  }
}

/** Bad flag, bad config, missing tool: exit 2. */
export class UsageError extends UserError {
  constructor(what: string, why: string, options: Omit<UserErrorOptions, 'code'> = {}) {
    super(what, why, { ...options, code: ExitCode.usage });
    this.name = 'UsageError';
  }
}

/** The operator pressed Ctrl-C; state was saved and `--resume` continues. */
export class InterruptedError extends UserError {
  constructor(what: string, options: Omit<UserErrorOptions, 'code'> = {}) {
    super(what, 'interrupted by signal', { ...options, code: ExitCode.interrupted });
    this.name = 'InterruptedError';
  }
}

/** A remote API answered with an error; `retryable` tells callers whether to try again. */
export class ApiError extends UserError {
  readonly status?: number;
  readonly retryable: boolean;
  constructor(what: string, why: string, options: UserErrorOptions & { status?: number; retryable?: boolean } = {}) {
    super(what, why, options);
    this.name = 'ApiError';
    this.status = options.status;
    this.retryable =
      options.retryable ?? (options.status !== undefined && (options.status >= 500 || options.status === 429));
  }
}

/**
 * AWS credentials that are not there (`missing`: the SDK's chain found none, or the profile gives
 * none) or that AWS refused (`rejected`). Every call would fail the same way, so commands report
 * it once rather than per call. Exit 2: it is configuration.
 */
export class CredentialsError extends ApiError {
  readonly problem: 'missing' | 'rejected';
  constructor(
    what: string,
    why: string,
    problem: 'missing' | 'rejected',
    options: Omit<UserErrorOptions, 'code'> & { status?: number } = {},
  ) {
    super(what, why, { ...options, code: ExitCode.usage, retryable: false });
    this.name = 'CredentialsError';
    this.problem = problem;
  }

  /** The same error, told about something else (e.g. "cannot read the status of production"). */
  about(what: string): CredentialsError {
    return new CredentialsError(what, this.why, this.problem, { fix: this.fix, cause: this, details: this.details });
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The exit code an error maps to: user errors carry theirs; bugs exit 1. */
export function exitCodeOf(error: unknown): ExitCode {
  return isUserError(error) ? error.code : ExitCode.failed;
}
