// npm run bench [name ...]: runs every test/bench/*.bench.ts (or only those named), prints one
// table of results, and exits non-zero when a result misses its target (pass === false).
// Each bench file default-exports `async () => BenchResult[]`.
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Table from 'cli-table3';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
  detail?: string;
}

type Bench = () => Promise<BenchResult[]>;

// Sandboxes the benches start boot instances as processes, unless a bench asks for systemd mode.
process.env.YDEPLOY_SANDBOX_INSTANCES ??= 'process';

const dir = fileURLToPath(new URL('.', import.meta.url));

export function benchFiles(names: string[]): string[] {
  const all = readdirSync(dir)
    .filter((file) => file.endsWith('.bench.ts'))
    .sort();
  if (!names.length) return all;
  const wanted = names.map((name) => basename(name).replace(/\.bench\.ts$/, ''));
  const unknown = wanted.filter((name) => !all.includes(`${name}.bench.ts`));
  if (unknown.length) {
    throw new Error(
      `no benchmark named ${unknown.join(', ')} (have: ${all.map((f) => f.replace(/\.bench\.ts$/, '')).join(', ')})`,
    );
  }
  return wanted.map((name) => `${name}.bench.ts`);
}

export function formatValue(result: BenchResult): string {
  const digits = Math.abs(result.value) >= 100 ? 0 : Math.abs(result.value) >= 10 ? 1 : 2;
  return `${result.value.toFixed(digits)} ${result.unit}`;
}

export function table(rows: { bench: string; result: BenchResult }[]): string {
  const out = new Table({
    head: ['bench', 'result', 'value', 'target', 'pass', 'detail'],
    style: { head: [], border: [], compact: true },
  });
  for (const { bench, result } of rows) {
    const pass = result.pass === undefined ? '' : result.pass ? 'yes' : 'NO';
    out.push([bench, result.name, formatValue(result), result.target ?? '', pass, result.detail ?? '']);
  }
  return out.toString();
}

async function main(names: string[]): Promise<number> {
  const rows: { bench: string; result: BenchResult }[] = [];
  let failed = false;
  for (const file of benchFiles(names)) {
    const bench = file.replace(/\.bench\.ts$/, '');
    process.stderr.write(`running ${bench}…\n`);
    try {
      const run = ((await import(pathToFileURL(`${dir}/${file}`).href)) as { default: Bench }).default;
      for (const result of await run()) {
        rows.push({ bench, result });
        if (result.pass === false) failed = true;
      }
    } catch (error) {
      failed = true;
      process.stderr.write(`✖ ${bench} failed: ${(error as Error).stack ?? error}\n`);
    }
  }
  process.stdout.write(`${table(rows)}\n`);
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
