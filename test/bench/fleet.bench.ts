// A sharded fleet at scale in the sandbox: an emulated bot in 10,000 guilds, 4 shards on 2
// instances; a rolling deploy, then `scale --shards 8 --instances 4`, with /ping to a guild on
// every shard every 100 ms throughout. Per shard: answered twice, not answered (from the Discord
// emulator's record of every answer attempt, after the run settles) and the longest gap; the
// identifies used against the budget; the whole rollout's time and ydeploy's own share of it
// (the journal's key metrics: total − terraform − waiting on AWS and Discord).
import type { BenchResult } from './run.js';
import { resultOf } from '../e2e/orchestration/_harness.js';
import { control, identifies, startFleetSandbox, startShardTraffic } from '../e2e/orchestration/_fleet.js';

const GUILDS = 10_000;
const yes = ['--env', 'sandbox', '--yes', '--skip-preflight'];

export default async function (): Promise<BenchResult[]> {
  const sandbox = await startFleetSandbox('bench-fleet', { guilds: GUILDS, shards: 4, shardsPerInstance: 2 });
  try {
    // A large bot's pacing: 16 identify buckets, one IDENTIFY per bucket per 5 s.
    await control(sandbox, 'POST', '/limits', { maxConcurrency: 16 });
    const first = await sandbox.run(['deploy', '--release', 'v1', ...yes]);
    if (first.code !== 0) throw new Error(`the first deploy failed (${first.code}):\n${first.stderr}`);
    const budgetBefore = await identifies(sandbox);
    const traffic = await startShardTraffic(sandbox, 8);
    const deploy = await sandbox.run(['deploy', '--release', 'v2', ...yes]);
    const scale = await sandbox.run(['scale', '--shards', '8', '--instances', '4', '--env', 'sandbox', '--yes']);
    const stats = await traffic.stop();
    const budgetAfter = await identifies(sandbox);
    const limits = await control<{ total: number; remaining: number }>(sandbox, 'GET', '/limits');
    const history = resultOf((await sandbox.run(['history', '--env', 'sandbox', '--json'])).stdout) as {
      deployments: { command: string; outcome: string; metrics?: { totalMs?: number; ownMs?: number } }[];
    };
    const runs = history.deployments.slice(0, 2);
    const totalMs = runs.reduce((n, r) => n + (r.metrics?.totalMs ?? 0), 0);
    const ownMs = runs.reduce((n, r) => n + (r.metrics?.ownMs ?? 0), 0);
    const ok = deploy.code === 0 && scale.code === 0;
    const results: BenchResult[] = stats.map((s) => ({
      name: `shard ${s.shard} of 8 (shard ${s.shard % 4} of 4 before the scale)`,
      value: s.answeredTwice + s.unanswered,
      unit: 'doubled+lost',
      target: '0 answered twice, 0 not answered',
      pass: ok && s.answeredTwice === 0 && s.unanswered === 0 && s.sendErrors.length === 0 && s.sent > 0,
      detail: `${s.sent} /ping: ${s.answeredTwice} twice, ${s.unanswered} not answered, longest gap ${s.longestGapMs} ms${s.doubles.length ? `; ${s.doubles.slice(0, 2).join('; ')}` : ''}`,
    }));
    const used = budgetAfter.count - budgetBefore.count;
    results.push(
      {
        name: 'identifies during deploy + scale',
        value: used,
        unit: 'identifies',
        target: 'within the budget (4 candidates + 8 new sessions = 12 expected)',
        pass: used <= limits.total && limits.remaining > 0,
        detail: `${used} used; ${limits.remaining} of ${limits.total} remain after the run`,
      },
      {
        name: 'deploy (2 groups) + scale 4 → 8 shards on 4 instances',
        value: (deploy.seconds + scale.seconds) * 1000,
        unit: 'ms',
        target: 'exit 0, both',
        pass: ok,
        detail: `deploy exit ${deploy.code} in ${deploy.seconds.toFixed(1)} s, scale exit ${scale.code} in ${scale.seconds.toFixed(1)} s${ok ? '' : `\n${deploy.stderr.slice(-800)}\n${scale.stderr.slice(-800)}`}`,
      },
      {
        name: "ydeploy's own share of the rollout",
        value: totalMs ? (ownMs / totalMs) * 100 : 0,
        unit: '%',
        target: 'the rest is terraform and waiting on AWS and Discord',
        detail: `${(ownMs / 1000).toFixed(1)} s own of ${(totalMs / 1000).toFixed(1)} s journaled (${runs.map((r) => `${r.command} ${r.outcome}`).join(', ')})`,
      },
    );
    return results;
  } finally {
    await sandbox.down();
  }
}
