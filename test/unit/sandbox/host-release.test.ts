// The sandbox's instance host fetches a release as the bootstrap does: a manifest whose sha256
// differs from the one terraform pinned in the user data is refused and nothing is written.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchRelease, pinnedManifestSha256 } from '../../../cli/sandbox/emulators/host/release.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const BOT = 'console.log("bot")';
const MANIFEST = JSON.stringify({ name: 'ydeploy-bot', version: 'v2', files: { 'bot.mjs': sha(BOT) } });

/** S3 with releases/v2/ in it: ListObjectsV2 and GetObject only. */
function s3(objects: Record<string, string>): S3Client {
  return {
    send: async (command: unknown) => {
      if (command instanceof ListObjectsV2Command) return { Contents: Object.keys(objects).map((Key) => ({ Key })) };
      if (command instanceof GetObjectCommand) {
        const body = objects[command.input.Key!]!;
        return { Body: { transformToByteArray: async () => new TextEncoder().encode(body) } };
      }
      throw new Error('not faked');
    },
  } as unknown as S3Client;
}

describe('instance host: the release terraform pinned', () => {
  it('reads the pin from the user data the module renders', () => {
    const template = readFileSync('terraform/templates/user-data.sh.tftpl', 'utf8');
    expect(pinnedManifestSha256(template.replaceAll('${manifest_sha256}', sha(MANIFEST)))).toBe(sha(MANIFEST));
    expect(pinnedManifestSha256(template.replaceAll('${manifest_sha256}', ''))).toBeUndefined();
    expect(pinnedManifestSha256(undefined)).toBeUndefined();
  });

  it('fetches a release whose manifest is the pinned one', async () => {
    const into = join(mkdtempSync(join(tmpdir(), 'ydb-host-')), 'release');
    const bucket = s3({ 'releases/v2/manifest.json': MANIFEST, 'releases/v2/bot.mjs': BOT });
    await fetchRelease(bucket, 'acme-releases', 'v2', into, sha(MANIFEST));
    expect(readFileSync(join(into, 'bot.mjs'), 'utf8')).toBe(BOT);
  });

  it('refuses a release whose manifest was changed after terraform was given its hash', async () => {
    const into = join(mkdtempSync(join(tmpdir(), 'ydb-host-')), 'release');
    const changed = MANIFEST.replace('"v2"', '"v2 "');
    const bucket = s3({ 'releases/v2/manifest.json': changed, 'releases/v2/bot.mjs': BOT });
    await expect(fetchRelease(bucket, 'acme-releases', 'v2', into, sha(MANIFEST))).rejects.toThrow(
      `refusing release v2: its manifest.json has sha256 ${sha(changed)}, terraform was given ${sha(MANIFEST)}`,
    );
    expect(existsSync(into)).toBe(false);
    // Without a pin (a release deployed before pins existed) nothing is compared.
    await fetchRelease(bucket, 'acme-releases', 'v2', into);
    expect(existsSync(join(into, 'bot.mjs'))).toBe(true);
  });
});
