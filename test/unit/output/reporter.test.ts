import { describe, expect, it } from 'vitest';
import { createReporter, formatSeconds, isInteractiveTerminal } from '../../../cli/output/reporter.js';
import { ExitCode, UsageError } from '../../../cli/errors.js';
import { ANSI, capture, input, ndjson } from './streams.js';

function clock(start = Date.parse('2026-11-26T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('plain output (not a terminal)', () => {
  it('writes progress lines to stderr and nothing to stdout but data', async () => {
    const stdout = capture();
    const stderr = capture();
    const time = clock();
    const reporter = await createReporter({ ci: false, stdout, stderr, color: false, now: time.now });
    expect(reporter.interactive).toBe(false);
    const step = reporter.step('apply terraform');
    step.update('3/12 resources');
    time.advance(2_500);
    step.succeed('12 added');
    reporter.step('probe health').fail('503 starting');
    reporter.step('disable legacy').skip('dry run');
    reporter.info('the legacy instance keeps serving');
    reporter.warn('alarm in ALARM');
    reporter.debug('not shown without --verbose');
    reporter.result({ ok: true });
    reporter.data('i-123  enhanced  running');
    expect(stderr.text).toBe(
      [
        '• apply terraform…',
        '✔ apply terraform (2.5s) — 12 added',
        '• probe health…',
        '✖ probe health (0.0s) — 503 starting',
        '• disable legacy…',
        '↷ disable legacy — dry run',
        'the legacy instance keeps serving',
        '⚠ alarm in ALARM',
        '',
      ].join('\n'),
    );
    expect(stdout.text).toBe('i-123  enhanced  running\n');
  });

  it('a nested step prints only its outcome, indented', async () => {
    const stderr = capture();
    const time = clock();
    const reporter = await createReporter({ ci: false, stdout: capture(), stderr, color: false, now: time.now });
    const apply = reporter.step('terraform apply');
    const resource = reporter.step('create aws_instance.enhanced', { nested: true });
    time.advance(10_000);
    resource.succeed('id=i-1');
    apply.succeed('1 added');
    expect(stderr.text).toBe(
      [
        '• terraform apply…',
        '  ✔ create aws_instance.enhanced (10.0s) — id=i-1',
        '✔ terraform apply (10.0s) — 1 added',
        '',
      ].join('\n'),
    );
  });

  it('--verbose shows step updates and debug lines', async () => {
    const stderr = capture();
    const reporter = await createReporter({ ci: false, stdout: capture(), stderr, color: false, verbose: true });
    reporter.step('apply').update('3/12 resources');
    reporter.debug('terraform apply -json');
    expect(stderr.text).toBe('• apply…\n  apply: 3/12 resources\nterraform apply -json\n');
  });

  it('a step finishes once', async () => {
    const stderr = capture();
    const reporter = await createReporter({ ci: false, stdout: capture(), stderr, color: false });
    const step = reporter.step('once');
    step.succeed();
    step.fail('late');
    expect(stderr.text.match(/once/g)).toHaveLength(2);
  });
});

describe('--json', () => {
  it('writes NDJSON events, then one result, on stdout; stderr stays empty', async () => {
    const stdout = capture();
    const stderr = capture({ tty: true });
    const time = clock();
    const reporter = await createReporter({ ci: false, json: true, stdout, stderr, now: time.now });
    expect(reporter.interactive).toBe(false);
    const step = reporter.step('health gate', { instance: 'i-1' });
    step.update('starting');
    time.advance(1_234);
    step.succeed('healthy');
    reporter.warn('slow');
    reporter.event({ type: 'instance', id: 'i-1', message: 'ignored in json' });
    reporter.data('human table, not for machines');
    reporter.result({ ok: true, release: 'v2' });
    expect(stderr.text).toBe('');
    const events = ndjson(stdout.text);
    expect(events.map(({ time: _t, ...rest }) => rest)).toEqual([
      { type: 'step', status: 'started', title: 'health gate', instance: 'i-1' },
      { type: 'step', status: 'progress', title: 'health gate', text: 'starting', instance: 'i-1' },
      { type: 'step', status: 'succeeded', title: 'health gate', seconds: 1.234, detail: 'healthy', instance: 'i-1' },
      { type: 'warning', message: 'slow' },
      { type: 'instance', id: 'i-1', message: 'ignored in json' },
      { type: 'result', ok: true, release: 'v2' },
    ]);
    expect(events[0].time).toBe('2026-11-26T10:00:00.000Z');
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
  });

  it('keeps an instance kind readable as `role` beside `kind` (its name in 0.1), and leaves active/standby alone', async () => {
    const stdout = capture();
    const reporter = await createReporter({ ci: false, json: true, stdout, stderr: capture(), now: clock().now });
    reporter.event({ type: 'log', instanceId: 'i-1', instanceKind: 'enhanced', kind: 'bot' });
    reporter.result({
      instances: [{ id: 'i-1', kind: 'legacy', botRole: 'active', body: { status: 'healthy', role: 'active' } }],
    });
    const [log, result] = ndjson(stdout.text) as [Record<string, unknown>, { instances: unknown[] }];
    expect(log).toMatchObject({ instanceKind: 'enhanced', kind: 'bot', role: 'enhanced' });
    expect(result.instances[0]).toEqual({
      id: 'i-1',
      kind: 'legacy',
      role: 'legacy',
      botRole: 'active',
      body: { status: 'healthy', role: 'active' },
    });
  });
});

describe('colour', () => {
  it('colours marks when asked, never otherwise', async () => {
    const coloured = capture();
    await createReporter({ ci: false, stdout: capture(), stderr: coloured, color: true }).then((r) =>
      r.step('x').succeed(),
    );
    expect(coloured.text).toMatch(ANSI);
    const plain = capture();
    await createReporter({ ci: false, stdout: capture(), stderr: plain, color: false }).then((r) =>
      r.step('x').succeed(),
    );
    expect(plain.text).not.toMatch(ANSI);
  });

  it('NO_COLOR turns colour off when the caller does not decide', async () => {
    const saved = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      const stderr = capture({ tty: true });
      const reporter = await createReporter({ ci: false, stdout: capture(), stderr, interactive: false });
      reporter.warn('careful');
      expect(stderr.text).toBe('⚠ careful\n');
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });
});

describe('isInteractiveTerminal', () => {
  it('spins only on a real, watched terminal with a width', () => {
    expect(isInteractiveTerminal({ isTTY: true, columns: 120 }, { TERM: 'xterm' })).toBe(true);
    expect(isInteractiveTerminal({ isTTY: false }, { TERM: 'xterm' })).toBe(false);
    expect(isInteractiveTerminal({ isTTY: true, columns: 120 }, { TERM: 'dumb' })).toBe(false);
    expect(isInteractiveTerminal({ isTTY: true, columns: 120 }, { TERM: 'xterm', CI: 'true' })).toBe(false);
    expect(isInteractiveTerminal({ isTTY: true, columns: 0 }, { TERM: 'xterm' })).toBe(false);
  });
});

describe('on a terminal', () => {
  it('draws a spinner with elapsed time and leaves the finished line', async () => {
    const stderr = capture({ tty: true });
    const reporter = await createReporter({ ci: false, stdout: capture(), stderr, color: false, interactive: true });
    expect(reporter.interactive).toBe(true);
    const step = reporter.step('launch enhanced');
    step.update('pending');
    step.succeed('running');
    (reporter as unknown as { close(): void }).close();
    expect(stderr.text).toContain('launch enhanced — pending');
    expect(stderr.text).toMatch(/✔ launch enhanced \(\d+\.\ds\) — running\n/);
  });
});

describe('prompts', () => {
  it('refuse without a terminal, pointing at --yes', async () => {
    const reporter = await createReporter({ ci: false, stdout: capture(), stderr: capture(), stdin: input(false) });
    const error = await reporter.confirm('Disable legacy?').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe(ExitCode.usage);
    expect((error as UsageError).message).toBe('cannot ask "Disable legacy?": standard input is not a terminal');
    expect((error as UsageError).fix).toBe('rerun with --yes (or pass the value as a flag)');
  });

  it('read an answer on a terminal', async () => {
    const stdin = input(true);
    const stderr = capture();
    const reporter = await createReporter({ ci: false, stdout: capture(), stderr, stdin });
    const answer = reporter.confirm('Disable legacy?');
    stdin.write('y\n');
    expect(await answer).toBe(true);
    expect(stderr.text).toContain('Disable legacy? (y/N)');
  });
});

describe('formatSeconds', () => {
  it('tenths under a minute, then minutes and seconds', () => {
    expect(formatSeconds(0.04)).toBe('0.0s');
    expect(formatSeconds(59.94)).toBe('59.9s');
    expect(formatSeconds(61)).toBe('1m01s');
    expect(formatSeconds(3600)).toBe('60m00s');
  });
});
