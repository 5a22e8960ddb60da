// The release the instances run: bot.mjs, health.mjs and botctl.mjs, each one self-contained
// ESM file (esbuild, every dependency inlined) that needs only `node` >= 20, plus manifest.json
// with each file's sha256.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, UserError } from '../errors.js';

export interface ReleaseManifest {
  name: 'ydeploy-bot';
  version: string;
  builtAt: string;
  node: '>=20';
  files: Record<string, string>;
}

/** Each release file (the name the instances' units and the sandbox run) and its source entry. */
export const RELEASE_ENTRIES = {
  'bot.mjs': 'bot/bot.ts',
  'health.mjs': 'bot/health/main.ts',
  'botctl.mjs': 'bot/botctl.ts',
} as const;

/** Optional native add-ons discord.js and ws try to load; without them they use pure JS. */
const OPTIONAL_NATIVE = ['zlib-sync', 'bufferutil', 'utf-8-validate', 'erlpack', '@discordjs/voice'];

export function validateVersion(version: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(version)) {
    throw new UsageError(
      `release version ${JSON.stringify(version)} is not valid`,
      'use letters, digits, ".", "_", "+" or "-" (at most 64), starting with a letter or digit',
      { fix: 'ydeploy deploy --release v1.2.3' },
    );
  }
  return version;
}

export async function buildRelease(options: {
  version: string;
  outDir: string;
  sourceDir?: string;
}): Promise<{ dir: string; manifest: ReleaseManifest }> {
  const version = validateVersion(options.version);
  // Source and built CLI both sit two folders below the package root (cli/release/, dist/cli/).
  const sourceDir = options.sourceDir ?? fileURLToPath(new URL('../../', import.meta.url));
  const dir = resolve(options.outDir);
  const { build } = await import('esbuild');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const [file, entry] of Object.entries(RELEASE_ENTRIES)) {
    try {
      await build({
        absWorkingDir: sourceDir,
        entryPoints: [entry],
        outfile: join(dir, file),
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        external: OPTIONAL_NATIVE,
        minifySyntax: true,
        minifyWhitespace: true,
        legalComments: 'none',
        logLevel: 'silent',
        define: { __BOT_VERSION__: JSON.stringify(version) },
        // Bundled CommonJS (discord.js, pino, the AWS SDK) still calls require() for Node built-ins.
        banner: {
          js: "import { createRequire as __botRequire } from 'node:module'; const require = __botRequire(import.meta.url);",
        },
      });
    } catch (error) {
      const detail =
        ((error as { errors?: { text: string }[] }).errors ?? []).map((e) => e.text).join('; ') ||
        (error as Error).message;
      throw new UserError(`building ${file} from ${entry} failed`, detail, {
        fix: 'npm ci && npm run build:bot',
        cause: error,
      });
    }
    files[file] = sha256(await readFile(join(dir, file)));
  }
  const manifest: ReleaseManifest = {
    name: 'ydeploy-bot',
    version,
    builtAt: new Date().toISOString(),
    node: '>=20',
    files,
  };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest };
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
