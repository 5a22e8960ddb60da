// Which module is the bot: `deploy --source <file|dir>`, else the config's bot.entry (relative
// to the config file), else the example bot shipped with ydeploy.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';

/** The example bot: the entry when no bot is configured. */
export const EXAMPLE_ENTRY = join(PACKAGE_ROOT, 'bot', 'example', 'bot.ts');

/** Files tried, in order, in a --source folder without a package.json main. */
const DIR_ENTRIES = [
  'src/bot.ts',
  'bot.ts',
  'src/index.ts',
  'index.ts',
  'src/bot.js',
  'bot.js',
  'src/index.js',
  'index.js',
];

export interface EntryOptions {
  /** The config file's folder: bot.entry is relative to it. */
  configDir: string;
  /** bot.entry from the config. */
  entry?: string;
  /** --source, relative to the working directory. */
  source?: string;
  cwd: string;
  /** The config file, to name in errors. */
  configFile?: string;
}

/** The entry's absolute path; a UsageError (exit 2) naming the file and the fix when there is none. */
export function resolveEntry(o: EntryOptions): string {
  const config = o.configFile ? relative(o.cwd, o.configFile) || o.configFile : 'ydeploy.config.json';
  const fix = `set "bot": { "entry": "<file>" } in ${config}, or pass --source <file>`;
  if (o.source !== undefined) {
    const path = resolve(o.cwd, o.source);
    if (!existsSync(path)) throw new UsageError(`--source ${o.source} not found`, `${path} does not exist`, { fix });
    return statSync(path).isDirectory() ? entryOfDir(path, fix) : path;
  }
  if (o.entry === undefined) return EXAMPLE_ENTRY;
  const path = resolve(o.configDir, o.entry);
  if (!existsSync(path) || statSync(path).isDirectory()) {
    throw new UsageError(`bot entry ${path} not found`, `bot.entry in ${config} names a file that does not exist`, {
      fix,
    });
  }
  return path;
}

/** A folder's bot: its package.json `main`, else the first of DIR_ENTRIES that exists. */
function entryOfDir(dir: string, fix: string): string {
  const main = packageMain(dir);
  const candidates = [...(main ? [main] : []), ...DIR_ENTRIES];
  for (const candidate of candidates) {
    const path = resolve(dir, candidate);
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  throw new UsageError(`--source ${dir} has no bot entry`, `none of ${candidates.join(', ')} exists there`, { fix });
}

function packageMain(dir: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main?: unknown };
    return typeof pkg.main === 'string' ? pkg.main : undefined;
  } catch {
    return undefined;
  }
}
