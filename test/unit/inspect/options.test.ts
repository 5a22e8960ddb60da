import { describe, expect, it } from 'vitest';
import { INTERVAL_BOUNDS, parseDuration, parseSince } from '../../../cli/inspect/options.js';
import { ExitCode, UsageError } from '../../../cli/errors.js';

const now = Date.parse('2026-11-26T10:00:00Z');

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe(ExitCode.usage);
    return error as UsageError;
  }
  throw new Error('expected a usage error');
}

describe('parseSince', () => {
  it('reads durations ago and real ISO days and times', () => {
    expect(parseSince('15m', now, 'logs')).toBe(now - 900_000);
    expect(parseSince('2026-11-26', now, 'logs')).toBe(Date.parse('2026-11-26T00:00:00Z'));
    expect(parseSince('2026-11-26T09:00:00Z', now, 'logs')).toBe(now - 3_600_000);
    expect(parseSince('2026-11-26T09:30:00.5+00:00', now, 'logs')).toBe(Date.parse('2026-11-26T09:30:00.500Z'));
    expect(parseSince('2024-02-29', now, 'logs')).toBe(Date.parse('2024-02-29T00:00:00Z'));
  });

  it('refuses days and times that do not exist instead of rolling them over', () => {
    for (const text of [
      '2026-02-30',
      '2026-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-11-26T24:00:00Z',
      '2026-11-26T10:60',
    ]) {
      const error = usage(() => parseSince(text, now, 'logs'));
      expect(error.what).toBe(`--since ${text} is not understood`);
      expect(error.why).toMatch(/^that day or time does not exist/);
      expect(error.fix).toBe('ydeploy logs --since 15m');
    }
  });

  it('refuses an empty value, a time further back than CloudWatch keeps, and the future', () => {
    expect(usage(() => parseSince('', now, 'logs')).what).toBe('--since "" is not understood');
    expect(usage(() => parseSince(undefined, now, 'logs')).what).toBe('--since "" is not understood');
    const far = usage(() => parseSince('100y', now, 'logs'));
    expect(far.what).toBe('--since 100y is too far back');
    expect(far.why).toBe('CloudWatch Logs keeps events at most 10 years (3653 days)');
    expect(usage(() => parseSince('1900-01-01', now, 'logs')).what).toBe('--since 1900-01-01 is too far back');
    expect(usage(() => parseSince('2027-01-01', now, 'logs')).what).toBe('--since 2027-01-01 is in the future');
    expect(usage(() => parseSince('-5m', now, 'logs')).what).toBe('--since -5m is not understood');
  });
});

describe('parseDuration', () => {
  it('refuses empty text (ms would throw) and nonsense', () => {
    for (const value of ['', '  ', 'soon', '0s', '-1s', undefined])
      usage(() => parseDuration('--duration', value, 'monitor'));
  });

  it('holds intervals between a second and a day', () => {
    expect(parseDuration('--interval', '1s', 'monitor', INTERVAL_BOUNDS)).toBe(1_000);
    expect(parseDuration('--interval', '1d', 'monitor', INTERVAL_BOUNDS)).toBe(86_400_000);
    const short = usage(() => parseDuration('--interval', '1ms', 'monitor', INTERVAL_BOUNDS));
    expect(short.message).toBe('--interval 1ms is too short: it must be at least 1s');
    expect(short.fix).toBe('ydeploy monitor --interval 1s');
    const long = usage(() => parseDuration('--interval', '30d', 'monitor', INTERVAL_BOUNDS));
    expect(long.message).toBe('--interval 30d is too long: it must be at most 1d');
  });
});
