// Fixtures run from a copy in a temp folder, so state and lock files never land in the repo.
import { cpSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ydeploy-tf-${name}-`));
  cpSync(new URL(`fixtures/${name}`, import.meta.url), dir, { recursive: true });
  return dir;
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** PIDs of live processes whose working directory is inside `dir` (terraform and its children).
 *  Zombies are skipped: they run nothing and wait for init to reap them. */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}
