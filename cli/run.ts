// Runs one parsed command: builds its input (reporter, Ctrl-C signals), calls its handler, and turns
// whatever it throws into output and an exit code; or reports the command line commander could not
// parse. Loaded only then, not for --help.
import type { CommanderError } from '@commander-js/extra-typings';
import type { CommandInput, GlobalOptions, Handler, Parsed } from './command.js';
import { ExitCode, InterruptedError, UsageError, isUserError } from './errors.js';
import type { SignalSource } from './signals.js';

/**
 * A second Ctrl-C kills what runs (terraform, waits) at once, then gives the command this long to
 * release the deployment lock and mark its journal entry interrupted before ydeploy exits anyway.
 */
export const FORCED_CLEANUP_MS = 2000;

export interface MainIo {
  stdout?: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean });
  stderr?: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean });
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Install SIGINT/SIGTERM handlers (the bin shim does; in-process tests don't, or pass an
   * emitter of their own to send the signals).
   */
  trapSignals?: boolean | SignalSource;
  /** After a second Ctrl-C, how long the command may still spend releasing its lock and journaling (ms). */
  forcedCleanupMs?: number;
}

type Io = MainIo & { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

export async function runCommand(handler: Handler, parsed: Parsed, io: Io): Promise<number> {
  const env = io.env ?? process.env;
  const globals = globalOptions(parsed.all);
  const [{ createReporter }, { reportError }, { trapSignals }, { colorWanted, detectCi }] = await Promise.all([
    import('./output/reporter.js'),
    import('./output/errors.js'),
    import('./signals.js'),
    import('./output/terminal.js'),
  ]);
  const { stdout, stderr } = io;
  const { json, verbose } = globals;
  const ci = await detectCi(env);
  const color = colorWanted({ flag: globals.color, env, stream: stderr, ci });
  const reporter = await createReporter({ json, color, verbose, ci, stdout, stderr, stdin: io.stdin, env });
  const cancellation = io.trapSignals ? trapSignals(io.trapSignals === true ? undefined : io.trapSignals) : undefined;
  const idle = new AbortController();
  const input: CommandInput = {
    command: parsed.command,
    args: parsed.args,
    options: parsed.options,
    globals,
    reporter,
    signal: cancellation?.signal ?? idle.signal,
    killSignal: cancellation?.killSignal ?? idle.signal,
    cwd: io.cwd ?? process.cwd(),
    env,
    stdin: io.stdin ?? process.stdin,
  };
  let cleanupTimer: NodeJS.Timeout | undefined;
  try {
    const work = handler(input).then((code) => code ?? ExitCode.ok);
    // The second Ctrl-C: the work's own cleanup (lock, journal) gets a bounded moment, no more.
    const forced = cancellation?.forced.then(() =>
      Promise.race([
        work,
        new Promise<never>((_, reject) => {
          const ms = io.forcedCleanupMs ?? FORCED_CLEANUP_MS;
          cleanupTimer = setTimeout(() => reject(cleanupTimedOut(ms, globals.env)), ms);
        }),
      ]),
    );
    return await (forced ? Promise.race([work, forced]) : work);
  } catch (error) {
    // A command torn down by Ctrl-C reports the interruption, not whatever the abort broke.
    const interrupted = cancellation?.signal.aborted && !isUserError(error);
    return reportError(interrupted ? cancellation!.signal.reason : error, { stdout, stderr, json, verbose, color });
  } finally {
    if (cleanupTimer) clearTimeout(cleanupTimer);
    cancellation?.dispose();
    (reporter as { close?: () => void }).close?.();
  }
}

/** The command was still cleaning up when the second Ctrl-C's grace ran out. */
function cleanupTimedOut(ms: number, env: string | undefined): InterruptedError {
  const flag = env ? ` --env ${env}` : '';
  return new InterruptedError(`stopped at once (Ctrl-C twice)`, {
    fix: `the cleanup did not finish within ${ms / 1000}s, so the deployment lock may still be held and the journal may not say "interrupted": ydeploy lock status${flag}, then ydeploy lock release --force${flag} if no deployment runs, and rerun with --resume`,
  });
}

/** Bad usage (exit 2): "{what}: {why}" and the help to read (a group given no subcommand printed its own). */
export async function reportUsage(error: CommanderError, argv: string[], commands: string[], io: Io): Promise<number> {
  if (error.code === 'commander.help') return ExitCode.usage;
  const [{ reportError }, { colorWanted, detectCi }] = await Promise.all([
    import('./output/errors.js'),
    import('./output/terminal.js'),
  ]);
  const text = error.message.replace(/^error:\s*/, '').trim();
  const [what, ...rest] = text.split('\n');
  const why = rest.join(' ').replace(/[()]/g, '').trim() || 'not a command or option ydeploy knows';
  const sub = argv.find((a) => !a.startsWith('-'));
  const fix = sub && commands.includes(sub) ? `ydeploy ${sub} --help` : 'ydeploy --help';
  const { stdout, stderr } = io;
  const env = io.env ?? process.env;
  const color = colorWanted({ flag: !argv.includes('--no-color'), env, stream: stderr, ci: await detectCi(env) });
  const json = argv.includes('--json');
  return reportError(new UsageError(what, why, { fix }), { stdout, stderr, json, verbose: false, color });
}

function globalOptions(raw: Record<string, unknown>): GlobalOptions {
  return {
    env: raw.env as string | undefined,
    config: raw.config as string | undefined,
    region: raw.region as string | undefined,
    profile: raw.profile as string | undefined,
    json: Boolean(raw.json),
    yes: Boolean(raw.yes),
    color: raw.color !== false,
    verbose: Boolean(raw.verbose),
  };
}
