// What ydeploy reads back from a release's manifest.json in the release bucket: the facts a
// deploy and the inspection commands need. Manifests written before these fields existed lack
// them, so every field is optional and anything unexpected reads as absent.
import type { CommandDefinition, ObjectStore } from '../../ports.js';
import { UserError } from '../../errors.js';
import { keys } from '../storage.js';

export interface ManifestFacts {
  version?: string;
  /** The team's package.json name and version. */
  bot?: { name: string; version: string };
  /** null: the release was not built from a git checkout. */
  git?: { commit: string; dirty: boolean } | null;
  /** The ydeploy version that built it. */
  ydeploy?: string;
  /** The release's slash command definitions; undefined: the manifest records none (do not sync). */
  commands?: CommandDefinition[];
}

// A version is uploaded once and never changes, so each store reads a release's manifest once:
// the gate's probe, the sync step, the flows' command counts, status and history share the read.
// A manifest not there yet (or unreadable) is read again next time.
const read = new WeakMap<object, Map<string, Promise<ManifestFacts | undefined>>>();

/** The manifest of `release`, or undefined when there is none; a manifest that is not JSON is an error. */
export function readManifest(
  releases: Pick<ObjectStore, 'get' | 'bucket'>,
  release: string,
): Promise<ManifestFacts | undefined> {
  let known = read.get(releases);
  if (!known) read.set(releases, (known = new Map()));
  let facts = known.get(release);
  if (!facts) {
    facts = fetchManifest(releases, release);
    known.set(release, facts);
    void facts.then(
      (found) => found || known.delete(release),
      () => known.delete(release),
    );
  }
  return facts;
}

async function fetchManifest(
  releases: Pick<ObjectStore, 'get' | 'bucket'>,
  release: string,
): Promise<ManifestFacts | undefined> {
  const object = await releases.get(keys.manifest(release));
  if (!object) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(object.body);
  } catch {
    throw new UserError(
      `s3://${releases.bucket}/${keys.manifest(release)} is not JSON`,
      'the release was not uploaded by ydeploy, or was changed since',
      { fix: 'ydeploy deploy (to build and upload a new release)' },
    );
  }
  return manifestFacts(raw);
}

/** The known fields of a parsed manifest, each kept only when it has the expected shape. */
export function manifestFacts(raw: unknown): ManifestFacts {
  const m = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const facts: ManifestFacts = {};
  if (typeof m.version === 'string') facts.version = m.version;
  const bot = m.bot as Record<string, unknown> | undefined;
  if (bot && typeof bot.name === 'string' && typeof bot.version === 'string')
    facts.bot = { name: bot.name, version: bot.version };
  const git = m.git as Record<string, unknown> | null | undefined;
  if (git === null) facts.git = null;
  else if (git && typeof git.commit === 'string') facts.git = { commit: git.commit, dirty: git.dirty === true };
  if (typeof m.ydeploy === 'string') facts.ydeploy = m.ydeploy;
  if (Array.isArray(m.commands)) facts.commands = m.commands as CommandDefinition[];
  return facts;
}

/** How many slash commands the release's manifest records; undefined when it records none (or has no manifest). */
export async function commandCount(
  releases: Pick<ObjectStore, 'get' | 'bucket'>,
  release: string | null | undefined,
): Promise<number | undefined> {
  if (!release) return undefined;
  return (await readManifest(releases, release))?.commands?.length;
}
