// Where the scaffold's `ydeploy` dependency comes from: the registry version when this ydeploy was
// installed from the registry (its package root lies inside a node_modules folder), its own folder
// otherwise (a checkout, a link), so the project works with no access beyond the package registries.
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** The parts of ydeploy's package.json the scaffold copies its ranges from. */
export interface YdeployPackage {
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface YdeploySource {
  /** The dependency spec for `ydeploy`: `^<version>` or `file:<package root>`. */
  spec: string;
  from: 'registry' | 'folder';
}

/** Whether the package root `root` was installed by a package manager. */
export function installedFromRegistry(root: string): boolean {
  return root.split(sep).includes('node_modules');
}

export function ydeploySource(root: string, version: string): YdeploySource {
  return installedFromRegistry(root)
    ? { spec: `^${version}`, from: 'registry' }
    : { spec: `file:${root}`, from: 'folder' };
}

export async function readYdeployPackage(root: string): Promise<YdeployPackage> {
  return JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as YdeployPackage;
}
