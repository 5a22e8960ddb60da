// What a release is, as status and history show it: the team's bot name@version and the git
// commit it was built from (and whether the tree was dirty), read from the release's manifest.
// Each manifest is read once per store (readManifest), so status --watch reads it on the first
// round only. Old manifests lack these fields: the release then shows as just its version.
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

/** The release's facts; undefined when it has no readable manifest (never an error). */
export async function releaseInfo(
  releases: Pick<ObjectStore, 'get' | 'bucket'>,
  release: string,
): Promise<ReleaseInfo | undefined> {
  const manifest = await readManifest(releases, release).catch(() => undefined);
  if (!manifest) return undefined;
  return {
    ...(manifest.bot ? { bot: manifest.bot } : {}),
    ...(manifest.git ? { commit: manifest.git.commit, dirty: manifest.git.dirty } : {}),
    ...(manifest.ydeploy ? { ydeploy: manifest.ydeploy } : {}),
  };
}
