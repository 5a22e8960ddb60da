// `ydeploy init --bot <dir>` in-process through main(), in a temporary directory.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { PACKAGE_ROOT } from '../../../cli/package-root.js';

let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'ydeploy-scaffold-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function init(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(['init', ...args], {
    cwd,
    stdout: stdout as never,
    stderr: stderr as never,
    env: { PATH: process.env.PATH },
  });
  return { code, out, err };
}

describe('ydeploy init --bot', () => {
  it('writes the project into a new folder and says what to run next', async () => {
    const { code, err } = await init(['--bot', 'dice-bot']);
    expect(code).toBe(0);
    const dir = join(cwd, 'dice-bot');
    expect((await readdir(dir)).sort()).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src',
      'test',
      'tsconfig.json',
      'ydeploy.config.json',
    ]);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('dice-bot');
    // The tests run from a checkout: the project depends on this folder.
    expect(pkg.dependencies.ydeploy).toBe(`file:${PACKAGE_ROOT}`);
    expect(err).toContain(`✔ Write a bot project into dice-bot`);
    expect(err).toContain('src/commands/roll.ts');
    expect(err).toContain('next: cd dice-bot && npm install && npx ydeploy deploy --env sandbox');
    expect(err).toContain("npx ydeploy sandbox discord '!roll 6'");
  });

  it('reports the files and the next command in --json', async () => {
    const { code, out } = await init(['--bot', 'dice', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({
      ok: true,
      dir: join(cwd, 'dice'),
      name: 'dice',
      ydeploy: { from: 'folder' },
      next: 'cd dice && npm install && npx ydeploy deploy --env sandbox',
    });
    expect(result.files).toContain('src/bot.ts');
  });

  it('refuses a folder that is not empty (exit 2 with the fix), and --force writes into it', async () => {
    const dir = join(cwd, 'busy');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const refused = await init(['--bot', 'busy']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`✖ ${dir} is not empty: it holds notes.txt`);
    expect(refused.err).toContain('--force');
    expect(await readdir(dir)).toEqual(['notes.txt']);

    const forced = await init(['--bot', 'busy', '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await readFile(join(dir, 'src', 'bot.ts'), 'utf8')).toContain('defineBot');
  });

  it('writes into the current folder when it is empty (no cd in the next command)', async () => {
    const { code, err } = await init(['--bot', '.']);
    expect(code).toBe(0);
    expect(err).toContain('next: npm install && npx ydeploy deploy --env sandbox');
    expect(JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')).name).toMatch(/^ydeploy-scaffold-/);
  });

  it('refuses a file in place of the folder', async () => {
    await writeFile(join(cwd, 'file'), '');
    const { code, err } = await init(['--bot', 'file']);
    expect(code).toBe(2);
    expect(err).toContain('is not a folder');
  });

  it('refuses config flags: the project starts with the sandbox only', async () => {
    const { code, err } = await init(['--bot', 'dice', '--state-bucket', 'acme']);
    expect(code).toBe(2);
    expect(err).toContain('--bot cannot be combined with --state-bucket');
    expect(err).toContain('ydeploy init --env production --state-bucket <bucket> --force');
  });
});
