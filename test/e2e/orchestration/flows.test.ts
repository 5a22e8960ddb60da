// The whole life of a deployment in the sandbox, as an operator runs it: migrate, deploy v1 -> v2,
// emergency rollback, planned rollback. A /ping every 250 ms throughout, counted from the Discord
// emulator's record of every answer attempt after the run settles: never a command nobody
// answered, never one answered twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, startSandbox, startTraffic, type Sandbox, type TrafficStats } from './_harness.js';

let sandbox: Sandbox;
const figures: Record<string, TrafficStats> = {};
/** The enhanced instance serving v2, which an emergency rollback must keep. */
let enhancedId: string | undefined;

beforeAll(async () => {
  sandbox = await startSandbox('flows');
});

afterAll(async () => {
  console.log('probe figures', JSON.stringify(figures, null, 2));
  await sandbox?.down();
});

async function underProbe(name: string, args: string[]) {
  const traffic = startTraffic(sandbox.state.endpoints.discordControl, 250, { command: 'ping' });
  const result = await sandbox.run(args);
  // Counted from the emulator's record of every answer attempt, once late answers have had time.
  const stats = await traffic.stop();
  figures[name] = stats;
  if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return { result, stats, json: resultOf(result.stdout) };
}

describe('orchestration in the sandbox', () => {
  it('migrate: legacy -> enhanced with a serving bot at every probe', async () => {
    const { json, stats } = await underProbe('migrate', [
      'migrate',
      '--env',
      'sandbox',
      '--yes',
      '--skip-preflight',
      '--json',
    ]);
    expect(json).toMatchObject({ type: 'result', ok: true, environment: 'sandbox' });
    expect(json.state.gate.instanceId).toBe(json.state.enhancedId);
    expect(json.state.gate.readinessSeconds).toBeGreaterThan(0);
    expect(stats.interactions).toBeGreaterThan(40);
    expect(stats.sendErrors).toEqual([]);
    expect(stats.unanswered).toBe(0);
    expect(stats.answeredTwice, stats.doubles.join('\n')).toBe(0);
    expect(Object.keys(stats.answeredBy)).toContain(json.state.enhancedId);
    const status = await sandbox.run(['lock', 'status', '--env', 'sandbox', '--json']);
    expect(resultOf(status.stdout)).toMatchObject({ locked: false });
  });

  it('deploy v1 -> v2 hands over without a gap and retires v1', async () => {
    const first = await underProbe('deploy-v1', [
      'deploy',
      '--env',
      'sandbox',
      '--release',
      'v1',
      '--yes',
      '--skip-preflight',
      '--json',
    ]);
    expect(first.json.state).toMatchObject({ release: 'v1' });
    const { json, stats } = await underProbe('deploy-v2', [
      'deploy',
      '--env',
      'sandbox',
      '--release',
      'v2',
      '--yes',
      '--skip-preflight',
      '--json',
    ]);
    expect(json.state).toMatchObject({ release: 'v2', fresh: false });
    enhancedId = json.state.newId;
    expect(stats.unanswered).toBe(0);
    expect(stats.answeredTwice, stats.doubles.join('\n')).toBe(0);
    const answer = await sandbox.probe.interact('ping');
    expect(answer.answeredBy).toEqual([json.state.newId]);
  });

  it('emergency rollback: legacy answers again, enhanced kept as standby', async () => {
    const { json, stats } = await underProbe('rollback-emergency', [
      'rollback',
      '--emergency',
      '--env',
      'sandbox',
      '--yes',
      '--json',
    ]);
    expect(stats.unanswered).toBe(0);
    expect(stats.answeredTwice, stats.doubles.join('\n')).toBe(0);
    const answer = await sandbox.probe.interact('ping');
    expect(answer.answeredBy).toEqual([json.state.legacyId]);
    expect(json.state).toMatchObject({ emergency: true, removeEnhanced: false });
    // status reads the instances back from AWS: the same enhanced instance still runs, in the
    // private subnet, as a healthy standby, while legacy is the one active bot.
    const status = await sandbox.run(['status', '--env', 'sandbox', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const report = resultOf(status.stdout);
    expect(enhancedId).toBeDefined();
    const rows = (report.instances as any[]).map((i) => [i.kind, i.id, i.state, i.subnet, i.health.botRole]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['legacy', json.state.legacyId, 'running', 'public', 'active'],
        ['enhanced', enhancedId, 'running', 'private', 'standby'],
      ]),
    );
    expect(rows.filter(([, , state, , botRole]) => state === 'running' && botRole === 'active')).toHaveLength(1);
  });

  it('planned rollback: legacy verified, then enhanced removed', async () => {
    const { json, stats } = await underProbe('rollback-planned', ['rollback', '--env', 'sandbox', '--yes', '--json']);
    expect(json.ok).toBe(true);
    expect(stats.unanswered).toBe(0);
    expect(stats.answeredTwice, stats.doubles.join('\n')).toBe(0);
    const answer = await sandbox.probe.interact('ping');
    expect(answer.answeredBy).toEqual([json.state.legacyId]);
  });
});
