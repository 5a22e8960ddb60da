import { describe, expect, it } from 'vitest';
import { colorWanted, detectCi, fit, isInteractiveTerminal, timestamp } from '../../../cli/output/terminal.js';
import { createReporter } from '../../../cli/output/reporter.js';
import { UsageError } from '../../../cli/errors.js';
import { capture, input } from './streams.js';

describe('detectCi', () => {
  it('follows the CI variable of an environment an in-process caller gives', async () => {
    expect(await detectCi({ CI: 'true' })).toBe(true);
    expect(await detectCi({ CI: '1' })).toBe(true);
    expect(await detectCi({ CI: 'false' })).toBe(false);
    expect(await detectCi({})).toBe(false);
    // Vendor variables are ci-info's to read, from the process's own environment only.
    expect(await detectCi({ GITHUB_ACTIONS: 'true' })).toBe(false);
  });

  it("asks ci-info about the process's own environment", async () => {
    const { isCI } = await import('ci-info');
    const env = process.env;
    if (env.CI === undefined) expect(await detectCi(env)).toBe(isCI);
    else expect(await detectCi(env)).toBe(env.CI !== 'false');
  });
});

describe('colorWanted', () => {
  const tty = { isTTY: true };
  it('colours a terminal outside CI; never with --no-color or NO_COLOR', () => {
    expect(colorWanted({ flag: true, env: {}, stream: tty, ci: false })).toBe(true);
    expect(colorWanted({ flag: true, env: {}, stream: {}, ci: false })).toBe(false);
    expect(colorWanted({ flag: false, env: { FORCE_COLOR: '1' }, stream: tty, ci: false })).toBe(false);
    expect(colorWanted({ flag: true, env: { NO_COLOR: '1', FORCE_COLOR: '1' }, stream: tty, ci: false })).toBe(false);
  });

  it('in CI colours only when FORCE_COLOR asks', () => {
    expect(colorWanted({ flag: true, env: { CI: 'true' }, stream: tty, ci: true })).toBe(false);
    expect(colorWanted({ flag: true, env: { FORCE_COLOR: '1' }, stream: {}, ci: true })).toBe(true);
    expect(colorWanted({ flag: true, env: { FORCE_COLOR: '0' }, stream: tty, ci: true })).toBe(false);
  });
});

describe('isInteractiveTerminal', () => {
  it('is never interactive in CI, however the CI was detected', () => {
    expect(isInteractiveTerminal({ isTTY: true, columns: 80 }, { TERM: 'xterm' }, true)).toBe(false);
    expect(isInteractiveTerminal({ isTTY: true, columns: 80 }, { TERM: 'xterm', CI: 'false' })).toBe(true);
  });
});

describe('timestamp and fit', () => {
  it('stamps the UTC time of day to the millisecond', () => {
    expect(timestamp(Date.parse('2026-11-26T23:59:58.007Z'))).toBe('23:59:58.007');
  });

  it('cuts text to a width with an ellipsis', () => {
    expect(fit('creating aws_instance.enhanced', 12)).toBe('creating aw…');
    expect(fit('short', 12)).toBe('short');
    expect(fit('abc', 1)).toBe('…');
    expect(fit('abc', 0)).toBe('');
  });
});

describe('prompts in CI', () => {
  it('refuse even with a terminal on stdin, pointing at --yes', async () => {
    const reporter = await createReporter({ stdout: capture(), stderr: capture(), stdin: input(true), ci: true });
    const error = await reporter.confirm('Disable legacy?').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('cannot ask "Disable legacy?": running in CI, where no one can answer');
    expect((error as UsageError).fix).toBe('rerun with --yes (or pass the value as a flag)');
  });
});
