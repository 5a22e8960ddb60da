// Which module is the bot (bot.entry, --source file or folder, the example), bot.files globs,
// and the dry run's summary of a built release.
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_ENTRY, resolveEntry } from '../../../cli/release/entry.js';
import { copyFiles, globRegex } from '../../../cli/release/files.js';
import { bundleLines, bundleSummary } from '../../../cli/release/summary.js';
import { releaseManifest } from '../../../cli/release/manifest.js';
import { UsageError } from '../../../cli/errors.js';

function tree(files: string[]): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ydeploy-entry-')));
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), file);
  }
  return dir;
}

describe('resolveEntry', () => {
  it('bot.entry relative to the config folder; no entry: the example bot', () => {
    const dir = tree(['src/bot.ts']);
    expect(resolveEntry({ configDir: dir, entry: 'src/bot.ts', cwd: '/' })).toBe(join(dir, 'src/bot.ts'));
    expect(resolveEntry({ configDir: dir, cwd: dir })).toBe(EXAMPLE_ENTRY);
  });

  it('--source wins: a file, or a folder (package.json main, else src/bot.ts, bot.ts, ...)', () => {
    const dir = tree(['src/bot.ts', 'other/index.ts', 'lib/main.js', 'lib/package.json']);
    writeFileSync(join(dir, 'lib/package.json'), JSON.stringify({ main: 'main.js' }));
    const o = { configDir: dir, entry: 'src/bot.ts', cwd: dir };
    expect(resolveEntry({ ...o, source: 'other/index.ts' })).toBe(join(dir, 'other/index.ts'));
    expect(resolveEntry({ ...o, source: '.' })).toBe(join(dir, 'src/bot.ts'));
    expect(resolveEntry({ ...o, source: 'other' })).toBe(join(dir, 'other/index.ts'));
    expect(resolveEntry({ ...o, source: 'lib' })).toBe(join(dir, 'lib/main.js'));
  });

  it('exit 2 naming the file and the fix', () => {
    const dir = tree(['empty/readme.md']);
    const o = { configDir: dir, cwd: dir, configFile: join(dir, 'ydeploy.config.json') };
    expect(() => resolveEntry({ ...o, entry: 'src/bot.ts' })).toThrow(UsageError);
    expect(() => resolveEntry({ ...o, entry: 'src/bot.ts' })).toThrow(
      `bot entry ${join(dir, 'src/bot.ts')} not found: bot.entry in ydeploy.config.json names a file that does not exist`,
    );
    expect(() => resolveEntry({ ...o, source: 'empty' })).toThrow(`--source ${join(dir, 'empty')} has no bot entry`);
  });
});

describe('bot.files', () => {
  it.each([
    ['assets/**', 'assets/a.png', true],
    ['assets/**', 'assets/x/y/b.txt', true],
    ['assets/**', 'other/a.png', false],
    ['**/*.json', 'data.json', true],
    ['**/*.json', 'a/b/data.json', true],
    ['data/*.csv', 'data/a.csv', true],
    ['data/*.csv', 'data/x/a.csv', false],
    ['file?.txt', 'file1.txt', true],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globRegex(glob).test(path)).toBe(expected);
  });

  it('copies what the globs name, never node_modules or .git; a glob matching nothing is exit 2', async () => {
    const dir = tree(['assets/a.txt', 'assets/deep/b.txt', 'node_modules/x/c.json', 'data.json', '.git/config.json']);
    const out = realpathSync(mkdtempSync(join(tmpdir(), 'ydeploy-files-out-')));
    expect(await copyFiles(['assets/**', '**/*.json'], dir, out)).toEqual([
      'assets/a.txt',
      'assets/deep/b.txt',
      'data.json',
    ]);
    await expect(copyFiles(['nothing/**'], dir, out)).rejects.toThrow('bot.files: "nothing/**" matches no file');
    await expect(copyFiles(['../'], join(dir, 'assets'), out)).rejects.toThrow(UsageError);
  });
});

describe('the dry run summary', () => {
  it('names the entry, package, commit, each file (node_modules per package) and the commands', () => {
    const manifest = releaseManifest(
      'v2',
      {},
      {
        bot: { name: 'dice-bot', version: '1.1.0', entry: 'src/bot.ts' },
        git: { commit: '0123456789abcdef0123', dirty: true },
        ydeploy: '0.1.0',
        commands: [
          { name: 'roll', description: 'r' },
          { name: 'coin', description: 'c' },
        ],
      },
    );
    const bytes = {
      'bot.mjs': 3_000_000,
      'health.mjs': 100_000,
      'node_modules/@img/sharp/a.js': 10,
      'node_modules/@img/sharp/b.node': 2048,
    };
    const lines = bundleLines(bundleSummary({ dir: '/x', manifest, bytes }), 'v2');
    expect(lines).toEqual([
      'release v2 would bundle:',
      '  entry     src/bot.ts (dice-bot@1.1.0)',
      '  commit    0123456789ab (dirty)',
      '  bot.mjs                  2.86 MB',
      '  health.mjs               97.7 KB',
      '  node_modules/@img/sharp/ 2.0 KB',
      '  total                    2.96 MB',
      '  commands  /roll, /coin',
    ]);
  });
});
