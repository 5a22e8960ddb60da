// Graceful shutdown on SIGTERM/SIGINT: stop answering, tell health "stopping", leave Discord
// (client.destroy() never resolves while still connecting, so it gets its own deadline),
// remove the readiness file, exit 0 well within systemd's 10 s.
import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run(): unknown;
  /** How long this step may take before we move on. */
  deadlineMs?: number;
}

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
  const shutdown = () => (running ??= run(log, steps, hardDeadlineMs));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log.info({ signal }, 'shutting down');
      void shutdown();
    });
  }
  return shutdown;
}

async function run(log: Logger, steps: ShutdownStep[], hardDeadlineMs: number): Promise<void> {
  const started = Date.now();
  setTimeout(() => {
    log.warn({ ms: hardDeadlineMs }, 'shutdown deadline passed: exiting now');
    process.exit(0);
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
  log.info({ ms: Date.now() - started }, 'stopped');
  process.exit(0);
}

/** true if the promise settled in time. */
function withDeadline(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer));
}
