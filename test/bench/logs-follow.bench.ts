// `ydeploy logs --follow` in a sandbox of its own: how long after a real bot wrote a line it is
// shown (from the line's own pino time to its arrival on our side of the pipe). Target: median ≤ 2 s.
import { Follower, followLatency, opsSandbox } from '../e2e/inspect/sandbox-inspect.js';
import type { BenchResult } from './run.js';

export default async function (): Promise<BenchResult[]> {
  const sb = await opsSandbox();
  const follower = new Follower(sb, ['--stream', 'bot', '--since', '1m']);
  try {
    await follower.waitFor('the follow to start', () => (follower.lines.length ? true : undefined), 30_000);
    const samples: number[] = [];
    for (let n = 0; n < 15; n++) samples.push(await followLatency(sb, follower, sb.legacyId));
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    return [
      {
        name: 'logs --follow: bot wrote a line -> shown (median of 15)',
        value: median,
        unit: 'ms',
        target: '≤ 2000 ms',
        pass: median <= 2000,
        detail: `min ${sorted[0]} ms, max ${sorted.at(-1)} ms`,
      },
    ];
  } finally {
    await follower.interrupt();
    await sb.down();
  }
}
