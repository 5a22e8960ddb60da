// A job's interval: "1h", "30s", "2 days" (the ms package), or a number of milliseconds.
import ms from 'ms';

/** Milliseconds, or undefined when `every` is not a positive duration. */
export function intervalMs(every: unknown): number | undefined {
  const value = typeof every === 'number' ? every : typeof every === 'string' ? ms(every as never) : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.round(value) : undefined;
}
