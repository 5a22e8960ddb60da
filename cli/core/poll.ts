// "Wait until": the one loop behind the health gate's waits and `health --wait`. Each attempt
// either settles (returns a value) or not yet (undefined); past the deadline the caller says
// what a timeout means — a failure to throw, or the last reading to return.
import type { Clock } from '../ports.js';

export interface PollOptions {
  timeoutMs: number;
  intervalMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

export async function poll<T>(
  options: PollOptions,
  attempt: () => Promise<T | undefined>,
  timedOut: () => T,
): Promise<T> {
  const { clock, signal } = options;
  const deadline = clock.now() + options.timeoutMs;
  for (;;) {
    const settled = await attempt();
    if (settled !== undefined) return settled;
    if (clock.now() >= deadline) return timedOut();
    await clock.sleep(Math.min(options.intervalMs, Math.max(0, deadline - clock.now())), signal);
  }
}
