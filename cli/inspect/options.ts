// Duration and time flags (--since, --interval, --duration, --timeout, --limit), read with `ms`.
import ms from 'ms';
import { UsageError } from '../errors.js';

export function parseDuration(flag: string, value: unknown, command: string): number {
  const parsed =
    typeof value === 'number' ? value : typeof value === 'string' ? ms(value.trim() as ms.StringValue) : undefined;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new UsageError(
      `${flag} ${String(value)} is not a duration`,
      'expected a positive duration such as 500ms, 30s, 15m or 24h',
      { fix: `ydeploy ${command} ${flag} 30s` },
    );
  }
  return parsed;
}

/** `--since 15m` (that long ago) or `--since 2026-11-26T10:00:00Z`. */
export function parseSince(value: unknown, now: number, command: string): number {
  const text = String(value ?? '').trim();
  const ago = ms(text as ms.StringValue);
  if (typeof ago === 'number' && Number.isFinite(ago) && ago >= 0) return now - ago;
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const at = Date.parse(text);
    if (Number.isFinite(at)) return at;
  }
  throw new UsageError(
    `--since ${text} is not understood`,
    'expected a duration ago (15m, 2h, 1d) or an ISO time (2026-11-26T10:00:00Z)',
    { fix: `ydeploy ${command} --since 15m` },
  );
}

export function parseLimit(value: unknown, command: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--limit ${String(value)} is not a count`, 'expected a whole number of 1 or more', {
      fix: `ydeploy ${command} --limit 10`,
    });
  return n;
}
