// The one place an error becomes output and an exit code.
import type { Writable } from 'node:stream';
import { type ExitCode, exitCodeOf, isUserError } from '../errors.js';
import { paint } from './paint.js';

export interface ErrorOutput {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  json: boolean;
  verbose: boolean;
  color: boolean;
}

export function reportError(error: unknown, io: ErrorOutput): ExitCode {
  const code = exitCodeOf(error);
  const p = paint(io.color);
  if (io.json) {
    io.stdout.write(
      `${JSON.stringify({ type: 'result', ok: false, exitCode: code, error: describe(error, io.verbose) })}\n`,
    );
  }
  const lines: string[] = [];
  if (isUserError(error)) {
    lines.push(`${p.red('✖')} ${error.message}`);
    for (const [key, value] of Object.entries(error.details ?? {}))
      lines.push(`  ${p.dim(`${key}:`)} ${formatDetail(value)}`);
    if (error.fix) lines.push(`  ${p.cyan('→')} ${error.fix}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`${p.red('✖')} ydeploy hit a bug: ${message}`);
    lines.push(`  ${p.cyan('→')} rerun with --verbose and report the output`);
  }
  if (io.verbose) lines.push(...trace(error).map((line) => p.dim(line)));
  io.stderr.write(`${lines.join('\n')}\n`);
  return code;
}

function formatDetail(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describe(error: unknown, verbose: boolean): Record<string, unknown> {
  if (isUserError(error)) {
    return {
      kind: 'user',
      what: error.what,
      why: error.why,
      fix: error.fix,
      details: error.details,
      ...(verbose ? { stack: error.stack } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'bug', message, ...(verbose && error instanceof Error ? { stack: error.stack } : {}) };
}

/** The stack of the error and of every cause under it. */
function trace(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current instanceof Error) {
      lines.push(
        ...(current.stack ?? `${current.name}: ${current.message}`)
          .split('\n')
          .map((l) => (depth ? `  caused by ${l}` : l)),
      );
      current = current.cause;
    } else {
      lines.push(`  caused by ${String(current)}`);
      break;
    }
  }
  return lines;
}
