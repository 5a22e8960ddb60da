// A team's own bot (test/fixtures/team-bot: its own package.json, commands and prefix command)
// through a deployment's whole life in the sandbox: the legacy release built from it, migrate,
// deploy v1 -> v2 (v2 adds /coin), a v3 whose bot throws at start (the gate fails, v2 serves on),
// rollback. A /roll and a !roll every 100 ms throughout, counted
// from the emulator's record of every answer attempt: none answered twice, none unanswered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, type Sandbox } from '../orchestration/_harness.js';
import {
  headCommit,
  startTeamSandbox,
  startTeamTraffic,
  typeCommand,
  writeBrokenV3,
  writeV2,
  type TrafficStats,
} from './_team.js';

let sandbox: Sandbox;
let control: string;
const figures: Record<string, TrafficStats> = {};

beforeAll(async () => {
  sandbox = await startTeamSandbox('team');
  control = sandbox.state.endpoints.discordControl;
});

afterAll(async () => {
  console.log('team bot traffic', JSON.stringify(figures, null, 2));
  await sandbox?.down();
});

async function underTraffic(name: string, args: string[]) {
  const traffic = startTeamTraffic(control, 100);
  const result = await sandbox.run(args);
  const stats = await traffic.stop();
  figures[name] = stats;
  if (result.code !== 0)
    throw new Error(`${args.join(' ')} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  expect(stats.sendErrors).toEqual([]);
  expect(stats.doubles).toEqual([]);
  expect(stats.answeredTwice).toBe(0);
  expect(stats.unanswered).toBe(0);
  expect(stats.interactions).toBeGreaterThan(20);
  expect(stats.messages).toBeGreaterThan(20);
  return { result, stats, json: resultOf(result.stdout) };
}

describe("a team's own bot in the sandbox", () => {
  it('the legacy deployment runs the team bot: /roll and !roll answered', async () => {
    const roll = await typeCommand(control, 'roll');
    expect(roll.status).toBe(200);
    expect(roll.answeredBy).toHaveLength(1);
    expect(roll.content).toMatch(/^rolled \d+ \(d6\) · dice-bot/);
    expect((await typeCommand(control, 'coin')).status).toBe(404);
  });

  it('migrate: legacy -> enhanced, every /roll and !roll answered exactly once', async () => {
    const { json } = await underTraffic('migrate', [
      'migrate',
      '--env',
      'sandbox',
      '--yes',
      '--skip-preflight',
      '--json',
    ]);
    expect(json).toMatchObject({ ok: true });
    const status = resultOf((await sandbox.run(['status', '--env', 'sandbox', '--json'])).stdout);
    expect(JSON.stringify(status)).toContain('dice-bot');
    expect(JSON.stringify(status)).toContain(await headCommit(sandbox.cwd));
  });

  it('deploy v2 (runs the team tests in preflight), /coin works as soon as v2 serves', async () => {
    await writeV2(sandbox.cwd);
    const commit = await headCommit(sandbox.cwd);
    const dry = await sandbox.run(['deploy', '--env', 'sandbox', '--release', 'v2', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('coin');
    const { json, result } = await underTraffic('deploy-v2', [
      'deploy',
      '--env',
      'sandbox',
      '--release',
      'v2',
      '--yes',
      '--json',
    ]);
    expect(result.stdout + result.stderr).toMatch(/npm test|bot's tests/);
    const newId = json.state.newId as string;
    const coin = await typeCommand(control, 'coin');
    expect(coin.status).toBe(200);
    expect(coin.answeredBy).toEqual([newId]);
    expect(coin.content).toMatch(/^(heads|tails) · dice-bot/);
    const status = resultOf((await sandbox.run(['status', '--env', 'sandbox', '--json'])).stdout);
    expect(JSON.stringify(status)).toContain('1.1.0');
    expect(JSON.stringify(status)).toContain(commit);
  });

  it('a release whose bot throws at start: the gate fails (exit 4), the serving bot keeps answering', async () => {
    await writeBrokenV3(sandbox.cwd);
    const serving = (await typeCommand(control, 'roll')).answeredBy;
    expect(serving).toHaveLength(1);
    const traffic = startTeamTraffic(control, 100);
    const run = await sandbox.run([
      'deploy',
      '--env',
      'sandbox',
      '--release',
      'v3',
      '--yes',
      '--skip-preflight',
      '--json',
    ]);
    const stats = await traffic.stop();
    figures['deploy-v3-broken'] = stats;
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toMatch(/gate/i);
    expect(stats.answeredTwice).toBe(0);
    expect(stats.unanswered).toBe(0);
    expect((await typeCommand(control, 'roll')).answeredBy).toEqual(serving);
  });

  it('rollback: the previous release serves and /coin is gone', async () => {
    await underTraffic('rollback', ['rollback', '--env', 'sandbox', '--yes', '--json']);
    expect((await typeCommand(control, 'coin')).status).toBe(404);
    const roll = await typeCommand(control, 'roll');
    expect(roll.answeredBy).toHaveLength(1);
    const history = await sandbox.run(['history', '--env', 'sandbox', '--json']);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('dice-bot');
  });
});
