// Builds the CLI into dist/ with esbuild: one small entry plus a chunk per command, so a
// command pays only for what it imports. Dependencies stay in node_modules.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));

// YDEPLOY_BUILD_OUTDIR: build elsewhere (tests that must not see a concurrent rebuild of dist/).
const outdir = process.env.YDEPLOY_BUILD_OUTDIR ?? 'dist/cli';
// The entries of PROGRAM_ENTRIES in cli/sandbox/programs.ts.
const SANDBOX_PROGRAMS = [
  'emulators/discord/main',
  'emulators/runcommand/main',
  'emulators/host/main',
  'emulators/runcommand/unitctl/main',
];
const BUNDLED = new Set(['commander', '@commander-js/extra-typings']);
await rm(new URL(outdir, root), { recursive: true, force: true });
await build({
  absWorkingDir: root.pathname,
  // The sandbox's emulators run as their own node programs (cli/sandbox/programs.ts finds them).
  entryPoints: ['cli/main.ts', ...SANDBOX_PROGRAMS.map((entry) => `cli/sandbox/${entry}.ts`)],
  outbase: 'cli',
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies stay in node_modules, except commander (and its typed wrapper): it is on every
  // `--help` path, and read from the bundle it loads faster than its CommonJS files
  // (test/bench/cold-start.bench.ts).
  plugins: [
    {
      // commander requires child_process as it loads, for stand-alone executable subcommands, which
      // ydeploy has none of; loading it (and net, dgram, ... with it) is a good part of what `--help`
      // costs. commander gets a stand-in that loads the real module on first use.
      name: 'lazy-child-process-for-commander',
      setup(b) {
        b.onResolve({ filter: /^node:child_process$/ }, (args) =>
          /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
            ? { path: 'child_process', namespace: 'lazy' }
            : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
          contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
          loader: 'js',
        }));
      },
    },
    {
      name: 'external-packages-but-commander',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.has(args.path) ? undefined : { external: true }));
      },
    },
  ],
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __YDEPLOY_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "import { createRequire as __ydeployRequire } from 'node:module'; const require = __ydeployRequire(import.meta.url);",
  },
});
