// The faults a deployment meets on a bad day, run one after the other in one sandbox (see
// test/e2e/orchestration/_faults.ts): one row per fault with what was done, the exit code, the
// /ping commands answered twice and not answered (from the Discord emulator's record of every
// answer attempt, after the run settles), the lock afterwards, and what the user was told.
import Table from 'cli-table3';
import type { BenchResult } from './run.js';
import { SCENARIOS, startFaultSandbox, type FaultRow } from '../e2e/orchestration/_faults.js';

function passed(row: FaultRow): boolean {
  return (
    row.exit === row.expectedExit &&
    row.stats.answeredTwice === 0 &&
    row.stats.unanswered === 0 &&
    row.stats.sendErrors.length === 0 &&
    row.lockAfter === 'free'
  );
}

function toldSummary(row: FaultRow): string {
  const lines = row.told.filter((line) => !line.startsWith('→'));
  return (lines[0] ?? row.told[0] ?? 'nothing').replace(/\s+/g, ' ').slice(0, 110);
}

export default async function (): Promise<BenchResult[]> {
  const f = await startFaultSandbox('bench-faults');
  try {
    for (const scenario of SCENARIOS) await scenario(f);
  } finally {
    await f.down();
  }
  const table = new Table({
    head: ['fault', 'done', 'exit', 'twice', 'not answered', 'lock after', 'told'],
    style: { head: [], border: [], compact: true },
    colWidths: [30, 36, 6, 7, 14, 12, 60],
    wordWrap: true,
  });
  for (const row of f.rows)
    table.push([
      row.fault,
      row.done,
      `${row.exit}${row.exit === row.expectedExit ? '' : ` (want ${row.expectedExit})`}`,
      String(row.stats.answeredTwice),
      `${row.stats.unanswered} of ${row.stats.interactions}`,
      row.lockAfter,
      toldSummary(row),
    ]);
  process.stderr.write(`${table.toString()}\n`);
  const concurrent = (f.rows[0]?.facts.concurrent ?? []) as { args: string; code: number; seconds: number }[];
  const slowest = concurrent.reduce((max, c) => Math.max(max, c.seconds), 0);
  const told: BenchResult = {
    name: 'a second deployment is told the lock is held',
    value: slowest,
    unit: 's',
    target: '< 2 s, exit 5',
    pass: concurrent.length > 0 && slowest < 2 && concurrent.every((c) => c.code === 5),
    detail: concurrent.map((c) => `${c.args}: exit ${c.code} in ${c.seconds.toFixed(2)} s`).join('; '),
  };
  return [
    told,
    ...f.rows.map((row) => ({
      name: row.fault,
      value: row.stats.answeredTwice + row.stats.unanswered,
      unit: 'doubled+lost',
      target: `0, exit ${row.expectedExit}, lock free`,
      pass: passed(row),
      detail: `exit ${row.exit}; ${row.stats.interactions} /ping every 100 ms: ${row.stats.answeredTwice} twice, ${row.stats.unanswered} not answered, longest gap ${row.stats.longestGapMs} ms; lock ${row.lockAfter}; told: ${toldSummary(row)}`,
    })),
  ];
}
