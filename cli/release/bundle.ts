// esbuild for the release's files. bot.mjs is bundled from a generated entry that hands the
// team's module to ydeploy's bot runtime; discord.js and @discordjs/* come from the team's project
// (one copy in the bundle, the version the team tested with), `ydeploy/bot` from the ydeploy that
// builds (the runtime's own copy); bot.external stays outside, copied into the release next to it.
import { dirname, join, sep } from 'node:path';
import type { BuildFailure, Plugin } from 'esbuild';
import { UsageError, UserError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';

/** Optional native add-ons discord.js and ws try to load; without them they use pure JS. */
export const OPTIONAL_NATIVE = ['zlib-sync', 'bufferutil', 'utf-8-validate', 'erlpack', '@discordjs/voice'];

export const RUNTIME_MAIN = join(PACKAGE_ROOT, 'bot', 'runtime', 'main.ts');
const BOT_API = join(PACKAGE_ROOT, 'bot', 'index.ts');

export interface BotBundle {
  /** The team's module, absolute. */
  entry: string;
  /** The entry as the runtime names it in its messages (relative to the config's folder). */
  label: string;
  /** The config's folder: esbuild names files relative to it in its errors. */
  configDir: string;
  outfile: string;
  external: string[];
  version: string;
}

/** The generated entry: the runtime loads the team's module (lazily, after its signal handlers). */
export function generatedEntry(entry: string, label: string): string {
  return [
    `import { runBotModule } from ${JSON.stringify(RUNTIME_MAIN)};`,
    `await runBotModule(() => import(${JSON.stringify(entry)}), { entry: ${JSON.stringify(label)} });`,
  ].join('\n');
}

export async function bundleBot(o: BotBundle): Promise<void> {
  const { build } = await import('esbuild');
  const external = [...OPTIONAL_NATIVE, ...o.external.flatMap((name) => [name, `${name}/*`])];
  try {
    await build({
      ...common(o.version, external),
      absWorkingDir: o.configDir,
      stdin: {
        contents: generatedEntry(o.entry, o.label),
        resolveDir: dirname(o.entry),
        sourcefile: 'ydeploy-bot-entry.js',
        loader: 'js',
      },
      outfile: o.outfile,
      plugins: [teamPackages(dirname(o.entry))],
    });
  } catch (error) {
    throw bundleError(error, o.label);
  }
}

/** health.mjs and botctl.mjs: ydeploy's own, from its sources. */
export async function bundleOwn(file: string, entry: string, outfile: string, version: string): Promise<void> {
  const { build } = await import('esbuild');
  try {
    await build({ ...common(version, OPTIONAL_NATIVE), absWorkingDir: PACKAGE_ROOT, entryPoints: [entry], outfile });
  } catch (error) {
    const detail = failures(error) || (error as Error).message;
    throw new UserError(`building ${file} from ${entry} failed`, detail, {
      fix: 'npm ci && npm run build:bot',
      cause: error,
    });
  }
}

function common(version: string, external: string[]) {
  return {
    bundle: true,
    format: 'esm' as const,
    platform: 'node' as const,
    target: 'node20',
    external,
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none' as const,
    logLevel: 'silent' as const,
    define: { __BOT_VERSION__: JSON.stringify(version) },
    // Bundled CommonJS (discord.js, pino, the AWS SDK) still calls require() for Node built-ins.
    banner: {
      js: "import { createRequire as __botRequire } from 'node:module'; const require = __botRequire(import.meta.url);",
    },
  };
}

/**
 * discord.js and @discordjs/* imported by the team's code or ydeploy's runtime resolve from the
 * team's project first (ydeploy's own copy when the project has none); imports inside packages
 * resolve as usual. `ydeploy/bot` is the building ydeploy's, the same copy its runtime uses.
 */
function teamPackages(teamDir: string): Plugin {
  const ownSources = join(PACKAGE_ROOT, 'bot') + sep;
  const fromOutside = (importer: string) =>
    importer === '' || importer.startsWith(ownSources) || !importer.includes(`${sep}node_modules${sep}`);
  return {
    name: 'team-packages',
    setup(b) {
      b.onResolve({ filter: /^ydeploy\/bot$/ }, () => ({ path: BOT_API }));
      b.onResolve({ filter: /^(discord\.js|@discordjs\/[^/]+)(\/.*)?$/ }, async (args) => {
        if (args.pluginData === 'team-packages' || !fromOutside(args.importer)) return undefined;
        for (const resolveDir of [teamDir, PACKAGE_ROOT]) {
          const found = await b.resolve(args.path, { resolveDir, kind: args.kind, pluginData: 'team-packages' });
          if (found.errors.length === 0) return { path: found.path, external: found.external };
        }
        return undefined;
      });
    },
  };
}

/** esbuild's first error as file:line:column: message; a syntax or import error is the user's. */
function bundleError(error: unknown, label: string): UserError {
  const detail = failures(error);
  if (!detail) return new UserError(`cannot bundle the bot ${label}`, (error as Error).message, { cause: error });
  return new UsageError(`cannot bundle the bot ${label}`, detail, {
    fix: 'fix the code there, then check that it builds: ydeploy deploy --dry-run',
    cause: error,
  });
}

function failures(error: unknown): string {
  const errors = (error as Partial<BuildFailure>).errors ?? [];
  return errors
    .slice(0, 3)
    .map((e) => {
      const at = e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : '';
      return `${at}${e.text}`;
    })
    .join('; ');
}
