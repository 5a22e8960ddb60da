// The hook runner over a real shell: output line by line, the exit code, the variables it is
// given, and a timeout that kills the whole process group.
import { describe, expect, it } from 'vitest';
import { ShellHooks } from '../../../cli/adapters/hooks.js';

const hooks = new ShellHooks({ PATH: process.env.PATH });
const run = (command: string, timeoutMs = 5000) => {
  const lines: string[] = [];
  return hooks
    .run(command, { env: { YDEPLOY_ENV: 'prod' }, cwd: '/tmp', timeoutMs, onLine: (l) => lines.push(l) })
    .then((result) => ({ ...result, lines }));
};

describe('ShellHooks', () => {
  it('streams stdout and stderr lines, with the YDEPLOY_* variables and the working folder', async () => {
    const result = await run('echo "env=$YDEPLOY_ENV"; pwd; echo oops >&2; exit 3');
    expect(result.exitCode).toBe(3);
    expect(result.lines).toEqual(['env=prod', '/tmp', 'oops']);
    expect(result.tail).toEqual(['env=prod', '/tmp', 'oops']);
    expect(result.timedOut).toBe(false);
  });

  it('kills a hook that outlasts its timeout, children included', async () => {
    const started = performance.now();
    const result = await run('sleep 30 & sleep 30; echo never', 300);
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeUndefined();
    expect(result.error).toBe('killed after 0.3s (hooks.timeout)');
    expect(result.lines).toEqual([]);
    expect(performance.now() - started).toBeLessThan(4000);
  });
});
