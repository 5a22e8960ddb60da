// An instance's user data fetches its release from S3: here, every object under
// releases/<version>/ into the instance's release folder, the manifest checked against the
// sha256 terraform pinned in the user data and every file against the manifest.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Manifest {
  version?: string;
  files?: Record<string, string>;
}

/**
 * The manifest sha256 terraform pinned in an instance's user data (release_manifest_sha256, a
 * line the bootstrap template renders); undefined when it pinned none.
 */
export function pinnedManifestSha256(userData: string | undefined): string | undefined {
  return /^release_manifest_sha256='([0-9a-f]{64})'$/m.exec(userData ?? '')?.[1];
}

/**
 * Fetches releases/<version>/ into `into`. With `manifestSha256` (what terraform was given), a
 * manifest that hashes otherwise is refused before anything is written, as the bootstrap does.
 */
export async function fetchRelease(
  s3: S3Client,
  bucket: string,
  version: string,
  into: string,
  manifestSha256?: string,
): Promise<void> {
  const prefix = `releases/${version}/`;
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const keys = (listed.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k && !k.endsWith('/'));
  if (!keys.includes(`${prefix}manifest.json`))
    throw new Error(`release ${version} not found: no s3://${bucket}/${prefix}manifest.json`);
  const temp = `${into}.partial`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  const files = new Map<string, Buffer>();
  for (const key of keys) {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    files.set(key.slice(prefix.length), Buffer.from(await out.Body!.transformToByteArray()));
  }
  const manifestBytes = files.get('manifest.json')!;
  if (manifestSha256) {
    const actual = createHash('sha256').update(manifestBytes).digest('hex');
    if (actual !== manifestSha256)
      throw new Error(
        `refusing release ${version}: its manifest.json has sha256 ${actual}, terraform was given ${manifestSha256}`,
      );
  }
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  for (const [name, sha] of Object.entries(manifest.files ?? {})) {
    const body = files.get(name);
    if (!body) throw new Error(`release ${version} is incomplete: ${name} is in the manifest but not in S3`);
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== sha)
      throw new Error(`release ${version} is corrupt: ${name} has sha256 ${actual}, the manifest says ${sha}`);
  }
  for (const [name, body] of files) {
    await mkdir(join(temp, name, '..'), { recursive: true });
    await writeFile(join(temp, name), body);
  }
  await rm(into, { recursive: true, force: true });
  await rename(temp, into);
}
