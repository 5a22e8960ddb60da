// Builds the CLI into dist/ with esbuild: one small entry plus a chunk per command, so a
// command pays only for what it imports. Dependencies stay in node_modules.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));

await rm(new URL('dist/cli', root), { recursive: true, force: true });
await build({
  absWorkingDir: root.pathname,
  entryPoints: ['cli/main.ts'],
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __YDEPLOY_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __ydeployRequire } from 'node:module'; const require = __ydeployRequire(import.meta.url);" },
});
