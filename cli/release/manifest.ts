// manifest.json of a release: each file's sha256, and what the release is (the team's package
// and commit, the ydeploy that built it, its slash commands, its Node options). Releases built
// before these fields existed lack them: every reader treats them as optional.
import { createHash } from 'node:crypto';
import type { CommandDefinition } from '../../bot/contracts/commands.js';

export interface ReleaseManifest {
  name: 'ydeploy-bot';
  version: string;
  builtAt: string;
  node: '>=20';
  /** Every file of the release (relative path) and its sha256. */
  files: Record<string, string>;
  /** The team's package.json name and version, and the entry (relative to the config's folder). */
  bot?: { name: string; version: string; entry: string };
  /** The commit the entry's checkout was at, and whether it had uncommitted changes; null: not git. */
  git?: { commit: string; dirty: boolean } | null;
  /** The ydeploy version that built the release. */
  ydeploy?: string;
  /** The release's slash command definitions; undefined: do not sync. */
  commands?: CommandDefinition[];
  /** NODE_OPTIONS of the bot's process. */
  nodeOptions?: string;
}

/** The manifest of the files in a release, the optional fields only when known. */
export function releaseManifest(
  version: string,
  files: Record<string, string>,
  about: Omit<ReleaseManifest, 'name' | 'version' | 'builtAt' | 'node' | 'files'> = {},
): ReleaseManifest {
  const defined = Object.fromEntries(Object.entries(about).filter(([, value]) => value !== undefined));
  return { name: 'ydeploy-bot', version, builtAt: new Date().toISOString(), node: '>=20', files, ...defined };
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
