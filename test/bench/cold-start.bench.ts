// Cold start: `ydeploy --help` and `ydeploy status --help` against bare `node -e 0`, run
// interleaved in the same run so machine noise hits all three alike. Target: ≤ 1.5× node.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './run.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const WARMUP = 2;
const TARGET = 1.5;

const subjects = {
  'node -e 0': ['-e', '0'],
  'ydeploy --help': ['bin/ydeploy.js', '--help'],
  'ydeploy status --help': ['bin/ydeploy.js', 'status', '--help'],
} as const;
type Subject = keyof typeof subjects;

function time(args: readonly string[], attempt = 1): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status === 0) return ms;
  // dist/ may be mid-rebuild by a concurrent `npm test` on the same tree: wait and retry.
  if (attempt < 3) {
    spawnSync('sleep', ['2']);
    return time(args, attempt + 1);
  }
  throw new Error(
    `node ${args.join(' ')} exited ${result.status}: ${String(result.stderr).trim().split('\n').slice(-3).join(' ')}`,
  );
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export default async function coldStart(): Promise<BenchResult[]> {
  if (!existsSync(`${root}/dist/cli/main.js`)) {
    const build = spawnSync(process.execPath, ['cli/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('cannot build dist/ (node cli/build.mjs failed)');
  }
  const names = Object.keys(subjects) as Subject[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Subject, number[]>;
  for (let i = 0; i < WARMUP; i++) for (const name of names) time(subjects[name]);
  for (let i = 0; i < RUNS; i++) {
    // Rotate the order each round so no subject always runs first after a pause.
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length];
      samples[name].push(time(subjects[name]));
    }
  }
  const base = median(samples['node -e 0']);
  const results: BenchResult[] = names.map((name) => ({
    name: `${name} (median of ${RUNS})`,
    value: median(samples[name]),
    unit: 'ms',
    detail: `min ${Math.min(...samples[name]).toFixed(0)} / max ${Math.max(...samples[name]).toFixed(0)} ms`,
  }));
  for (const name of ['ydeploy --help', 'ydeploy status --help'] as const) {
    const ratio = median(samples[name]) / base;
    results.push({
      name: `${name} / node -e 0`,
      value: ratio,
      unit: '×',
      target: `≤ ${TARGET}×`,
      pass: ratio <= TARGET,
    });
  }
  return results;
}
