// Puts a built release into the release bucket as separate objects under releases/<version>/
// (cli/core/storage.ts). The manifest goes last: its presence means the release is complete.
// Releases are immutable: an existing version with other contents is refused.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keys } from '../core/storage.js';
import type { ObjectStore } from '../ports.js';
import { UserError } from '../errors.js';
import { validateVersion } from './build.js';
import { sha256, type ReleaseManifest } from './manifest.js';

export type ReleaseStore = Pick<ObjectStore, 'put'> & Partial<Pick<ObjectStore, 'get'>>;

export async function uploadRelease(
  store: ReleaseStore,
  dir: string,
  version: string,
): Promise<{ keys: string[]; bytes: number; reused: boolean }> {
  validateVersion(version);
  const manifest = await readManifest(dir);
  if (manifest.version !== version)
    throw new UserError(
      `release in ${dir} is ${manifest.version}, not ${version}`,
      'the directory holds another build',
      { fix: 'npm run build:bot -- ' + version },
    );

  const existing = store.get ? await store.get(keys.release(version, 'manifest.json')) : undefined;
  if (existing) {
    const files = (JSON.parse(existing.body) as ReleaseManifest).files;
    if (JSON.stringify(files) === JSON.stringify(manifest.files)) return { keys: [], bytes: 0, reused: true };
    throw new UserError(
      `release ${version} already exists in the release bucket with other contents`,
      'releases are immutable',
      { fix: 'ydeploy deploy --release <a new version>' },
    );
  }

  const uploaded: string[] = [];
  let bytes = 0;
  for (const [file, hash] of Object.entries(manifest.files)) {
    const body = await readFile(join(dir, file));
    if (sha256(body) !== hash)
      throw new UserError(
        `release file ${file} in ${dir} does not match its manifest`,
        'the build directory was changed after the build',
        { fix: 'npm run build:bot' },
      );
    await store.put(keys.release(version, file), body, { contentType: contentType(file) });
    uploaded.push(keys.release(version, file));
    bytes += body.length;
  }
  const manifestBody = `${JSON.stringify(manifest, null, 2)}\n`;
  await store.put(keys.release(version, 'manifest.json'), manifestBody, { contentType: 'application/json' });
  uploaded.push(keys.release(version, 'manifest.json'));
  return { keys: uploaded, bytes: bytes + manifestBody.length, reused: false };
}

/** .mjs/.js as JavaScript, JSON as JSON, the rest (node_modules' other files, bot.files) as bytes. */
function contentType(file: string): string {
  if (/\.(m|c)?js$/.test(file)) return 'text/javascript';
  if (file.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

export async function readManifest(dir: string): Promise<ReleaseManifest> {
  let manifest: ReleaseManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch (error) {
    throw new UserError(`no release manifest in ${dir}`, (error as Error).message, { fix: 'npm run build:bot' });
  }
  if (manifest?.name !== 'ydeploy-bot' || typeof manifest.version !== 'string' || typeof manifest.files !== 'object') {
    throw new UserError(
      `${join(dir, 'manifest.json')} is not a ydeploy-bot release manifest`,
      'name, version or files missing',
      { fix: 'npm run build:bot' },
    );
  }
  return manifest;
}
