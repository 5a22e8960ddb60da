// bot.files: extra files the bot reads at run time (assets, data), copied into the release at
// the same relative paths. Globs are relative to the config file's folder: `*` and `?` within one
// path segment, `**` across segments; a pattern without wildcards names one file or a folder.
import { existsSync, statSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { filesUnder } from './externals.js';

/** Folders never searched: dependencies, VCS data and ydeploy's own working files. */
const SKIPPED = new Set(['node_modules', '.git', '.ydeploy']);

/** The release files (relative paths) the patterns name under `baseDir`, copied into `releaseDir`. */
export async function copyFiles(patterns: string[], baseDir: string, releaseDir: string): Promise<string[]> {
  const copied = new Set<string>();
  for (const pattern of patterns) {
    const matched = await match(pattern, baseDir);
    if (matched.length === 0) {
      throw new UsageError(`bot.files: "${pattern}" matches no file`, `nothing under ${baseDir} matches it`, {
        fix: 'fix the pattern in ydeploy.config.json (globs are relative to the config file)',
      });
    }
    for (const file of matched) {
      const rel = relative(baseDir, file);
      if (rel.startsWith('..') || rel === 'manifest.json' || /^(bot|health|botctl)\.mjs$/.test(rel)) {
        throw new UsageError(
          `bot.files: "${pattern}" names ${rel}`,
          'it is outside the config folder or a file of the release',
          {
            fix: "list files inside the config file's folder, other than manifest.json and the *.mjs entries",
          },
        );
      }
      await mkdir(dirname(join(releaseDir, rel)), { recursive: true });
      await cp(file, join(releaseDir, rel));
      copied.add(rel.split(sep).join('/'));
    }
  }
  return [...copied].sort();
}

async function match(pattern: string, baseDir: string): Promise<string[]> {
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  const fixed = segments.findIndex((s) => /[*?]/.test(s));
  if (fixed === -1) {
    const path = resolve(baseDir, ...segments);
    if (!existsSync(path)) return [];
    return statSync(path).isDirectory() ? walk(path) : [path];
  }
  const root = resolve(baseDir, ...segments.slice(0, fixed));
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  const regex = globRegex(segments.join('/'));
  return (await walk(root)).filter((file) => regex.test(relative(baseDir, file).split(sep).join('/')));
}

function walk(dir: string): Promise<string[]> {
  return filesUnder(dir, (name) => SKIPPED.has(name));
}

/** `**` any number of segments, `*` and `?` within one. */
export function globRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
