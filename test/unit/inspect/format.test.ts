import { describe, expect, it } from 'vitest';
import { formatLogLine, levelName, parsePino } from '../../../cli/output/logline.js';
import { duration, flatten, renderHealth, renderHistory, renderMonitorSummary } from '../../../cli/output/table.js';
import { paint } from '../../../cli/output/paint.js';
import { toHistory } from '../../../cli/inspect/history.js';
import { parseDuration, parseLimit, parseSince } from '../../../cli/inspect/options.js';
import { UsageError } from '../../../cli/errors.js';

const plain = paint(false);
const T = Date.parse('2026-11-26T10:04:05.123Z');

describe('log lines', () => {
  it('formats a pino line: time, instance kind, instance, stream, level, message, extra fields', () => {
    const message = JSON.stringify({
      level: 30,
      time: T,
      pid: 7,
      hostname: 'h',
      msg: 'ready on Discord',
      guilds: 1,
      user: 'bot#1',
    });
    expect(
      formatLogLine({ timestamp: T, message, instanceId: 'i-0abc', instanceKind: 'enhanced', kind: 'bot' }, plain),
    ).toBe('10:04:05.123 enhanced i-0abc bot    INFO  ready on Discord guilds=1 user=bot#1');
  });

  it('shows lines that are not JSON as they are', () => {
    expect(
      formatLogLine(
        { timestamp: T, message: 'plain text\n', instanceId: 'i-1', instanceKind: 'legacy', kind: 'health' },
        plain,
      ),
    ).toBe('10:04:05.123 legacy   i-1 health plain text');
  });

  it('names pino levels', () => {
    expect([10, 20, 30, 40, 50, 60, 35, undefined].map(levelName)).toEqual([
      'TRACE',
      'DEBUG',
      'INFO',
      'WARN',
      'ERROR',
      'FATAL',
      'INFO',
      '',
    ]);
    expect(parsePino('{"msg":"x"}')).toEqual({ level: undefined, msg: 'x', fields: {} });
    expect(parsePino('[1,2]')).toBeUndefined();
    expect(parsePino('{broken')).toBeUndefined();
  });

  it('colours levels and kinds only when asked', () => {
    const colour = paint(true);
    const line = (level: number) =>
      formatLogLine(
        {
          timestamp: T,
          message: JSON.stringify({ level, msg: 'm' }),
          instanceId: 'i-1',
          instanceKind: 'enhanced',
          kind: 'bot',
        },
        colour,
      );
    expect(line(50)).toContain('\x1b[31mERROR');
    expect(line(40)).toContain('\x1b[33mWARN');
    expect(line(30)).toContain('\x1b[32mINFO');
    expect(line(30)).toContain('\x1b[36menhanced');
  });
});

describe('tables', () => {
  it('formats durations and flattens terraform outputs', () => {
    expect([duration(450), duration(90_000), duration(7_200_000), duration(undefined)]).toEqual([
      '450ms',
      '2m',
      '2h',
      '—',
    ]);
    expect(flatten({ vpc: 'v', subnets: ['a', 'b'], instances: { legacy: null, enhanced: { id: 'i-1' } } })).toEqual([
      ['vpc', 'v'],
      ['subnets', 'a, b'],
      ['instances.legacy', 'null'],
      ['instances.enhanced.id', 'i-1'],
    ]);
  });

  it('renders health probes', () => {
    const text = renderHealth(
      [
        {
          instanceId: 'i-1',
          kind: 'enhanced',
          state: 'healthy',
          httpStatus: 200,
          botRole: 'active',
          latencyMs: 812,
          at: 0,
          body: { status: 'healthy', timestamp: 't', uptime: 90, version: 'v2', discord: { ready: true, ping: 41 } },
        },
        {
          instanceId: 'i-2',
          kind: 'legacy',
          state: 'unreachable',
          reason: 'no answer through SSM within 15s',
          latencyMs: 15000,
          at: 0,
        },
      ],
      plain,
    );
    expect(text).toMatch(/enhanced │ i-1\s+│ healthy \(active\) │ 200\s+│ v2\s+│ 2m\s+│ ready 41ms │ 812ms/);
    expect(text).toMatch(/legacy\s+│ i-2\s+│ unreachable\s+│ —.*no answer through SSM within 15s/);
  });

  it('renders history newest first with each step time and outcome', () => {
    const entry = toHistory({
      id: '20261126T100000Z-migrate-ab12',
      command: 'migrate',
      environment: 'test',
      who: 'ann@laptop',
      started: '2026-11-26T10:00:00.000Z',
      ended: '2026-11-26T10:03:30.000Z',
      outcome: 'succeeded',
      steps: [
        {
          id: 'enable-both',
          title: 'Step 1: enable both instances',
          started: '2026-11-26T10:00:00.000Z',
          ended: '2026-11-26T10:01:05.000Z',
          outcome: 'succeeded',
        },
        {
          id: 'gate',
          title: 'Step 2: health gate',
          started: '2026-11-26T10:01:05.000Z',
          ended: '2026-11-26T10:01:47.500Z',
          seconds: 42.5,
          outcome: 'succeeded',
        },
        { id: 'disable', title: 'Step 3: disable legacy', started: '2026-11-26T10:01:48.000Z', outcome: 'running' },
      ],
      state: {},
    });
    expect(entry.seconds).toBe(210);
    expect(entry.steps.map((s) => s.seconds)).toEqual([65, 42.5, undefined]);
    const text = renderHistory([entry], plain);
    expect(text.split('\n')).toEqual([
      '20261126T100000Z-migrate-ab12  migrate by ann@laptop  2026-11-26T10:00:00.000Z  4m  succeeded',
      // Journaled before metrics were recorded.
      '  metrics  —',
      '       1m  succeeded   Step 1: enable both instances',
      '      43s  succeeded   Step 2: health gate',
      '        —  running     Step 3: disable legacy',
    ]);
    expect(renderHistory([], plain)).toBe('no deployments in the journal yet');
  });

  it('renders the monitor summary with its alerts', () => {
    const text = renderMonitorSummary(
      {
        started: 's',
        ended: 'e',
        seconds: 600,
        interrupted: true,
        rounds: 10,
        instances: [
          {
            id: 'i-1',
            kind: 'enhanced',
            probes: 10,
            healthy: 9,
            availability: 90,
            lastState: 'healthy',
            medianProbeMs: 800,
            medianDiscordPingMs: 40,
          },
        ],
        alarms: [{ name: 'p-e-nat-errors', kind: 'nat', state: 'ALARM' }],
        alerts: [
          {
            at: '2026-11-26T10:00:00Z',
            kind: 'nat',
            subject: 'p-e-nat-errors',
            message: 'alarm p-e-nat-errors is in ALARM',
          },
        ],
        unreadRounds: 3,
      },
      plain,
    );
    expect(text).toContain('monitor stopped early after 10m: 10 rounds, 1 alert(s)');
    expect(text).toContain(
      '3 round(s) could not read the instances, alarms or metrics: what they would have shown is unknown',
    );
    expect(text).toMatch(/i-1\s+│ 10\s+│ 9\s+│ 90%/);
    expect(text).toContain('ALERT [nat] alarm p-e-nat-errors is in ALARM');
  });
});

describe('options', () => {
  const now = Date.parse('2026-11-26T10:00:00Z');
  it('reads --since as a duration ago or an ISO time', () => {
    expect(parseSince('15m', now, 'logs')).toBe(now - 900_000);
    expect(parseSince('2026-11-26T09:00:00Z', now, 'logs')).toBe(now - 3_600_000);
    expect(() => parseSince('yesterday', now, 'logs')).toThrow(UsageError);
  });
  it('reads durations and limits, refusing nonsense', () => {
    expect(parseDuration('--interval', '60s', 'monitor')).toBe(60_000);
    expect(() => parseDuration('--interval', '0s', 'monitor')).toThrow('--interval 0s is not a duration');
    expect(() => parseDuration('--duration', 'forever', 'monitor')).toThrow(UsageError);
    expect(parseLimit('5', 'history')).toBe(5);
    expect(() => parseLimit('-1', 'history')).toThrow(UsageError);
  });
});
