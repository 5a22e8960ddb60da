// Packages left out of the bundle (bot.external: native modules and the like) go into the release
// as node_modules/<name>, with their production dependencies, all from the team's own
// node_modules, where bot.mjs's `import 'sharp'` finds them on the instance.
import { existsSync, readFileSync } from 'node:fs';
import { cp, readdir, realpath } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { UsageError } from '../errors.js';

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Copies each package and its production dependencies (optional ones when installed) into
 * `<releaseDir>/node_modules`, flat by name. Returns the copied files, relative to the release.
 */
export async function copyExternals(names: string[], fromDir: string, releaseDir: string): Promise<string[]> {
  const copied = new Set<string>();
  const queue = names.map((name) => ({ name, from: fromDir, optional: false, wantedBy: 'bot.external' }));
  while (queue.length) {
    const { name, from, optional, wantedBy } = queue.shift()!;
    if (copied.has(name)) continue;
    const dir = findPackage(name, from);
    if (!dir) {
      if (optional) continue;
      throw new UsageError(`${name} (${wantedBy}) is not installed`, `no node_modules/${name} above ${fromDir}`, {
        fix: `cd ${fromDir} && npm install ${name}`,
      });
    }
    copied.add(name);
    const real = await realpath(dir);
    await cp(real, join(releaseDir, 'node_modules', name), { recursive: true, dereference: false, filter: notBin });
    const pkg = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as PackageJson;
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      queue.push({ name: dep, from: real, optional: false, wantedBy: name });
    }
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) {
      queue.push({ name: dep, from: real, optional: true, wantedBy: name });
    }
  }
  const root = join(releaseDir, 'node_modules');
  return existsSync(root) ? (await filesUnder(root)).map((file) => relative(releaseDir, file)) : [];
}

/** Node's lookup: node_modules/<name> in `from` and each folder above it. */
function findPackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === dirname(dir)) return undefined;
  }
}

/** Executable links (node_modules/.bin) are for the project's scripts, not the bot. */
function notBin(source: string): boolean {
  return !source.split(/[\\/]/).includes('.bin');
}

/** Every regular file under `dir` (symbolic links are left out: a release is plain files). */
export async function filesUnder(dir: string, skipDir: (name: string) => boolean = () => false): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipDir(entry.name)) out.push(...(await filesUnder(path, skipDir)));
    } else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}
