// What a release is built from: the team's package (the nearest package.json above the entry)
// and the git commit of the entry's checkout, with whether it had uncommitted changes.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TeamPackage {
  name: string;
  version: string;
  /** The folder of that package.json: the team's project. */
  dir: string;
}

/** The nearest package.json above `from` that has a name; undefined when there is none. */
export function teamPackage(from: string): TeamPackage | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (typeof pkg.name === 'string') {
          return { name: pkg.name, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0', dir };
        }
      } catch {
        // An unreadable package.json is skipped; the next one up may name the project.
      }
    }
    if (dir === dirname(dir)) return undefined;
  }
}

/** HEAD of the checkout holding `dir` and whether its tree is dirty; null outside git (or without git). */
export async function gitInfo(dir: string): Promise<{ commit: string; dirty: boolean } | null> {
  const commit = await git(dir, ['rev-parse', 'HEAD']);
  if (commit === undefined) return null;
  const status = await git(dir, ['status', '--porcelain']);
  return { commit: commit.trim(), dirty: (status ?? '').trim() !== '' };
}

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 10_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) =>
      resolve(error ? undefined : String(stdout)),
    );
  });
}
