// Graceful shutdown on SIGTERM/SIGINT: stop answering, tell health "stopping", leave Discord
// (client.destroy() never resolves while still connecting, so it gets its own deadline),
// remove the readiness file, exit 0 well within systemd's 10 s. A shutdown that misses its
// hard deadline exits 1: the unit's Restart=on-failure then brings the bot back if the stop was
// not asked for by systemd (systemctl stop never restarts).
import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run(): unknown;
  /** How long this step may take before we move on. */
  deadlineMs?: number;
}

/** The exit code when the shutdown did not finish by its hard deadline: a failure, not a clean stop. */
export const SHUTDOWN_DEADLINE_EXIT_CODE = 1;

let early: (() => void) | undefined;

/**
 * Until the bot has something to undo, SIGTERM/SIGINT end it at once with exit 0 (loading
 * discord.js alone takes about half a second; without this a signal then kills it by default).
 */
export function exitEarlyOnSignals(): void {
  const exit = () => process.exit(0);
  process.once('SIGTERM', exit);
  process.once('SIGINT', exit);
  early = () => {
    process.off('SIGTERM', exit);
    process.off('SIGINT', exit);
  };
}

export function onSignals(log: Logger, steps: ShutdownStep[], hardDeadlineMs = 8000): () => Promise<void> {
  early?.();
  let running: Promise<void> | undefined;
  const shutdown = () => (running ??= runShutdown(log, steps, hardDeadlineMs));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log.info({ signal }, 'shutting down');
      void shutdown();
    });
  }
  return shutdown;
}

/** Runs the steps in order, each within its deadline, then exits 0; exits 1 at the hard deadline. */
export async function runShutdown(
  log: Pick<Logger, 'info' | 'warn'>,
  steps: ShutdownStep[],
  hardDeadlineMs: number,
  exit: (code: number) => void = (code) => process.exit(code),
): Promise<void> {
  const started = Date.now();
  const deadline = setTimeout(() => {
    log.warn({ ms: hardDeadlineMs }, 'shutdown deadline passed: exiting now (exit 1, so systemd restarts the bot)');
    exit(SHUTDOWN_DEADLINE_EXIT_CODE);
  }, hardDeadlineMs);
  for (const step of steps) {
    try {
      const done = await withDeadline(
        Promise.resolve().then(() => step.run()),
        step.deadlineMs ?? 2000,
      );
      if (!done) log.warn({ step: step.name, ms: step.deadlineMs ?? 2000 }, 'shutdown step timed out');
    } catch (error) {
      log.warn({ step: step.name, err: error }, 'shutdown step failed');
    }
  }
  clearTimeout(deadline);
  log.info({ ms: Date.now() - started }, 'stopped');
  exit(0);
}

/** true if the promise settled in time. */
function withDeadline(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer));
}
