// How to run one of the sandbox's own programs (daemons/*.ts) as a process: the built file next
// to the running build (dist/cli/sandbox/daemons/) when ydeploy runs built, the source through
// tsx when it runs from source (tests, `node --import tsx cli/main.ts`).
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from './layout.js';

export type Program = 'shim' | 'host' | 'discord' | 'unitctl';

export function programCommand(name: Program): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const source = join(PACKAGE_ROOT, 'cli', 'sandbox', 'daemons', `${name}.ts`);
  if (here.includes(`${sep}dist${sep}`) || !existsSync(source)) {
    // This code sits in a chunk of the build (dist/cli/) or in a daemon itself (dist/cli/sandbox/daemons/).
    for (const base of [here, join(here, '..'), join(here, '..', '..')]) {
      const built = join(base, 'sandbox', 'daemons', `${name}.js`);
      if (existsSync(built)) return [process.execPath, built];
    }
  }
  if (existsSync(source)) return [process.execPath, '--import', pathToFileURL(join(PACKAGE_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, source];
  throw new Error(`cannot find the sandbox program ${name} (run npm run build)`);
}
