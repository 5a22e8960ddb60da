// How to run one of the sandbox's own programs (daemons/*.ts) as a process: the built file in
// dist/ when ydeploy runs built (npx ydeploy), the source through tsx when it runs from source
// (tests, `node --import tsx cli/main.ts`).
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from './layout.js';

export type Program = 'shim' | 'host' | 'discord' | 'unitctl';

export function programCommand(name: Program): string[] {
  const built = join(PACKAGE_ROOT, 'dist', 'cli', 'sandbox', 'daemons', `${name}.js`);
  const source = join(PACKAGE_ROOT, 'cli', 'sandbox', 'daemons', `${name}.ts`);
  const runningBuilt = fileURLToPath(import.meta.url).includes(`${sep}dist${sep}`);
  if ((runningBuilt || !existsSync(source)) && existsSync(built)) return [process.execPath, built];
  if (existsSync(source)) return [process.execPath, '--import', pathToFileURL(join(PACKAGE_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, source];
  throw new Error(`cannot find the sandbox program ${name}: neither ${built} nor ${source} exists (run npm run build)`);
}
