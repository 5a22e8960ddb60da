// The handoff's measurement: a slash command through the emulator every 100 ms during a full migrate
// and during a deploy; commands answered twice, commands not answered, the longest gap.
import type { BenchResult } from './run.js';
import { startSandbox, startTraffic, type TrafficStats } from '../e2e/orchestration/_harness.js';

export default async function (): Promise<BenchResult[]> {
  const sandbox = await startSandbox('bench-handoff');
  try {
    const measure = async (args: string[]): Promise<TrafficStats> => {
      const traffic = startTraffic(sandbox.state.endpoints.discordControl, 100, { command: 'ping' });
      const run = await sandbox.run(args);
      const stats = await traffic.stop();
      if (run.code !== 0) throw new Error(`${args[0]} failed (${run.code}): ${run.stderr.slice(-2000)}`);
      return stats;
    };
    const migrate = await measure(['migrate', '--env', 'sandbox', '--yes', '--skip-preflight']);
    const deploy = await measure(['deploy', '--env', 'sandbox', '--release', 'bench-v2', '--yes', '--skip-preflight']);
    return [migrate, deploy].flatMap((s, i) => {
      const what = i === 0 ? 'migrate' : 'deploy';
      return [
        {
          name: `${what}: commands answered twice`,
          value: s.answeredTwice,
          unit: 'commands',
          target: '0',
          pass: s.answeredTwice === 0,
          detail: `${s.interactions} sent every 100 ms, counted from the emulator's record`,
        },
        {
          name: `${what}: commands not answered`,
          value: s.unanswered,
          unit: 'commands',
          target: '0',
          pass: s.unanswered === 0,
          detail: s.sendErrors.slice(0, 2).join('; ') || 'none failed',
        },
        {
          name: `${what}: longest gap between answers`,
          value: s.longestGapMs,
          unit: 'ms',
          detail: `answered by ${Object.entries(s.answeredBy)
            .map(([id, n]) => `${id}×${n}`)
            .join(', ')}`,
        },
      ];
    });
  } finally {
    await sandbox.down();
  }
}
