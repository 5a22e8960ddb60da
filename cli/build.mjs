// Builds the CLI into dist/ with esbuild: one small entry plus a chunk per command, so a
// command pays only for what it imports. The AWS SDK, commander and the other pure-JavaScript
// dependencies are bundled (cli/build-packages.mjs says which, and why); the rest stay in
// node_modules.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { bundledPackages } from './build-packages.mjs';
import { dirname, join, relative, resolve } from 'node:path';

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
  'emulators/machine/relay-main',
  'emulators/machine/agents/ssm-agent-main',
  'emulators/machine/agents/cloudwatch-agent-main',
];
const commander = await bundleCommander();
await buildBotLibrary(resolve(root.pathname, outdir, '../bot'));
await rm(new URL(outdir, root), { recursive: true, force: true });
const cli = await build({
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
  plugins: [
    {
      // commander and its typed wrapper (whose classes are commander's own) are the bundle below.
      name: 'bundled-commander',
      setup(b) {
        b.onResolve({ filter: /^(commander|@commander-js\/extra-typings)$/ }, () => ({
          path: 'commander',
          namespace: 'bundled',
        }));
        b.onLoad({ filter: /.*/, namespace: 'bundled' }, () => ({ contents: commander, loader: 'js' }));
      },
    },
    ...bundledPackages(),
  ],
  // Packages' ES module builds: esbuild drops what is never imported, such as the SDK's commands
  // ydeploy never sends (cli/adapters/aws/sdk/).
  mainFields: ['module', 'main'],
  metafile: true,
  sourcemap: 'linked',
  // The maps point at the sources (cli/ is in the package) instead of holding a copy of them and
  // of the SDK's: a few hundred KiB instead of several MiB.
  sourcesContent: false,
  logLevel: 'warning',
  define: { __YDEPLOY_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "import { createRequire as __ydeployRequire } from 'node:module'; const require = __ydeployRequire(import.meta.url);",
  },
});
// YDEPLOY_BUILD_METAFILE: where to write esbuild's account of the build (which chunk holds what).
if (process.env.YDEPLOY_BUILD_METAFILE)
  await writeFile(process.env.YDEPLOY_BUILD_METAFILE, JSON.stringify(cli.metafile));

/**
 * `ydeploy/bot` (package.json exports["./bot"]): bot/index.ts as one ESM file, every package
 * external, and its declarations. The declarations come from TypeScript's isolated-declarations
 * transform of each source file the bundle took (the sources give every exported type
 * explicitly), which needs no type-check of discord.js: any file it cannot declare fails the build.
 */
async function buildBotLibrary(dir) {
  await rm(dir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root.pathname,
    entryPoints: ['bot/index.ts'],
    outfile: join(dir, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
  });
  const { default: ts } = await import('typescript');
  const problems = [];
  for (const input of Object.keys(result.metafile.inputs).filter((file) => file.startsWith('bot/'))) {
    const out = ts.transpileDeclaration(await readFile(new URL(input, root), 'utf8'), {
      fileName: input,
      reportDiagnostics: true,
      compilerOptions: { isolatedDeclarations: true, module: ts.ModuleKind.NodeNext, strict: true },
    });
    for (const d of out.diagnostics ?? [])
      problems.push(`${input}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (at ${d.start})`);
    const target = join(dir, relative('bot', input).replace(/\.ts$/, '.d.ts'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, out.outputText);
  }
  if (problems.length) throw new Error(`declarations of ydeploy/bot:\n${problems.join('\n')}`);
}

/**
 * commander is on every `--help` path (test/bench/cold-start.bench.ts), and bundled it loads faster
 * than its CommonJS files. It is bundled apart, its require() of node's modules going through a
 * createRequire() of its own, so the CLI's entry needs none of esbuild's CommonJS helpers (they
 * would be one more chunk to load). child_process, which commander requires as it loads for
 * stand-alone executable subcommands (ydeploy has none), is loaded on first use: with net, dgram
 * and the rest, it would be a good part of what `--help` costs.
 */
async function bundleCommander() {
  const names = ['Argument', 'Command', 'CommanderError', 'Help', 'InvalidArgumentError', 'Option'];
  const nodeRequire = "require('node-require').default";
  const modules = {
    'node-require': "import { createRequire } from 'node:module'; export default createRequire(import.meta.url);",
    'node:child_process': `module.exports = { spawn: (...args) => ${nodeRequire}('node:child_process').spawn(...args) };`,
  };
  const result = await build({
    stdin: { contents: `export { ${names.join(', ')} } from 'commander';`, resolveDir: root.pathname },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        name: 'node-modules-through-create-require',
        setup(b) {
          b.onResolve({ filter: /^(node:|node-require$)/ }, ({ path, importer }) =>
            importer === 'node-require' ? { path, external: true } : { path, namespace: 'node' },
          );
          b.onLoad({ filter: /.*/, namespace: 'node' }, ({ path }) => ({
            contents: modules[path] ?? `module.exports = ${nodeRequire}('${path}');`,
          }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}
