// Faults in the sandbox: an enhanced bot whose token Discord rejects never passes the gate, so
// migrate exits 4 and legacy keeps answering; a second migrate, deploy or rollback meanwhile exits
// 5 at once naming the holder, with preflight skipped and with it on (the default).
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, startProber, startSandbox, type Sandbox } from './_harness.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox('faults');
});

afterAll(async () => {
  await sandbox?.down();
});

async function setToken(value: string): Promise<void> {
  const { state } = sandbox;
  const ssm = new SSMClient({
    region: state.region,
    endpoint: state.endpoints.aws,
    credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
  });
  await ssm.send(
    new PutParameterCommand({ Name: state.tokenParameter, Type: 'SecureString', Value: value, Overwrite: true }),
  );
  ssm.destroy();
}

async function waitForLock(): Promise<Record<string, any>> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const status = await sandbox.run(['lock', 'status', '--env', 'sandbox', '--json']);
    const result = resultOf(status.stdout);
    if (result.locked) return result;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the lock never appeared');
}

describe('faults', () => {
  it('a rejected token: migrate exits 4, legacy answers throughout; a concurrent migrate, deploy or rollback exits 5 within 2 s naming the holder, preflight on or off', async () => {
    const before = await sandbox.probe.interact('ping');
    expect(before.answeredBy).toHaveLength(1);
    const legacyId = before.answeredBy[0];
    await setToken('rejected-by-discord');
    const prober = startProber(sandbox.probe, 250);
    const first = sandbox.spawn(['migrate', '--env', 'sandbox', '--yes', '--skip-preflight']);

    const lock = await waitForLock();
    expect(lock.lock).toMatchObject({ holder: expect.stringMatching(/^e2e-faults@/), command: 'migrate' });
    const second = await sandbox.run(['migrate', '--env', 'sandbox', '--yes', '--skip-preflight']);
    expect(second.code).toBe(5);
    expect(second.stderr).toMatch(
      /another deployment holds the lock of sandbox: e2e-faults@\S+ is running "migrate" since/,
    );
    expect(second.stderr).toContain('ydeploy lock release --force --env sandbox');
    // The default path (preflight on) is told just as fast: the lock is read before terraform
    // init and every check, so neither the checklist nor terraform's own state-lock error shows.
    for (const args of [
      ['migrate', '--env', 'sandbox', '--yes'],
      ['deploy', '--env', 'sandbox', '--yes'],
      ['rollback', '--emergency', '--env', 'sandbox', '--yes'],
    ]) {
      const told = await sandbox.run(args);
      expect(told.code, `${args.join(' ')}\n${told.stderr}`).toBe(5);
      expect(told.seconds).toBeLessThan(2);
      expect(told.stderr).toMatch(
        /another deployment holds the lock of sandbox: e2e-faults@\S+ is running "migrate" since \S+ \(lock expires \d{4}-\d\d-\d\dT[\d:.]+Z\)/,
      );
      expect(told.stderr).not.toContain('terraform init');
      expect(told.stderr).not.toContain('AWS credentials and region');
      expect(told.stderr).not.toMatch(/state lock|preflight failed/i);
    }

    const code = await first.exited;
    const stats = await prober.stop();
    expect(code, first.stderr()).toBe(4);
    expect(first.stderr()).toMatch(/health gate failed for enhanced \(i-[0-9a-f]+\) at "\/health"/);
    expect(first.stderr()).toContain('Removing enhanced; legacy keeps serving');
    expect(stats.unanswered).toBe(0);
    expect(stats.doubled).toBe(0);
    expect(Object.keys(stats.answeredBy)).toEqual([legacyId]);
    const after = await sandbox.probe.interact('ping');
    expect(after.answeredBy).toEqual([legacyId]);
    const status = await sandbox.run(['lock', 'status', '--env', 'sandbox', '--json']);
    expect(resultOf(status.stdout).locked).toBe(false);
    await setToken(sandbox.state.discordToken);
  });
});
