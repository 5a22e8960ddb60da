// Each release's manifest sha256 reaches terraform (release_manifest_sha256) and is kept in
// desired.json, so an instance can refuse a manifest changed after the deployment.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deploy } from '../../../cli/core/flows/deploy.js';
import { emptyDesired, type DesiredState } from '../../../cli/core/desired/state.js';
import { releasesInUse, withManifestPins } from '../../../cli/core/release-pins.js';
import { keys } from '../../../cli/core/storage.js';
import { coreContext, EXAMPLE_COMMANDS, FakeWorld, MemoryStore } from '../../_helpers/fakes.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('manifest pins', () => {
  it('names the releases the module starts instances of', () => {
    const ctx = coreContext(new FakeWorld());
    const base = { ...emptyDesired(ctx.env), release_version: 'v2', legacy_release_version: 'v1' };
    expect(releasesInUse({ ...base, enable_enhanced_instance: true, candidate_release_version: 'v3' })).toEqual([
      'v2',
      'v3',
    ]);
    expect(releasesInUse({ ...base, enable_legacy_instance: true })).toEqual(['v1']);
    expect(releasesInUse(base)).toEqual([]);
  });

  it('reads a new release’s hash from the bucket, keeps a known one, drops releases no longer in use', async () => {
    const releases = new MemoryStore('acme-releases');
    releases.seed(keys.manifest('v2'), '{"version":"v2"}');
    releases.seed(keys.manifest('v3'), '{"version":"v3, replaced since"}');
    const ctx = coreContext(new FakeWorld(), { releases });
    const desired = {
      ...emptyDesired(ctx.env),
      enable_enhanced_instance: true,
      release_version: 'v3',
      candidate_release_version: 'v2',
      release_manifest_sha256: { v3: sha('{"version":"v3"}'), v1: sha('old') },
    } as DesiredState;
    const pinned = await withManifestPins(ctx, desired);
    expect((pinned as Record<string, unknown>).release_manifest_sha256).toEqual({
      v2: sha('{"version":"v2"}'),
      v3: sha('{"version":"v3"}'),
    });
  });

  it('gives terraform and desired.json the hash of the release a deploy starts', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const desired = { ...emptyDesired(ctx.env), enable_enhanced_instance: true, release_version: 'v1' };
    await world.terraform.apply({ varFiles: [await world.writeVarFile(desired)] });
    world.clock.advance(60_000);
    await ctx.store.put(keys.desired('test'), JSON.stringify(desired));
    world.withRelease('v1');
    world.discord.seed(EXAMPLE_COMMANDS);
    world.applies.length = 0;
    await deploy(ctx, { release: 'v2' });
    const manifest = (v: string) => sha(world.releases.objects.get(keys.manifest(v))!.body);
    expect(world.applies[0]!.release_manifest_sha256).toEqual({ v1: manifest('v1'), v2: manifest('v2') });
    expect(world.applies.at(-1)!.release_manifest_sha256).toEqual({ v2: manifest('v2') });
    expect(ctx.store.json(keys.desired('test'))!.release_manifest_sha256).toEqual({ v2: manifest('v2') });
  });
});
