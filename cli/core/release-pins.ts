// The sha256 of each release's manifest.json, handed to terraform (release_manifest_sha256) so an
// instance refuses a release whose manifest was changed after the deployment (terraform's user
// data and launcher check it). A version's hash is read once from the release bucket and then
// kept in desired.json: later applies give terraform the hash first seen, not whatever the
// bucket holds by then.
import { createHash } from 'node:crypto';
import type { Context } from './context.js';
import type { DesiredState } from './desired/state.js';
import { keys } from './storage.js';

export const MANIFEST_PINS = 'release_manifest_sha256';

/** The releases the module starts instances of for this state (terraform's releases_in_use). */
export function releasesInUse(desired: DesiredState): string[] {
  const versions = new Set<string>();
  const legacy = desired.legacy_release_version ?? desired.release_version;
  if (desired.enable_legacy_instance && legacy) versions.add(legacy);
  if (desired.enable_enhanced_instance) {
    if (desired.release_version) versions.add(desired.release_version);
    if (desired.candidate_release_version) versions.add(desired.candidate_release_version);
  }
  // A sharded fleet's groups may run several releases at once (during a rolling deploy).
  for (const group of Object.values(desired.shard_groups ?? {})) versions.add(group.release);
  return [...versions];
}

/**
 * The state with the manifest hash of every release in use: kept from the state when it has
 * one, read from the release bucket otherwise (a release without a manifest gets none, and its
 * instances check nothing). Releases no longer in use are dropped.
 */
export async function withManifestPins(ctx: Pick<Context, 'releases'>, desired: DesiredState): Promise<DesiredState> {
  const known = pinsOf(desired);
  const pins: Record<string, string> = {};
  for (const version of releasesInUse(desired).sort()) {
    if (known[version]) {
      pins[version] = known[version];
      continue;
    }
    const manifest = await ctx.releases.get(keys.manifest(version));
    if (manifest) pins[version] = createHash('sha256').update(manifest.body, 'utf8').digest('hex');
  }
  return { ...desired, [MANIFEST_PINS]: pins };
}

function pinsOf(desired: DesiredState): Record<string, string> {
  const value = (desired as Record<string, unknown>)[MANIFEST_PINS];
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && /^[0-9a-f]{64}$/.test(e[1]),
    ),
  );
}
