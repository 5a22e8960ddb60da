// A sharded fleet end to end in the sandbox: the first deploy starts 2 shards on 2 instances; a
// rolling deploy whose second group cannot reach Discord stops with exit 4 (the first group on
// the new release, the second still on the old one); rollback returns the changed group; scale
// reshards to 4 shards with one cut. Throughout, /ping to a guild on every shard every 100 ms:
// counted per shard from the Discord emulator's record after the run settles, none answered
// twice and none left unanswered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from './_harness.js';
import { control, desiredGroups, identifies, startFleetSandbox, startShardTraffic, type ShardStats } from './_fleet.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startFleetSandbox('fleet', { guilds: 1000, shards: 2, shardsPerInstance: 1, gateTimeout: '40s' });
});

afterAll(async () => {
  await sandbox?.down();
});

const yes = ['--env', 'sandbox', '--yes'];

/** The groups desired.json records (each "<group> <release> <role>"). */
const groups = () => desiredGroups(sandbox);

function expectClean(stats: ShardStats[], context: string): void {
  for (const s of stats) {
    expect(s.sendErrors, context).toEqual([]);
    expect(s.sent, context).toBeGreaterThan(10);
    expect(s.answeredTwice, `${context}\nshard ${s.shard}: ${s.doubles.slice(0, 5).join('\n')}`).toBe(0);
    expect(s.unanswered, `${context}\nshard ${s.shard}`).toBe(0);
  }
}

describe('a sharded fleet in the sandbox', () => {
  it('deploys, stops a rollout at a failed group (exit 4), rolls the changed group back, and reshards with one cut', async () => {
    const first = await sandbox.run(['deploy', '--release', 'v1', '--skip-preflight', ...yes]);
    expect(first.code, first.stderr).toBe(0);
    expect(await groups()).toEqual(['s0of2 v1 active', 's1of2 v1 active']);

    const traffic = await startShardTraffic(sandbox, 4);
    const log: string[] = [];
    // Discord leaves the second group's new session unanswered: its candidate never gets ready.
    await control(sandbox, 'POST', '/gateway', { stalledShards: ['1/2'] });
    const failed = await sandbox.run(['deploy', '--release', 'v2', '--skip-preflight', ...yes]);
    log.push(failed.stderr);
    await control(sandbox, 'POST', '/gateway', { stalledShards: [] });
    expect(failed.code, failed.stderr).toBe(4);
    expect(failed.stderr).toMatch(/health gate failed for enhanced v2 s1of2/);
    expect(await groups()).toEqual(['s0of2 v2 active', 's1of2 v1 active']);

    const back = await sandbox.run(['rollback', ...yes]);
    log.push(back.stderr);
    expect(back.code, back.stderr).toBe(0);
    expect(await groups()).toEqual(['s0of2 v1 active', 's1of2 v1 active']);

    const before = await identifies(sandbox);
    const scaled = await sandbox.run(['scale', '--shards', '4', '--instances', '2', ...yes]);
    log.push(scaled.stderr);
    expect(scaled.code, scaled.stderr).toBe(0);
    expect(await groups()).toEqual(['s0-1of4 v1 active', 's2-3of4 v1 active']);
    const after = await identifies(sandbox);
    // Four new sessions, and nothing like a retry storm.
    expect(after.count - before.count).toBeGreaterThanOrEqual(4);
    expect(after.count - before.count).toBeLessThan(12);

    const stats = await traffic.stop();
    console.log('fleet shards', JSON.stringify(stats.map(({ doubles: _d, ...s }) => s)));
    expectClean(stats, log.join('\n---\n'));
  });
});
