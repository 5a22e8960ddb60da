// Duration and time flags (--since, --interval, --duration, --timeout, --limit), read with `ms`.
import ms from 'ms';
import { UsageError } from '../errors.js';

/** `ms` reads text as milliseconds; it throws on an empty string, so that is handled here. */
function readMs(text: string): number | undefined {
  if (!text) return undefined;
  const parsed = ms(text as ms.StringValue);
  return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : undefined;
}

export interface DurationBounds {
  /** Shortest accepted value, in milliseconds (default: anything above zero). */
  min?: number;
  /** Longest accepted value, in milliseconds. */
  max?: number;
}

/** The bounds of a polling interval: at least a second (each round calls AWS), at most a day
 * (a timer cannot wait longer than ~24.8 days, and a watch that rarely looks is no watch). */
export const INTERVAL_BOUNDS: DurationBounds = { min: 1_000, max: 86_400_000 };

export function parseDuration(flag: string, value: unknown, command: string, bounds: DurationBounds = {}): number {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? readMs(value.trim()) : undefined;
  const shown = typeof value === 'string' && !value.trim() ? '""' : String(value);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new UsageError(
      `${flag} ${shown} is not a duration`,
      'expected a positive duration such as 500ms, 30s, 15m or 24h',
      {
        fix: `ydeploy ${command} ${flag} 30s`,
      },
    );
  }
  if (bounds.min !== undefined && parsed < bounds.min) {
    throw new UsageError(`${flag} ${shown} is too short`, `it must be at least ${ms(bounds.min)}`, {
      fix: `ydeploy ${command} ${flag} ${ms(bounds.min)}`,
    });
  }
  if (bounds.max !== undefined && parsed > bounds.max) {
    throw new UsageError(`${flag} ${shown} is too long`, `it must be at most ${ms(bounds.max)}`, {
      fix: `ydeploy ${command} ${flag} ${ms(bounds.max)}`,
    });
  }
  return parsed;
}

/** The furthest back `--since` may reach: CloudWatch Logs keeps events at most 3653 days. */
export const SINCE_MAX_MS = 3653 * 86_400_000;

// YYYY-MM-DD, optionally followed by a time and a zone.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** The time of an ISO date or date-time, or undefined when the text is not one or names a day
 * that does not exist (2026-02-30: Date.parse would quietly read it as March 2nd). */
function parseIsoTime(text: string): number | undefined {
  const match = ISO.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
}

/** `--since 15m` (that long ago) or `--since 2026-11-26T10:00:00Z`. */
export function parseSince(value: unknown, now: number, command: string): number {
  const text = String(value ?? '').trim();
  const fix = { fix: `ydeploy ${command} --since 15m` };
  const ago = readMs(text);
  const at = ago === undefined ? parseIsoTime(text) : ago >= 0 ? now - ago : undefined;
  if (at === undefined) {
    const shown = text || '""';
    throw new UsageError(
      `--since ${shown} is not understood`,
      /^\d{4}-\d{2}-\d{2}/.test(text)
        ? 'that day or time does not exist (expected an ISO time such as 2026-11-26T10:00:00Z)'
        : 'expected a duration ago (15m, 2h, 1d) or an ISO time (2026-11-26T10:00:00Z)',
      fix,
    );
  }
  if (now - at > SINCE_MAX_MS)
    throw new UsageError(
      `--since ${text} is too far back`,
      'CloudWatch Logs keeps events at most 10 years (3653 days)',
      fix,
    );
  if (at > now)
    throw new UsageError(`--since ${text} is in the future`, `it is after now (${new Date(now).toISOString()})`, fix);
  return at;
}

export function parseLimit(value: unknown, command: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--limit ${String(value)} is not a count`, 'expected a whole number of 1 or more', {
      fix: `ydeploy ${command} --limit 10`,
    });
  return n;
}
