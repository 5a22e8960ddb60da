// The release bundle: self-contained files and a manifest of their hashes; uploaded as separate
// objects under releases/<version>/, manifest last, immutable.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRelease, type ReleaseManifest } from '../../../cli/release/build.js';
import { uploadRelease } from '../../../cli/release/upload.js';
import { UsageError, UserError } from '../../../cli/errors.js';

let dir: string;
let manifest: ReleaseManifest;

beforeAll(async () => {
  ({ dir, manifest } = await buildRelease({ version: 'v1.2.3', outDir: mkdtempSync(join(tmpdir(), 'ydb-release-')) }));
});

class MemoryStore {
  readonly objects = new Map<string, string>();
  readonly order: string[] = [];
  async put(key: string, body: string | Uint8Array) {
    this.objects.set(key, typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    this.order.push(key);
    return { etag: String(this.order.length) };
  }
  async get(key: string) {
    const body = this.objects.get(key);
    return body === undefined ? undefined : { body, etag: 'x' };
  }
}

describe('buildRelease', () => {
  it('writes bot.mjs, health.mjs, botctl.mjs and a manifest with their sha256', () => {
    expect(readdirSync(dir).sort()).toEqual(['bot.mjs', 'botctl.mjs', 'health.mjs', 'manifest.json']);
    expect(manifest).toMatchObject({ name: 'ydeploy-bot', version: 'v1.2.3', node: '>=20' });
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    for (const [file, hash] of Object.entries(manifest.files))
      expect(
        createHash('sha256')
          .update(readFileSync(join(dir, file)))
          .digest('hex'),
      ).toBe(hash);
  });

  it('needs only node: runs from a directory with no node_modules, version baked in', () => {
    const env = {
      PATH: process.env.PATH!,
      DISCORD_TOKEN: 'release-test-token',
      DISCORD_API: 'http://127.0.0.1:1/api',
      READY_FILE: join(dir, 'r'),
      CONTROL_SOCKET: join(dir, 'c.sock'),
    };
    const bot = spawnSync(process.execPath, [join(dir, 'bot.mjs')], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(bot.status).toBe(1); // nothing listens on port 1: login fails, after every module loaded
    expect(bot.stdout).toContain('"version":"v1.2.3"');
    expect(bot.stdout).toContain('login to Discord failed');
    const ctl = spawnSync(process.execPath, [join(dir, 'botctl.mjs'), 'status', '--socket', join(dir, 'none.sock')], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    expect(ctl.status).toBe(1);
    expect(JSON.parse(ctl.stdout)).toMatchObject({ ok: false, error: 'unreachable' });
  });

  it('refuses a version that cannot be an S3 key segment', async () => {
    await expect(buildRelease({ version: '../evil', outDir: join(tmpdir(), 'never') })).rejects.toThrow(UsageError);
  });
});

describe('uploadRelease', () => {
  it('puts each file under releases/<version>/, the manifest last; the same build again is reused', async () => {
    const store = new MemoryStore();
    const result = await uploadRelease(store, dir, 'v1.2.3');
    expect(store.order).toEqual([
      'releases/v1.2.3/bot.mjs',
      'releases/v1.2.3/health.mjs',
      'releases/v1.2.3/botctl.mjs',
      'releases/v1.2.3/manifest.json',
    ]);
    expect(result.reused).toBe(false);
    expect(JSON.parse(store.objects.get('releases/v1.2.3/manifest.json')!)).toEqual(manifest);
    expect(await uploadRelease(store, dir, 'v1.2.3')).toEqual({ keys: [], bytes: 0, reused: true });
  });

  it('refuses another build under an existing version, a wrong version and a tampered file', async () => {
    const store = new MemoryStore();
    await store.put('releases/v1.2.3/manifest.json', JSON.stringify({ ...manifest, files: { 'bot.mjs': 'other' } }));
    await expect(uploadRelease(store, dir, 'v1.2.3')).rejects.toThrow(
      'release v1.2.3 already exists in the release bucket with other contents (releases/v1.2.3/manifest.json): releases are immutable',
    );
    await expect(uploadRelease(new MemoryStore(), dir, 'v9')).rejects.toThrow(UserError);
    const copy = mkdtempSync(join(tmpdir(), 'ydb-tampered-'));
    for (const f of readdirSync(dir)) writeFileSync(join(copy, f), readFileSync(join(dir, f)));
    writeFileSync(join(copy, 'health.mjs'), '// changed');
    await expect(uploadRelease(new MemoryStore(), copy, 'v1.2.3')).rejects.toThrow('release file health.mjs in');
  });
});
