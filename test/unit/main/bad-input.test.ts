// Bad flags and names end as a usage error (exit 2, "{what}: {why}" and the fix), read before any
// AWS call: never "ydeploy hit a bug", never a value quietly read as something else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { capture, ndjson } from '../output/streams.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'ydeploy-bad-input-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

async function usage(argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  // No credentials and a dead endpoint: anything that reached AWS would fail differently.
  const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
  const code = await main([...argv, '--json'], { stdout, stderr, env, cwd });
  const result = ndjson(stdout.text).find((line) => line.type === 'result') as
    { exitCode: number; error: { kind: string; what: string; why: string; fix?: string } } | undefined;
  expect(code, stdout.text + stderr.text).toBe(2);
  expect(result?.error.kind).toBe('user');
  return result!.error;
}

describe('flags a user can get wrong', () => {
  it.each([
    [['logs', '--since', ''], '--since "" is not understood', 'ydeploy logs --since 15m'],
    [['logs', '--since', '   '], '--since "" is not understood', 'ydeploy logs --since 15m'],
    [['logs', '--since', '100y'], '--since 100y is too far back', 'ydeploy logs --since 15m'],
    [['logs', '--since', '2026-02-30'], '--since 2026-02-30 is not understood', 'ydeploy logs --since 15m'],
    [['monitor', '--interval', ''], '--interval "" is not a duration', 'ydeploy monitor --interval 30s'],
    [['monitor', '--interval', '1ms'], '--interval 1ms is too short', 'ydeploy monitor --interval 1s'],
    [['monitor', '--duration', ''], '--duration "" is not a duration', 'ydeploy monitor --duration 30s'],
    [['status', '--watch', '--interval', '1ms'], '--interval 1ms is too short', 'ydeploy status --watch --interval 1s'],
    [['status', '--watch', '--interval', '30d'], '--interval 30d is too long', 'ydeploy status --watch --interval 1d'],
    [['health', '--wait', '--timeout', ''], '--timeout "" is not a duration', 'ydeploy health --wait --timeout 30s'],
    [['history', '--limit', ''], '--limit  is not a count', 'ydeploy history --limit 10'],
  ])('%j', async (argv, what, fix) => {
    const error = await usage(argv);
    expect(error.what).toBe(what);
    expect(error.why).not.toBe('');
    expect(error.fix).toBe(fix);
  });
});

describe('environment names that are names of Object.prototype', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    '--env %s is an unknown environment',
    async (name) => {
      const error = await usage(['status', '--env', name]);
      expect(error.what).toBe(`unknown environment "${name}"`);
      expect(error.why).toBe('known environments: sandbox');
      expect(error.fix).toBe(`ydeploy init --env ${name}`);
    },
  );
});

describe('--region', () => {
  it.each(['europe', '', 'us-east-1; reboot'])('--region %j is refused before any AWS call', async (region) => {
    const error = await usage(['status', '--region', region]);
    expect(error.what).toBe(`--region ${region || '""'} is not an AWS region`);
    expect(error.why).toBe('expected one such as us-east-1');
    expect(error.fix).toBe('pass --region us-east-1');
  });
});
