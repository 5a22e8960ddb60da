// The release the instances run: bot.mjs (the team's bot on ydeploy's runtime), health.mjs and
// botctl.mjs (ydeploy's own), each one self-contained ESM file that needs only `node` >= 20;
// the packages left external under node_modules/, bot.files, a node-options file when set, and
// manifest.json with every file's sha256 and what the release is (manifest.ts).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { validateCommands } from '../../bot/contracts/commands.js';
import type { BuiltRelease } from '../core/context.js';
import { UsageError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { VERSION } from '../version.js';
import { gitInfo, teamPackage } from './about.js';
import { bundleBot, bundleOwn } from './bundle.js';
import { describeBot, type Described } from './describe.js';
import { resolveEntry } from './entry.js';
import { copyExternals } from './externals.js';
import { copyFiles } from './files.js';
import { releaseManifest, sha256, type ReleaseManifest } from './manifest.js';

export { sha256, type ReleaseManifest } from './manifest.js';

/**
 * ydeploy's own entries: health.mjs and botctl.mjs go into every release; bot/bot.ts is the dev
 * entry that runs the example bot from the sources (a release's bot.mjs is the generated entry).
 */
export const RELEASE_ENTRIES = {
  'bot.mjs': 'bot/bot.ts',
  'health.mjs': 'bot/health/main.ts',
  'botctl.mjs': 'bot/botctl.ts',
} as const;

/** The release file that carries the bot's Node options (run.sh and the sandbox's host read it). */
export const NODE_OPTIONS_FILE = 'node-options';

/** What to build the bot from: the config's `bot` section and its folder, and --source. */
export interface BotBuildOptions {
  /** The config file's folder: bot.entry and bot.files are relative to it. */
  configDir: string;
  configFile?: string;
  /** bot.entry. */
  entry?: string;
  /** deploy --source (a file or folder, relative to cwd): overrides entry. */
  source?: string;
  cwd?: string;
  external?: string[];
  files?: string[];
  nodeOptions?: string;
}

export interface BuildOptions {
  version: string;
  outDir: string;
  /** Undefined: the example bot. */
  bot?: BotBuildOptions;
  signal?: AbortSignal;
}

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

export async function buildRelease(options: BuildOptions): Promise<BuiltRelease> {
  const version = validateVersion(options.version);
  const bot = options.bot ?? { configDir: PACKAGE_ROOT };
  const entry = resolveEntry({ ...bot, cwd: bot.cwd ?? process.cwd() });
  const label = relative(bot.configDir, entry) || entry;
  const dir = resolve(options.outDir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  await bundleBot({
    entry,
    label,
    configDir: bot.configDir,
    outfile: join(dir, 'bot.mjs'),
    external: bot.external ?? [],
    version,
  });
  for (const file of ['health.mjs', 'botctl.mjs'] as const) {
    await bundleOwn(file, RELEASE_ENTRIES[file], join(dir, file), version);
  }
  const extra = [
    ...(await copyExternals(bot.external ?? [], dirname(entry), dir)),
    ...(await copyFiles(bot.files ?? [], bot.configDir, dir)),
  ];
  if (bot.nodeOptions) await writeFile(join(dir, NODE_OPTIONS_FILE), `${bot.nodeOptions}\n`);

  const described = await describeBot(join(dir, 'bot.mjs'), { cwd: dir, label, signal: options.signal });
  const commands = described.ok ? described.description.commands : undefined;
  if (commands) assertValidCommands(commands);

  const names = ['bot.mjs', 'health.mjs', 'botctl.mjs', ...extra, ...(bot.nodeOptions ? [NODE_OPTIONS_FILE] : [])];
  const { files, bytes } = await hashes(dir, names);
  const team = teamPackage(dirname(entry));
  const manifest = releaseManifest(version, files, {
    bot: { name: team?.name ?? label, version: team?.version ?? '0.0.0', entry: label },
    git: await gitInfo(dirname(entry)),
    ydeploy: VERSION,
    commands,
    nodeOptions: bot.nodeOptions,
  });
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest, bytes, ...notes(described) };
}

/** Invalid definitions end the build: exit 2 naming the first command and the rule it breaks. */
function assertValidCommands(commands: ReleaseManifest['commands'] & object): void {
  const violations = validateCommands(commands);
  if (violations.length === 0) return;
  const [first] = violations;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  throw new UsageError(`slash command "${first.command}"`, `${first.rule}${more}`, {
    fix: "fix the command's data in the bot, then deploy again (Discord's limits: README.md#slash-commands)",
    details: { violations },
  });
}

async function hashes(dir: string, names: string[]) {
  const files: Record<string, string> = {};
  const bytes: Record<string, number> = {};
  for (const name of names) {
    const body = await readFile(join(dir, name));
    files[name] = sha256(body);
    bytes[name] = body.length;
  }
  return { files, bytes };
}

/** Why the release carries no commands, when loading the bot failed (the gate will say more). */
function notes(described: Described): { notes?: string[] } {
  return described.ok ? {} : { notes: [described.reason] };
}
