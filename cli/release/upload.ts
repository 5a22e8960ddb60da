// Puts a built release into the release bucket as separate objects under releases/<version>/
// (cli/core/storage.ts). The manifest goes last: its presence means the release is complete.
// Releases are immutable: every object is written with If-None-Match: *, so S3 itself refuses to
// overwrite a key that exists. An object already there with the same bytes (a re-upload of the
// same build, or one cut short) is kept; other bytes under the same key are refused (exit 2).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keys } from '../core/storage.js';
import { PreconditionFailed, type ObjectStore } from '../ports.js';
import { UsageError, UserError } from '../errors.js';
import { validateVersion } from './build.js';
import { sha256, type ReleaseManifest } from './manifest.js';

export type ReleaseStore = Pick<ObjectStore, 'put' | 'get'> & Partial<Pick<ObjectStore, 'bucket'>>;

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

  const manifestKey = keys.release(version, 'manifest.json');
  const existing = await store.get(manifestKey);
  if (existing) {
    if (sameFiles(existing.body, manifest)) return { keys: [], bytes: 0, reused: true };
    throw immutable(version, manifestKey, store);
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
    const key = keys.release(version, file);
    if (await create(store, key, body, contentType(file), (there) => sameBytes(there, body), version)) {
      uploaded.push(key);
      bytes += body.length;
    }
  }
  const manifestBody = `${JSON.stringify(manifest, null, 2)}\n`;
  // Another upload of this version may have finished first: the same files are the same release.
  const written = await create(
    store,
    manifestKey,
    manifestBody,
    'application/json',
    (there) => sameFiles(there.body, manifest),
    version,
  );
  if (!written && !uploaded.length) return { keys: [], bytes: 0, reused: true };
  if (written) uploaded.push(manifestKey);
  return { keys: uploaded, bytes: bytes + (written ? manifestBody.length : 0), reused: false };
}

/**
 * Writes `key` only if it does not exist (If-None-Match: *). True when written; false when the
 * key holds the same content already; a UsageError when it holds something else.
 */
async function create(
  store: ReleaseStore,
  key: string,
  body: string | Buffer,
  type: string,
  same: (there: { body: string; etag: string }) => boolean,
  version: string,
): Promise<boolean> {
  try {
    await store.put(key, body, { contentType: type, ifNoneMatch: '*' });
    return true;
  } catch (error) {
    if (!(error instanceof PreconditionFailed)) throw error;
  }
  const there = await store.get(key);
  if (there && same(there)) return false;
  throw immutable(version, key, store);
}

function immutable(version: string, key: string, store: ReleaseStore): UsageError {
  const where = store.bucket ? `s3://${store.bucket}/${key}` : key;
  return new UsageError(
    `release ${version} already exists in the release bucket with other contents (${where})`,
    'releases are immutable: a version is uploaded once and never overwritten',
    { fix: 'ydeploy deploy --release <a new version>' },
  );
}

/** Whether a stored manifest lists exactly the files (and their sha256) of this build. */
function sameFiles(stored: string, manifest: ReleaseManifest): boolean {
  try {
    return JSON.stringify((JSON.parse(stored) as ReleaseManifest).files) === JSON.stringify(manifest.files);
  } catch {
    return false;
  }
}

/**
 * Whether a stored object holds these bytes. A single-part upload's ETag is the MD5 of its bytes
 * (SSE-S3 or none, as ydeploy writes them); where it is not (SSE-KMS), the text read back is
 * compared instead.
 */
function sameBytes(there: { body: string; etag: string }, body: Buffer): boolean {
  const etag = there.etag.replace(/"/g, '');
  if (/^[0-9a-f]{32}$/.test(etag)) return etag === createHash('md5').update(body).digest('hex');
  return there.body === body.toString('utf8');
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
