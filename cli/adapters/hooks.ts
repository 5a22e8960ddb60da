// The HookRunner port over a shell (execa): the team's hook commands, each in its own process
// group so a timeout or Ctrl-C stops whatever the command started too, not only the shell.
import { execa } from 'execa';
import type { HookRun, HookRunner } from '../ports.js';

/** How many of the last output lines a run keeps (what a failing hook's error shows). */
const TAIL_LINES = 20;
/** After SIGTERM, how long a hook has to exit before SIGKILL. */
const KILL_GRACE_MS = 2_000;

export class ShellHooks implements HookRunner {
  constructor(private readonly processEnv: NodeJS.ProcessEnv) {}

  async run(
    command: string,
    options: {
      env: Record<string, string>;
      cwd: string;
      timeoutMs: number;
      signal?: AbortSignal;
      onLine(line: string): void;
    },
  ): Promise<HookRun> {
    const tail: string[] = [];
    const line = function* (text: unknown) {
      const value = String(text);
      tail.push(value);
      if (tail.length > TAIL_LINES) tail.shift();
      options.onLine(value);
      yield text;
    };
    const started = performance.now();
    const subprocess = execa(command, {
      shell: true,
      cwd: options.cwd,
      env: { ...this.processEnv, ...options.env },
      extendEnv: false,
      detached: true,
      cleanup: true,
      reject: false,
      stdin: 'ignore',
      stdout: [line],
      stderr: [line],
      buffer: false,
    });
    let killed: 'timeout' | 'interrupted' | undefined;
    const stop = (why: 'timeout' | 'interrupted') => {
      if (killed || subprocess.pid === undefined) return;
      killed = why;
      signalGroup(subprocess.pid, 'SIGTERM');
      setTimeout(() => signalGroup(subprocess.pid!, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = () => stop('interrupted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await subprocess;
      const seconds = (performance.now() - started) / 1000;
      const startError = (result.cause as NodeJS.ErrnoException | undefined)?.code;
      if (killed === 'timeout')
        return { timedOut: true, tail, seconds, error: `killed after ${options.timeoutMs / 1000}s (hooks.timeout)` };
      if (killed === 'interrupted') return { timedOut: false, tail, seconds, error: 'killed by Ctrl-C' };
      if (startError) return { timedOut: false, tail, seconds, error: `could not start: ${startError}` };
      return { exitCode: result.exitCode ?? undefined, timedOut: false, tail, seconds };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
