// A team's own bot (test/fixtures/team-bot) through migrate, deploy v1 -> v2 and rollback in the
// sandbox, a slash command and a prefix message every 100 ms throughout. Counts come from the
// Discord emulator's record of every answer attempt by every session, read after the run settled.
import type { BenchResult } from './run.js';
import { resultOf } from '../e2e/orchestration/_harness.js';
import { startTeamSandbox, startTeamTraffic, typeCommand, writeV2, type TrafficStats } from '../e2e/team-bot/_team.js';

export default async function (): Promise<BenchResult[]> {
  const sandbox = await startTeamSandbox('bench-team');
  const control = sandbox.state.endpoints.discordControl;
  try {
    const phases: Record<string, TrafficStats> = {};
    const phase = async (name: string, args: string[]) => {
      const traffic = startTeamTraffic(control, 100);
      const run = await sandbox.run(args);
      phases[name] = await traffic.stop();
      if (run.code !== 0) throw new Error(`${name} failed (${run.code}): ${run.stderr.slice(-2000)}`);
      return resultOf(run.stdout);
    };
    await phase('migrate', ['migrate', '--env', 'sandbox', '--yes', '--skip-preflight', '--json']);
    await writeV2(sandbox.cwd);
    const dry = await sandbox.run(['deploy', '--env', 'sandbox', '--release', 'v2', '--dry-run', '--json']);
    if (dry.code !== 0) throw new Error(`deploy --dry-run failed: ${dry.stderr}`);
    const bundle = resultOf(dry.stdout).bundle as { bytes?: Record<string, number> } | undefined;
    const buildStep = dry.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step?: string; status?: string; seconds?: number })
      .find((event) => event.step === 'build' && event.status === 'succeeded');
    const built = { ms: buildStep?.seconds !== undefined ? buildStep.seconds * 1000 : undefined, bytes: bundle?.bytes };
    await phase('deploy v2', ['deploy', '--env', 'sandbox', '--release', 'v2', '--yes', '--skip-preflight', '--json']);
    const coinAfterDeploy = await typeCommand(control, 'coin');
    await phase('rollback', ['rollback', '--env', 'sandbox', '--yes', '--json']);
    const coinAfterRollback = await typeCommand(control, 'coin');

    const all = Object.values(phases);
    const total = (key: 'answeredTwice' | 'unanswered' | 'interactions' | 'messages') =>
      all.reduce((sum, s) => sum + s[key], 0);
    const gap = Math.max(...all.map((s) => s.longestGapMs));
    const perPhase = Object.entries(phases)
      .map(([name, s]) => `${name}: ${s.interactions}+${s.messages} sent, gap ${s.longestGapMs} ms`)
      .join('; ');
    const bundleBytes = built?.bytes ? Object.values(built.bytes).reduce((a, b) => a + b, 0) : NaN;
    return [
      {
        name: 'team bot: answered twice',
        value: total('answeredTwice'),
        unit: 'probes',
        target: '0',
        pass: total('answeredTwice') === 0,
        detail: `${total('interactions')} /roll + ${total('messages')} !roll, every 100 ms; ${perPhase}`,
      },
      {
        name: 'team bot: not answered',
        value: total('unanswered'),
        unit: 'probes',
        target: '0',
        pass: total('unanswered') === 0,
        detail: "counted from the emulator's record after 5 s of settling",
      },
      { name: 'team bot: longest gap between answers', value: gap, unit: 'ms', detail: 'by send time' },
      {
        name: 'team bot: /coin after deploy v2 / after rollback',
        value: coinAfterDeploy.answeredBy.length,
        unit: 'answers',
        target: '1 then refused',
        pass: coinAfterDeploy.answeredBy.length === 1 && coinAfterRollback.status === 404,
        detail: `after rollback: HTTP ${coinAfterRollback.status}`,
      },
      {
        name: 'team bot: build time',
        value: built?.ms ?? NaN,
        unit: 'ms',
        detail: 'deploy --dry-run: esbuild of the team entry + health + botctl, and --describe',
      },
      {
        name: 'team bot: bundle size',
        value: bundleBytes / 1024,
        unit: 'KiB',
        detail: built?.bytes
          ? Object.entries(built.bytes)
              .map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(0)} KiB`)
              .join(', ')
          : 'not reported',
      },
    ];
  } finally {
    await sandbox.down();
  }
}
