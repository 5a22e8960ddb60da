// Builds the bundled bot as a release and uploads it into the sandbox's release bucket (moto),
// through the release engineer's buildRelease/uploadRelease.
import { join } from 'node:path';
import { buildRelease } from '../../release/build.js';
import { uploadRelease, type ReleaseStore } from '../../release/upload.js';

export async function publishRelease(o: { releases: ReleaseStore; version: string; workDir: string }): Promise<void> {
  const { dir } = await buildRelease({ version: o.version, outDir: join(o.workDir, o.version) });
  await uploadRelease(o.releases, dir, o.version);
}
