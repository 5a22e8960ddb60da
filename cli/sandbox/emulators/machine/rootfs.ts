// The root filesystem every systemd-mode instance boots from: Debian bookworm built once with
// debootstrap from Debian's packages, then the image's own parts (stand-ins for what exists
// only on AWS, cloud-init's one run of the user data) laid on top. It is cached outside the
// repository, keyed by everything that goes into it, so a change to the package list or to a
// stand-in builds a new one and an unchanged one is reused by every sandbox on the machine.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { IMAGE_FILES, installImage } from './image.js';

export const SUITE = 'bookworm';
/**
 * systemd and what the instance's bootstrap and units use (rsyslog, logrotate, curl); the
 * libraries the AWS CLI's Python needs (it is taken from this machine, as Node is); iproute2 and
 * procps for the guide's troubleshooting commands (`ss -ltnp`, `ps`).
 */
export const PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'rsyslog',
  'logrotate',
  'curl',
  'ca-certificates',
  'iproute2',
  'procps',
  'passwd',
  'libffi8',
  'libsqlite3-0',
  'libreadline8',
  'libssl3',
];
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

export interface RootfsOptions {
  /** Where built root filesystems are kept (default ~/.cache/ydeploy/rootfs, or XDG_CACHE_HOME). */
  cacheDir?: string;
  mirror?: string;
  log(message: string): void;
}

export interface Rootfs {
  path: string;
  key: string;
  /** Seconds the build took, when this call built it. */
  builtSeconds?: number;
}

export function rootfsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.YDEPLOY_ROOTFS_CACHE) return env.YDEPLOY_ROOTFS_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ydeploy', 'rootfs');
}

/** The cache key: the suite, the package list and the image's own files, hashed. */
export async function rootfsKey(): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify({ suite: SUITE, packages: PACKAGES }));
  for (const [path, file] of Object.entries(IMAGE_FILES)) hash.update(`${path}\0${file.mode}\0${file.content}\0`);
  return `${SUITE}-${hash.digest('hex').slice(0, 16)}`;
}

/** The cached root filesystem, built first when there is none for this key. */
export async function ensureRootfs(options: RootfsOptions): Promise<Rootfs> {
  const cache = options.cacheDir ?? rootfsCacheDir();
  const key = await rootfsKey();
  const path = join(cache, key);
  if (await complete(path)) return { path, key };
  await mkdir(cache, { recursive: true });
  // One build at a time per machine: a second sandbox waits for the first one's build.
  const release = await lock(join(cache, `${key}.lock`), options.log);
  try {
    if (await complete(path)) return { path, key };
    const started = performance.now();
    const building = `${path}.building`;
    await rm(building, { recursive: true, force: true });
    const mirror = options.mirror ?? process.env.YDEPLOY_DEBIAN_MIRROR ?? DEFAULT_MIRROR;
    options.log(`building the instance root filesystem (debootstrap ${SUITE} from ${mirror}, about 2 minutes, once)`);
    const run = await execa(
      'debootstrap',
      ['--variant=minbase', `--include=${PACKAGES.join(',')}`, SUITE, building, mirror],
      { reject: false, all: true },
    );
    if (run.exitCode !== 0) {
      const tail = (run.all ?? '').trim().split('\n').slice(-8).join('\n  ');
      throw new Error(`debootstrap failed (exit ${run.exitCode}):\n  ${tail}`);
    }
    await installImage(building);
    await rename(building, path);
    const builtSeconds = (performance.now() - started) / 1000;
    options.log(`instance root filesystem ${key} built in ${builtSeconds.toFixed(0)}s (${path})`);
    return { path, key, builtSeconds };
  } finally {
    await release();
  }
}

async function complete(path: string): Promise<boolean> {
  return existsSync(join(path, 'etc', 'ydeploy-image'));
}

/** An exclusive lock file (O_EXCL); a lock whose owner died is taken over. */
async function lock(path: string, log: (m: string) => void): Promise<() => Promise<void>> {
  let told = false;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(path, 'utf8').catch(() => ''));
      if (!owner || !alive(owner)) {
        const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
        if (!owner && age < 2000) continue;
        await rm(path, { force: true });
        continue;
      }
      if (!told) log(`waiting for process ${owner}, which is building the same root filesystem`);
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
