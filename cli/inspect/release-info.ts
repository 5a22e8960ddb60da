// What a release is, as status and history show it: the team's bot name@version and the git
// commit it was built from (and whether the tree was dirty), read from the release's manifest.
// A version is uploaded once and never changes, so each manifest is read once per process
// (status --watch reads it on the first round only). Old manifests lack these fields: the
// release then shows as just its version.
import type { ObjectStore } from '../ports.js';
import { readManifest } from '../core/commands/manifest.js';

export interface ReleaseInfo {
  /** The team's package name and version. */
  bot?: { name: string; version: string };
  commit?: string;
  dirty?: boolean;
  /** The ydeploy version that built it. */
  ydeploy?: string;
}

const cache = new Map<string, Promise<ReleaseInfo | undefined>>();

/** The release's facts; undefined when it has no readable manifest (never an error). */
export function releaseInfo(
  releases: Pick<ObjectStore, 'get' | 'bucket'>,
  release: string,
): Promise<ReleaseInfo | undefined> {
  const key = `${releases.bucket}/${release}`;
  let info = cache.get(key);
  if (!info) {
    info = read(releases, release);
    cache.set(key, info);
    // A manifest that could not be read (or is not there yet) is tried again next time.
    void info.then((found) => found || cache.delete(key));
  }
  return info;
}

async function read(releases: Pick<ObjectStore, 'get' | 'bucket'>, release: string): Promise<ReleaseInfo | undefined> {
  const manifest = await readManifest(releases, release).catch(() => undefined);
  if (!manifest) return undefined;
  return {
    ...(manifest.bot ? { bot: manifest.bot } : {}),
    ...(manifest.git ? { commit: manifest.git.commit, dirty: manifest.git.dirty } : {}),
    ...(manifest.ydeploy ? { ydeploy: manifest.ydeploy } : {}),
  };
}
