// `ydeploy status` in a sandbox of its own, first with one instance (the sandbox's legacy), then
// with two (legacy + the enhanced of a migration's step 1): per run, the time to gather, the whole
// command's wall time and its peak RSS, medians of 5, printed against the goals (whole command
// ≤ 1 s, peak RSS ≤ 120 MiB with two instances; gather ≤ 3 s with either).
//
// YDEPLOY_BENCH_BASELINE=<another checkout's bin/ydeploy.js> runs that build too, interleaved with
// this one against the same sandbox so machine noise hits both alike, and prints this/baseline.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultOf, ydeploy } from '../_helpers/sandbox.js';
import { BIN, launchEnhanced, opsSandbox, type OpsSandbox } from '../e2e/inspect/sandbox-inspect.js';
import type { BenchResult } from './run.js';

const RUNS = 5;
const WALL_TARGET_MS = 1_000;
const RSS_TARGET_MIB = 120;
const GATHER_TARGET_MS = 3_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Node reports no child's peak RSS: each run preloads this module, which writes its own process's
 * `resourceUsage().maxRSS` (KiB) to the file named by YDEPLOY_BENCH_RSS_FILE as the process exits.
 */
const RSS_PRELOAD = `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.YDEPLOY_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));
`;

interface Samples {
  gathered: number[];
  wall: number[];
  rssMiB: number[];
  /** Runs that could not read every section (exit 1), with the sections. */
  incomplete: string[];
}

const noSamples = (): Samples => ({ gathered: [], wall: [], rssMiB: [], incomplete: [] });

/** One `status --json` of `bin`, added to `into`. */
async function sample(sb: OpsSandbox, bin: string, instances: number, dir: string, into: Samples): Promise<void> {
  const rssFile = join(dir, 'rss');
  await rm(rssFile, { force: true });
  const env = {
    ...sb.env,
    NODE_OPTIONS: `${sb.env.NODE_OPTIONS ?? ''} --import ${join(dir, 'rss.mjs')}`.trim(),
    YDEPLOY_BENCH_RSS_FILE: rssFile,
  };
  const run = await ydeploy(['status', '--env', 'sandbox', '--json'], env, sb.cwd, bin);
  const result = run.stdout.trim() ? resultOf(run.stdout) : {};
  if (result.instances?.length !== instances)
    throw new Error(
      `${bin} status with ${instances} instance(s) failed (exit ${run.code}, ${result.instances?.length} instances): ` +
        `${JSON.stringify(result.errors ?? {})} ${run.stderr}`,
    );
  if (run.code !== 0) into.incomplete.push(Object.keys(result.errors ?? {}).join('+') || `exit ${run.code}`);
  into.gathered.push(result.tookMs);
  into.wall.push(Math.round(run.seconds * 1000));
  into.rssMiB.push(Math.round(Number(await readFile(rssFile, 'utf8')) / 1024));
}

/** RUNS samples of this build (and of the baseline, interleaved, when there is one). */
async function measure(
  sb: OpsSandbox,
  instances: number,
  dir: string,
  baseline?: string,
): Promise<{ ours: Samples; base?: Samples }> {
  const ours = noSamples();
  const base = baseline ? noSamples() : undefined;
  for (let n = 0; n < RUNS; n++) {
    // Alternate which build goes first so neither always runs right after a pause.
    const order =
      n % 2
        ? ([
            [baseline, base],
            [BIN, ours],
          ] as const)
        : ([
            [BIN, ours],
            [baseline, base],
          ] as const);
    for (const [bin, into] of order) if (bin && into) await sample(sb, bin, instances, dir, into);
  }
  return { ours, base };
}

function results(label: string, s: Samples, goals: boolean): BenchResult[] {
  const wall = median(s.wall);
  const rss = median(s.rssMiB);
  const incomplete = s.incomplete.length ? `; incomplete runs: ${s.incomplete.join(', ')}` : '';
  return [
    {
      name: `status, ${label}: gather (median of ${RUNS})`,
      value: median(s.gathered),
      unit: 'ms',
      target: `≤ ${GATHER_TARGET_MS} ms, every section read`,
      pass: median(s.gathered) <= GATHER_TARGET_MS && !s.incomplete.length,
      detail: `runs: ${s.gathered.join(', ')} ms${incomplete}`,
    },
    {
      name: `status, ${label}: whole command (median of ${RUNS})`,
      value: wall,
      unit: 'ms',
      ...(goals ? { target: `≤ ${WALL_TARGET_MS} ms`, pass: wall <= WALL_TARGET_MS } : {}),
      detail: `runs: ${s.wall.join(', ')} ms (node start, loading the CLI and the AWS SDK, the reads)`,
    },
    {
      name: `status, ${label}: peak RSS (median of ${RUNS})`,
      value: rss,
      unit: 'MiB',
      ...(goals ? { target: `≤ ${RSS_TARGET_MIB} MiB`, pass: rss <= RSS_TARGET_MIB } : {}),
      detail: `runs: ${s.rssMiB.join(', ')} MiB`,
    },
  ];
}

/** This build against the baseline, measured side by side: each median's ratio. */
function ratios(label: string, ours: Samples, base: Samples): BenchResult[] {
  const ratio = (pick: (s: Samples) => number[], what: string, unit: string): BenchResult => ({
    name: `status, ${label}: ${what}, this / baseline`,
    value: median(pick(ours)) / median(pick(base)),
    unit: '×',
    detail: `baseline median ${median(pick(base))} ${unit}, runs: ${pick(base).join(', ')} ${unit}${
      base.incomplete.length ? `; baseline incomplete runs: ${base.incomplete.join(', ')}` : ''
    }`,
  });
  return [
    ratio((s) => s.gathered, 'gather', 'ms'),
    ratio((s) => s.wall, 'whole command', 'ms'),
    ratio((s) => s.rssMiB, 'peak RSS', 'MiB'),
  ];
}

async function waitHealthy(sb: OpsSandbox, instances: number): Promise<void> {
  const healthy = await ydeploy(['health', '--env', 'sandbox', '--wait', '--timeout', '90s'], sb.env, sb.cwd);
  if (healthy.code !== 0) throw new Error(`the ${instances} instance(s) did not become healthy: ${healthy.stderr}`);
}

export default async function (): Promise<BenchResult[]> {
  const baseline = process.env.YDEPLOY_BENCH_BASELINE || undefined;
  const dir = await mkdtemp(join(tmpdir(), 'ydeploy-status-bench-'));
  await writeFile(join(dir, 'rss.mjs'), RSS_PRELOAD);
  const sb = await opsSandbox();
  try {
    await waitHealthy(sb, 1);
    const one = await measure(sb, 1, dir, baseline);
    await launchEnhanced(sb);
    await waitHealthy(sb, 2);
    const two = await measure(sb, 2, dir, baseline);
    return [
      ...results('one instance', one.ours, false),
      ...results('two instances', two.ours, true),
      ...(one.base ? ratios('one instance', one.ours, one.base) : []),
      ...(two.base ? ratios('two instances', two.ours, two.base) : []),
    ];
  } finally {
    await sb.down();
    await rm(dir, { recursive: true, force: true });
  }
}
