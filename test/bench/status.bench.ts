// `ydeploy status` with two instances (legacy + the enhanced of a migration's step 1) in a
// sandbox of its own: the time to gather (target ≤ 3 s) and the whole command's wall time.
import { resultOf, ydeploy } from '../_helpers/sandbox.js';
import { launchEnhanced, opsSandbox } from '../e2e/inspect/sandbox-inspect.js';
import type { BenchResult } from './run.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export default async function (): Promise<BenchResult[]> {
  const sb = await opsSandbox();
  try {
    await launchEnhanced(sb);
    const healthy = await ydeploy(['health', '--env', 'sandbox', '--wait', '--timeout', '90s'], sb.env, sb.cwd);
    if (healthy.code !== 0) throw new Error(`the two instances did not become healthy: ${healthy.stderr}`);
    const gathered: number[] = [];
    const wall: number[] = [];
    for (let n = 0; n < 5; n++) {
      const run = await ydeploy(['status', '--env', 'sandbox', '--json'], sb.env, sb.cwd);
      const result = resultOf(run.stdout);
      if (run.code !== 0 || result.instances.length !== 2) throw new Error(`status failed: ${run.stderr}`);
      gathered.push(result.tookMs);
      wall.push(Math.round(run.seconds * 1000));
    }
    return [
      {
        name: 'status with two instances: gather (median of 5)',
        value: median(gathered),
        unit: 'ms',
        target: '≤ 3000 ms',
        pass: median(gathered) <= 3000,
        detail: `runs: ${gathered.join(', ')} ms`,
      },
      {
        name: 'status with two instances: whole command (median of 5)',
        value: median(wall),
        unit: 'ms',
        target: '≤ 3000 ms',
        pass: median(wall) <= 3000,
        detail: `runs: ${wall.join(', ')} ms (includes node start and loading the AWS SDK clients)`,
      },
    ];
  } finally {
    await sb.down();
  }
}
