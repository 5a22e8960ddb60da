// The package's own folder (package.json, dist/, terraform/, bot/): the bundled terraform module,
// the bot and the sandbox's programs are found from here, whether ydeploy runs from source
// (cli/*.ts), from its build (dist/cli/*.js) or installed under node_modules.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** The nearest folder above `from` whose package.json is ydeploy's. */
function findPackageRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (isYdeployPackage(join(dir, 'package.json'))) return dir;
  }
  return resolve(from, '..', '..');
}

function isYdeployPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'ydeploy';
  } catch {
    return false;
  }
}
