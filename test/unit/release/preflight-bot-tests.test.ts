// preflight's "bot-tests" check with a configured bot: bot.test runs in the config file's folder
// and its failing output is shown; a bot without bot.test has nothing to run.
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPreflight, testsOf } from '../../../cli/preflight/run.js';
import { healthyDeps, jsonReporter } from '../preflight/fakes.js';

async function botTests(env: ReturnType<typeof healthyDeps>['env']) {
  const deps = healthyDeps();
  const recorded = await jsonReporter();
  await runPreflight({ ...deps, env, reporter: recorded.reporter }, { throwOnFailure: false });
  return recorded.events().find((e) => e.type === 'check' && e.id === 'bot-tests') as Record<string, unknown>;
}

describe('bot-tests with a bot section', () => {
  const configDir = realpathSync(mkdtempSync(join(tmpdir(), 'ydeploy-bot-tests-')));
  const base = healthyDeps().env;

  it('runs bot.test by the shell in the config folder', () => {
    const tests = testsOf({ ...base, configDir, bot: { external: [], files: [], test: 'npm test' } });
    expect(tests).toMatchObject({ file: '/bin/sh', args: ['-c', 'npm test'], cwd: configDir, shown: 'npm test' });
    expect(testsOf({ ...base, bot: { external: [], files: [] } })).toBeUndefined();
    expect(testsOf(base)?.args).toContain('test/unit/bot');
  });

  it('shows the failing output, one line each, and the command to rerun', async () => {
    const test = 'pwd; echo "not ok 1 - rolls a d6"; echo "  expected 7 to be at most 6" >&2; exit 1';
    const check = await botTests({ ...base, configDir, bot: { external: [], files: [], test } });
    expect(check.ok).toBe(false);
    expect(check.reason).toBe(
      `${test} failed (exit 1):\n      ${configDir}\n      not ok 1 - rolls a d6\n        expected 7 to be at most 6`,
    );
    expect(check.fix).toBe(`cd ${configDir} && ${test}`);
  });

  it('passes when bot.test passes; without bot.test there is nothing to run', async () => {
    const passed = await botTests({ ...base, configDir, bot: { external: [], files: [], test: 'echo ok' } });
    expect(passed).toMatchObject({ ok: true, reason: 'echo ok passed' });
    const none = await botTests({ ...base, configDir, bot: { external: [], files: [] } });
    expect(none).toMatchObject({ ok: true, skipped: true });
    expect(none.reason).toMatch(/^no bot.test in .*: nothing to run$/);
  });
});
