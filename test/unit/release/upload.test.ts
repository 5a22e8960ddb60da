// Releases are immutable: every object goes up with If-None-Match: *, identical content already
// there is kept, other content under an existing key is refused (exit 2).
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uploadRelease } from '../../../cli/release/upload.js';
import { ExitCode, UsageError } from '../../../cli/errors.js';
import { MemoryStore } from '../../_helpers/fakes.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function build(files: Record<string, string>, version = 'v1'): string {
  const dir = mkdtempSync(join(tmpdir(), 'ydb-upload-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  const manifest = {
    name: 'ydeploy-bot',
    version,
    files: Object.fromEntries(Object.entries(files).map(([n, b]) => [n, sha(b)])),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

/** Records the conditions each put was made with. */
class RecordingStore extends MemoryStore {
  readonly conditions: string[] = [];
  override async put(key: string, body: string | Uint8Array, options: { ifNoneMatch?: '*'; ifMatch?: string } = {}) {
    this.conditions.push(`${key} ${options.ifNoneMatch ?? '-'}`);
    return super.put(key, body, options);
  }
}

describe('uploadRelease: immutable releases', () => {
  it('writes every object with If-None-Match: *', async () => {
    const store = new RecordingStore('acme-releases');
    await uploadRelease(store, build({ 'bot.mjs': 'bot', 'health.mjs': 'health' }), 'v1');
    expect(store.conditions).toEqual([
      'releases/v1/bot.mjs *',
      'releases/v1/health.mjs *',
      'releases/v1/manifest.json *',
    ]);
  });

  it('keeps identical objects an earlier, cut-short upload left, and uploads the rest', async () => {
    const store = new MemoryStore('acme-releases');
    store.seed('releases/v1/bot.mjs', 'bot');
    const result = await uploadRelease(store, build({ 'bot.mjs': 'bot', 'health.mjs': 'health' }), 'v1');
    expect(result.keys).toEqual(['releases/v1/health.mjs', 'releases/v1/manifest.json']);
    expect(store.writes).toEqual(['put releases/v1/health.mjs', 'put releases/v1/manifest.json']);
  });

  it('refuses other bytes under an existing key of the release, with exit 2, and overwrites nothing', async () => {
    const store = new MemoryStore('acme-releases');
    store.seed('releases/v1/health.mjs', 'someone else');
    const error = await uploadRelease(store, build({ 'bot.mjs': 'bot', 'health.mjs': 'health' }), 'v1').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe(ExitCode.usage);
    expect((error as UsageError).message).toBe(
      'release v1 already exists in the release bucket with other contents (s3://acme-releases/releases/v1/health.mjs): ' +
        'releases are immutable: a version is uploaded once and never overwritten',
    );
    expect((error as UsageError).fix).toBe('ydeploy deploy --release <a new version>');
    expect(store.objects.get('releases/v1/health.mjs')!.body).toBe('someone else');
    expect(store.objects.has('releases/v1/manifest.json')).toBe(false);
  });

  it('treats a manifest another upload wrote first as the same release only when its files match', async () => {
    const dir = build({ 'bot.mjs': 'bot' });
    // The manifest appears between the first read and the final write (a concurrent upload).
    const racing = new MemoryStore('acme-releases');
    const put = racing.put.bind(racing);
    racing.put = async (key, body, options) => {
      if (key.endsWith('manifest.json')) racing.seed(key, JSON.stringify({ files: { 'bot.mjs': sha('bot') } }));
      return put(key, body, options);
    };
    expect(await uploadRelease(racing, dir, 'v1')).toMatchObject({ reused: false, keys: ['releases/v1/bot.mjs'] });

    const other = new MemoryStore('acme-releases');
    const putOther = other.put.bind(other);
    other.put = async (key, body, options) => {
      if (key.endsWith('manifest.json')) other.seed(key, JSON.stringify({ files: { 'bot.mjs': sha('other') } }));
      return putOther(key, body, options);
    };
    await expect(uploadRelease(other, dir, 'v1')).rejects.toThrow(UsageError);
  });

  it('compares binary objects by the MD5 ETag S3 gives a single-part upload', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    const dir = mkdtempSync(join(tmpdir(), 'ydb-upload-'));
    writeFileSync(join(dir, 'addon.node'), bytes);
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        name: 'ydeploy-bot',
        version: 'v1',
        files: { 'addon.node': createHash('sha256').update(bytes).digest('hex') },
      }),
    );
    const md5 = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;
    const store = new MemoryStore('acme-releases');
    store.objects.set('releases/v1/addon.node', { body: bytes.toString('utf8'), etag: md5(bytes) });
    expect((await uploadRelease(store, dir, 'v1')).keys).toEqual(['releases/v1/manifest.json']);

    const changed = Buffer.from([0xff, 0xfd, 0x00, 0x80]); // decodes to the same text, other bytes
    const tampered = new MemoryStore('acme-releases');
    tampered.objects.set('releases/v1/addon.node', { body: changed.toString('utf8'), etag: md5(changed) });
    await expect(uploadRelease(tampered, dir, 'v1')).rejects.toThrow(UsageError);
  });
});
