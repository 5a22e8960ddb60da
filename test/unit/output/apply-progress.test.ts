// A terraform apply as the user sees it: recorded -json events fed through UiStream into the real
// Reporter, on a terminal (one live line that settles into a summary), with --verbose, without a
// terminal, in CI and with --json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UiStream } from '../../../cli/adapters/terraform/events.js';
import { createReporter, type ReporterOptions } from '../../../cli/output/reporter.js';
import { capture, ndjson, terminal } from './streams.js';

// Recorded from terraform 1.11.4 (-json) on terraform_data fixtures: three resources planned and
// created, terraform_data.slow last (a one-second local-exec).
const recorded = (name: string) =>
  readFileSync(new URL(`../adapters/terraform/fixtures/${name}`, import.meta.url), 'utf8').split('\n');

function clock(start = Date.parse('2026-11-26T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Feeds the run line by line, 100 ms apart; calls `each` after every line. */
async function apply(
  options: ReporterOptions,
  file = 'apply-create.jsonl',
  each?: () => void,
  run: 'apply' | 'destroy' = 'apply',
) {
  const time = clock();
  const reporter = await createReporter({ color: false, ci: false, now: time.now, ...options });
  const ui = new UiStream(reporter, { run });
  for (const line of recorded(file)) {
    ui.line(line);
    time.advance(100);
    each?.();
  }
  ui.finish();
  (reporter as unknown as { close(): void }).close();
  return { reporter, ui };
}

describe('on a terminal', () => {
  it('an apply is one live line, updated in place, that settles into one summary line', async () => {
    const stderr = terminal();
    const live: string[] = [];
    await apply({ stdout: capture(), stderr, interactive: true }, 'apply-create.jsonl', () => {
      const drawn = stderr.screen().filter((line) => line.trim());
      // Never more than the one line on screen while terraform works.
      expect(drawn.length).toBeLessThanOrEqual(1);
      if (drawn[0] && live.at(-1) !== drawn[0]) live.push(drawn[0]);
      // ...and always the same line: the first.
      expect(new Set(stderr.drawnRows)).toEqual(new Set([0]));
    });
    expect(live.map((line) => line.replace(/^\S+ /, ''))).toEqual([
      'terraform apply 0.0s',
      'terraform apply — 0/3 resources · creating terraform_data.slow 0.4s',
      'terraform apply — 0/3 resources · creating terraform_data.b (+1 more) 0.6s',
      'terraform apply — 0/3 resources · creating terraform_data.a (+2 more) 0.7s',
      'terraform apply — 1/3 resources · creating terraform_data.a (+1 more) 0.8s',
      'terraform apply — 2/3 resources · creating terraform_data.slow 1.0s',
      'terraform apply — 3/3 resources 1.2s',
    ]);
    expect(stderr.screen()).toEqual(['✔ terraform apply (1.6s) — 3 resources (3 added)', '']);
    expect(stderr.text).not.toContain('id=');
  });

  it('the live line is cut to the terminal width, however long the resource address', async () => {
    const stderr = terminal(48);
    const seen: string[] = [];
    await apply({ stdout: capture(), stderr, interactive: true }, 'apply-create.jsonl', () =>
      seen.push(stderr.screen()[0]),
    );
    expect(seen.some((line) => line.includes('…'))).toBe(true);
    for (const line of seen) expect(line.length).toBeLessThan(48);
  });

  it('a failed resource stays on screen above the live line', async () => {
    const stderr = terminal();
    await apply({ stdout: capture(), stderr, interactive: true }, 'apply-error.jsonl');
    const screen = stderr.screen().filter(Boolean);
    expect(
      screen.some((line) => /^✖ create terraform_data\.\w+ \(\d+\.\ds\) — terraform reported an error$/.test(line)),
    ).toBe(true);
    expect(screen.filter((line) => line.startsWith('✔ create'))).toEqual([]);
  });

  it('--verbose keeps a line per resource', async () => {
    const stderr = terminal();
    await apply({ stdout: capture(), stderr, interactive: true, verbose: true });
    const screen = stderr.screen().filter(Boolean);
    expect(screen.filter((line) => line.startsWith('✔ create terraform_data.'))).toHaveLength(3);
    expect(screen.at(-1)).toBe('✔ terraform apply (1.6s) — 3 resources (3 added)');
  });

  it('a destroy says what it refreshes while it plans, then counts what it destroys', async () => {
    const stderr = terminal();
    const live: string[] = [];
    await apply(
      { stdout: capture(), stderr, interactive: true },
      'destroy.jsonl',
      () => live.push(stderr.screen()[0]),
      'destroy',
    );
    expect(live.some((line) => /terraform destroy — planning · refreshing terraform_data\.\w+/.test(line))).toBe(true);
    expect(live.some((line) => /terraform destroy — 1\/3 resources · destroying terraform_data\.\w+/.test(line))).toBe(
      true,
    );
    expect(stderr.screen()[0]).toMatch(/^✔ terraform destroy \(\d+\.\ds\) — 3 resources \(3 destroyed\)$/);
  });
});

describe('without a terminal', () => {
  it('prints a line per resource under the apply, and the summary', async () => {
    const stderr = capture();
    await apply({ stdout: capture(), stderr });
    expect(stderr.text).toBe(
      [
        '• terraform apply…',
        '  ✔ create terraform_data.b (0.2s) — id=42d88278-5e2e-ad34-6ed5-6af7ec8dd2e2',
        '  ✔ create terraform_data.a (0.3s) — id=afa02f0c-16bf-37fb-0993-0eb423e8601a',
        '  ✔ create terraform_data.slow (0.8s) — id=64280ee9-a180-e741-1c1a-54ba33b547e6',
        '✔ terraform apply (1.6s) — 3 resources (3 added)',
        '',
      ].join('\n'),
    );
  });

  it('in CI stamps every line with the time of day (UTC, HH:MM:SS.mmm) and never colours unasked', async () => {
    const stderr = capture();
    await apply({ stdout: capture(), stderr, ci: true, color: undefined, env: { CI: 'true' } });
    const lines = stderr.text.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('10:00:00.000 • terraform apply…');
    expect(lines[1]).toBe('10:00:00.800   ✔ create terraform_data.b (0.2s) — id=42d88278-5e2e-ad34-6ed5-6af7ec8dd2e2');
    expect(lines[4]).toBe('10:00:01.600 ✔ terraform apply (1.6s) — 3 resources (3 added)');
    for (const line of lines) expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} /);
    // eslint-disable-next-line no-control-regex
    expect(stderr.text).not.toMatch(/\u001b\[/);
  });

  it('in CI a multi-line message is stamped on each of its lines', async () => {
    const stderr = capture();
    const reporter = await createReporter({ stdout: capture(), stderr, ci: true, color: false, now: clock().now });
    reporter.info('cost: +$3.10/month\n  NAT gateway');
    expect(stderr.text).toBe('10:00:00.000 cost: +$3.10/month\n10:00:00.000   NAT gateway\n');
  });

  it('a terminal in CI gets the plain, stamped lines too', async () => {
    const stderr = terminal();
    const { reporter } = await apply({ stdout: capture(), stderr, ci: true, env: { CI: 'true', TERM: 'xterm' } });
    expect(reporter.interactive).toBe(false);
    expect(stderr.screen().filter(Boolean)).toHaveLength(5);
    expect(stderr.screen()[0]).toBe('10:00:00.000 • terraform apply…');
  });
});

describe('--json', () => {
  it('has a step event per resource and the apply with its summary; no live-line progress', async () => {
    const stdout = capture();
    await apply({ stdout, stderr: terminal(), json: true });
    const steps = ndjson(stdout.text).map(({ time: _t, seconds: _s, ...rest }) => rest);
    expect(steps.filter((e) => e.status === 'progress')).toEqual([]);
    expect(steps.filter((e) => e.resource && e.status === 'succeeded')).toHaveLength(3);
    expect(steps[0]).toEqual({ type: 'step', status: 'started', title: 'terraform apply', terraform: 'apply' });
    expect(steps.at(-1)).toEqual({
      type: 'step',
      status: 'succeeded',
      title: 'terraform apply',
      detail: '3 resources (3 added)',
      terraform: 'apply',
    });
  });
});
