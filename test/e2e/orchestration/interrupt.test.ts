// Ctrl-C and killed processes in the sandbox: a lock left by a killed migrate blocks the next one
// (exit 5) until `lock release --force`; then --resume completes it. Ctrl-C in the middle of a
// terraform apply exits 130 with the lock released, and --resume completes the deployment.
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, startSandbox, type Background, type Sandbox } from './_harness.js';

/** The lock names its holder by the OS account running the CLI (user@host). */
const OPERATOR = new RegExp(`^${userInfo().username}@`);

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox('interrupt');
});

afterAll(async () => {
  await sandbox?.down();
});

async function until(cli: Background, pattern: RegExp, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(cli.stderr())) {
    if (cli.child.exitCode !== null)
      throw new Error(`exited ${cli.child.exitCode} before ${pattern}:\n${cli.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${cli.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('interruptions', () => {
  it('a lock left by a killed migrate: exit 5, lock release --force, then --resume completes', async () => {
    const killed = sandbox.spawn(['migrate', '--env', 'sandbox', '--yes', '--skip-preflight']);
    // Killed during the health gate: no terraform running, the lock and journal left behind.
    await until(killed, /Step 2: verify enhanced health \(the health gate\)/);
    killed.child.kill('SIGKILL');
    await killed.exited;

    const status = resultOf((await sandbox.run(['lock', 'status', '--env', 'sandbox', '--json'])).stdout);
    expect(status).toMatchObject({
      locked: true,
      lock: { command: 'migrate', holder: expect.stringMatching(OPERATOR) },
    });
    const blocked = await sandbox.run(['migrate', '--resume', '--env', 'sandbox', '--yes']);
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toContain('ydeploy lock release --force --env sandbox');

    const released = await sandbox.run(['lock', 'release', '--force', '--env', 'sandbox']);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stderr).toMatch(new RegExp(`released the lock of sandbox held by ${userInfo().username}@`));

    const resumed = await sandbox.run(['migrate', '--resume', '--env', 'sandbox', '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('done before the interruption');
    const enhancedId = resultOf(resumed.stdout).state.enhancedId;
    expect((await sandbox.probe.interact('ping')).answeredBy).toEqual([enhancedId]);
  });

  it('Ctrl-C mid-apply: exit 130, lock released, journal interrupted; --resume completes', async () => {
    const deploying = sandbox.spawn(['deploy', '--env', 'sandbox', '--release', 'v2', '--yes', '--skip-preflight']);
    await until(deploying, /create aws_instance\.enhanced\["v2"\]/);
    deploying.child.kill('SIGINT');
    const code = await deploying.exited;
    expect(code, deploying.stderr()).toBe(130);
    expect(deploying.stderr()).toContain('ydeploy deploy --resume --env sandbox');
    const status = resultOf((await sandbox.run(['lock', 'status', '--env', 'sandbox', '--json'])).stdout);
    expect(status.locked).toBe(false);

    const resumed = await sandbox.run(['deploy', '--resume', '--env', 'sandbox', '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const state = resultOf(resumed.stdout).state;
    expect(state.release).toBe('v2');
    expect((await sandbox.probe.interact('ping')).answeredBy).toEqual([state.newId]);
  });
});
