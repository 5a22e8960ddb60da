import { describe, expect, it } from 'vitest';
import { reportError } from '../../../cli/output/errors.js';
import { ApiError, ExitCode, exitCodeOf, InterruptedError, UsageError, UserError } from '../../../cli/errors.js';
import { ANSI, capture, ndjson } from './streams.js';

function render(error: unknown, options: { json?: boolean; verbose?: boolean; color?: boolean } = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = reportError(error, {
    stdout,
    stderr,
    json: options.json ?? false,
    verbose: options.verbose ?? false,
    color: options.color ?? false,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('reportError', () => {
  it('a user error: "{what}: {why}", its details, then the fix; its own exit code', () => {
    const error = new UserError('the health gate failed', 'enhanced answered 503 "starting" for 10m', {
      code: ExitCode.healthGate,
      fix: 'ydeploy logs --instance enhanced --since 15m',
      details: { instance: 'i-0abc', last: { status: 'starting' } },
    });
    expect(render(error)).toEqual({
      code: 4,
      stdout: '',
      stderr: [
        '✖ the health gate failed: enhanced answered 503 "starting" for 10m',
        '  instance: i-0abc',
        '  last: {"status":"starting"}',
        '  → ydeploy logs --instance enhanced --since 15m',
        '',
      ].join('\n'),
    });
  });

  it('a bug: says so and asks for --verbose; exit 1', () => {
    const out = render(new TypeError('cannot read properties of undefined'));
    expect(out.code).toBe(ExitCode.failed);
    expect(out.stderr).toBe(
      '✖ ydeploy hit a bug: cannot read properties of undefined\n  → rerun with --verbose and report the output\n',
    );
  });

  it('--verbose adds the stack and every cause', () => {
    const root = new Error('connect ECONNREFUSED 127.0.0.1:4566');
    const error = new ApiError('cannot read lock.json', 'S3 did not answer', {
      status: 503,
      cause: root,
      fix: 'ydeploy lock status',
    });
    const out = render(error, { verbose: true });
    expect(out.stderr).toMatch(
      /^✖ cannot read lock\.json: S3 did not answer\n  → ydeploy lock status\nApiError: cannot read lock\.json: S3 did not answer\n\s+at /,
    );
    expect(out.stderr).toContain('  caused by Error: connect ECONNREFUSED 127.0.0.1:4566');
    expect(render(error).stderr).not.toContain('caused by');
  });

  it('--json: one result object on stdout with the exit code, the message still on stderr', () => {
    const out = render(
      new UsageError('unknown environment "prod"', 'known environments: production, sandbox', {
        fix: 'pass --env production',
      }),
      { json: true },
    );
    expect(out.code).toBe(2);
    expect(ndjson(out.stdout)).toEqual([
      {
        type: 'result',
        ok: false,
        exitCode: 2,
        error: {
          kind: 'user',
          what: 'unknown environment "prod"',
          why: 'known environments: production, sandbox',
          fix: 'pass --env production',
        },
      },
    ]);
    expect(out.stderr).toContain('✖ unknown environment "prod"');
    expect(ndjson(render(new Error('boom'), { json: true }).stdout)[0]).toEqual({
      type: 'result',
      ok: false,
      exitCode: 1,
      error: { kind: 'bug', message: 'boom' },
    });
  });

  it('colour only when asked', () => {
    expect(render(new UsageError('a', 'b'), { color: true }).stderr).toMatch(ANSI);
    expect(render(new UsageError('a', 'b')).stderr).not.toMatch(ANSI);
  });
});

describe('the error tree', () => {
  it('maps errors to the documented exit codes', () => {
    expect(exitCodeOf(new UsageError('a', 'b'))).toBe(2);
    expect(exitCodeOf(new InterruptedError('SIGINT received'))).toBe(130);
    expect(exitCodeOf(new UserError('a', 'b', { code: ExitCode.locked }))).toBe(5);
    expect(exitCodeOf(new Error('bug'))).toBe(1);
    expect(new InterruptedError('terraform apply was stopped').message).toBe(
      'terraform apply was stopped: interrupted by signal',
    );
  });

  it('API errors know whether a retry can help', () => {
    expect(new ApiError('a', 'b', { status: 503 }).retryable).toBe(true);
    expect(new ApiError('a', 'b', { status: 429 }).retryable).toBe(true);
    expect(new ApiError('a', 'b', { status: 403 }).retryable).toBe(false);
    expect(new ApiError('a', 'b', { status: 403, retryable: true }).retryable).toBe(true);
  });
});
