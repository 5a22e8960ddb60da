// Ctrl-C: the first one asks everything in flight to stop gracefully (terraform gets SIGINT once,
// a handoff under way finishes or hands back, the lock is released, the journal says
// "interrupted"); the second one kills what still runs, and the command gets a bounded moment
// (cli/run.ts) to release the lock and journal before ydeploy exits.
import { InterruptedError } from './errors.js';

export interface Cancellation {
  /** Aborted by the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Aborted by the second: kill what is still running. */
  killSignal: AbortSignal;
  /** Resolves on the second signal, so the process can exit even if something hangs. */
  forced: Promise<void>;
  dispose(): void;
}

/** Where SIGINT and SIGTERM arrive: the process, or a test's emitter. */
export type SignalSource = Pick<NodeJS.Process, 'on' | 'off'>;

export function trapSignals(target: SignalSource = process): Cancellation {
  const graceful = new AbortController();
  const kill = new AbortController();
  let resolveForced!: () => void;
  const forced = new Promise<void>((resolve) => (resolveForced = resolve));
  const onSignal = (name: NodeJS.Signals) => {
    if (!graceful.signal.aborted) {
      graceful.abort(new InterruptedError(`${name} received`, { fix: 'rerun the same command with --resume' }));
      return;
    }
    kill.abort(new InterruptedError(`${name} received twice`));
    resolveForced();
  };
  target.on('SIGINT', onSignal);
  target.on('SIGTERM', onSignal);
  return {
    signal: graceful.signal,
    killSignal: kill.signal,
    forced,
    dispose: () => {
      target.off('SIGINT', onSignal);
      target.off('SIGTERM', onSignal);
    },
  };
}
