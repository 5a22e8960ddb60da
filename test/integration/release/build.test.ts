// buildRelease on a team's bot: the generated entry on ydeploy's runtime, what the manifest
// records (package, commit, ydeploy, commands, node options), externals and bot.files in the
// release, and every kind of bad input as exit 2 naming the file and the fix.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRelease, type BotBuildOptions } from '../../../cli/release/build.js';
import { ExitCode, UserError } from '../../../cli/errors.js';
import type { BuiltRelease } from '../../../cli/core/context.js';

const FIXTURE = new URL('../../fixtures/tiny-bot/', import.meta.url).pathname;
const out = () => mkdtempSync(join(tmpdir(), 'ydeploy-release-out-'));

/** A copy of the tiny bot in a folder of its own (outside any git checkout), with changes. */
function project(files: Record<string, string> = {}): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ydeploy-team-')));
  cpSync(FIXTURE, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const config = (dir: string): BotBuildOptions => {
  const raw = JSON.parse(readFileSync(join(dir, 'ydeploy.config.json'), 'utf8')).bot;
  return { configDir: dir, configFile: join(dir, 'ydeploy.config.json'), cwd: dir, ...raw };
};

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd, encoding: 'utf8' });

describe('buildRelease of a team bot', () => {
  let dir: string;
  let built: BuiltRelease;
  let seconds: number;

  beforeAll(async () => {
    dir = project();
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'tiny');
    const started = performance.now();
    built = await buildRelease({ version: 'v7', outDir: out(), bot: config(dir) });
    seconds = (performance.now() - started) / 1000;
  });

  it('records the package, the commit, ydeploy, the commands and the node options', () => {
    const { manifest } = built;
    expect(manifest.bot).toEqual({ name: 'tiny-bot', version: '2.3.4', entry: 'src/bot.ts' });
    expect(manifest.git).toEqual({ commit: git(dir, 'rev-parse', 'HEAD').trim(), dirty: false });
    expect(manifest.ydeploy).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.commands).toEqual([
      { name: 'hello', description: 'Say hello', options: [{ type: 3, name: 'who', description: 'Whom' }] },
    ]);
    expect(manifest.nodeOptions).toBe('--max-old-space-size=128');
    expect(JSON.parse(readFileSync(join(built.dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    console.info(`tiny-bot build: ${seconds.toFixed(2)} s, ${JSON.stringify(built.bytes)}`);
  });

  it('holds bot.files and the node-options file, each in the manifest with its size', () => {
    expect(Object.keys(built.manifest.files).sort()).toEqual([
      'assets/motd.txt',
      'bot.mjs',
      'botctl.mjs',
      'health.mjs',
      'node-options',
    ]);
    expect(readFileSync(join(built.dir, 'assets/motd.txt'), 'utf8')).toBe('tiny-bot says hi\n');
    expect(readFileSync(join(built.dir, 'node-options'), 'utf8')).toBe('--max-old-space-size=128\n');
    expect(built.bytes['bot.mjs']).toBeGreaterThan(100_000);
  });

  it('bundles one copy of discord.js and of the runtime, and the team code', () => {
    const bot = readFileSync(join(built.dir, 'bot.mjs'), 'utf8');
    expect(bot).toContain('hello, ');
    expect(bot.match(/ydeploy-instance\//g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(bot.match(/class Client extends BaseClient/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it('a dirty tree is recorded; outside git the commit is null', async () => {
    writeFileSync(join(dir, 'src/greet.ts'), 'export const greeting = (who: string) => `hi ${who}`;\n');
    const dirty = await buildRelease({ version: 'v8', outDir: out(), bot: config(dir) });
    expect(dirty.manifest.git).toMatchObject({ dirty: true });
    const plain = project();
    const outside = await buildRelease({ version: 'v9', outDir: out(), bot: config(plain) });
    expect(outside.manifest.git).toBeNull();
  });
});

describe('externals and --source', () => {
  it('leaves bot.external out of the bundle and copies it with its dependencies', async () => {
    const dir = project({
      'src/bot.ts': `import { defineBot } from 'ydeploy/bot';
import { native } from 'fake-native';
export default defineBot({ commands: [{ data: { name: native(), description: 'd' }, async run() {} }] });
`,
      'node_modules/fake-native/package.json': JSON.stringify({
        name: 'fake-native',
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
        dependencies: { 'fake-dep': '1' },
        optionalDependencies: { 'fake-missing': '1' },
      }),
      'node_modules/fake-native/index.js': "import { name } from 'fake-dep'; export const native = () => name;\n",
      'node_modules/fake-dep/package.json': JSON.stringify({
        name: 'fake-dep',
        version: '1.0.0',
        type: 'module',
        main: 'i.js',
      }),
      'node_modules/fake-dep/i.js': "export const name = 'from-native';\n",
      'node_modules/.bin/tool': '#!/bin/sh\n',
    });
    const built = await buildRelease({
      version: 'v1',
      outDir: out(),
      bot: { ...config(dir), external: ['fake-native'], files: [], nodeOptions: undefined },
    });
    expect(readFileSync(join(built.dir, 'bot.mjs'), 'utf8')).toMatch(/from\s*"fake-native"/);
    expect(Object.keys(built.manifest.files).filter((f) => f.startsWith('node_modules/'))).toEqual([
      'node_modules/fake-dep/i.js',
      'node_modules/fake-dep/package.json',
      'node_modules/fake-native/index.js',
      'node_modules/fake-native/package.json',
    ]);
    // Describing ran the bundle with its externals from the release.
    expect(built.manifest.commands?.map((c) => c.name)).toEqual(['from-native']);
  });

  it('a missing external names the package and how to install it', async () => {
    const dir = project();
    const error = await failure(
      buildRelease({ version: 'v1', outDir: out(), bot: { ...config(dir), external: ['not-installed'] } }),
    );
    expect(error.code).toBe(ExitCode.usage);
    expect(error.message).toContain('not-installed (bot.external) is not installed');
  });

  it('--source overrides bot.entry; a folder means its package.json main', async () => {
    const dir = project({ 'other/main.ts': "export { default } from '../src/bot.ts';\n" });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, main: 'other/main.ts' }));
    const built = await buildRelease({ version: 'v1', outDir: out(), bot: { ...config(dir), source: '.' } });
    expect(built.manifest.bot?.entry).toBe('other/main.ts');
    expect(built.manifest.commands?.map((c) => c.name)).toEqual(['hello']);
  });
});

describe('bad input: exit 2 naming the file and the fix', () => {
  it('an entry that does not exist', async () => {
    const dir = project();
    const error = await failure(
      buildRelease({ version: 'v1', outDir: out(), bot: { ...config(dir), entry: 'src/nope.ts' } }),
    );
    expect(error.code).toBe(ExitCode.usage);
    expect(error.message).toContain(`bot entry ${join(dir, 'src/nope.ts')} not found`);
    expect(error.fix).toContain('"bot": { "entry": "<file>" } in ydeploy.config.json, or pass --source <file>');
    const source = await failure(
      buildRelease({ version: 'v1', outDir: out(), bot: { ...config(dir), source: 'x.ts' } }),
    );
    expect(source.message).toContain('--source x.ts not found');
  });

  it('a module that does not export a bot', async () => {
    const dir = project({ 'src/bot.ts': 'export default { commands: [] };\n' });
    const error = await failure(buildRelease({ version: 'v1', outDir: out(), bot: config(dir) }));
    expect(error.code).toBe(ExitCode.usage);
    expect(error.message).toBe(
      'src/bot.ts does not define a bot: src/bot.ts: must export default defineBot({...}) from "ydeploy/bot"',
    );
    expect(error.fix).toContain("import { defineBot } from 'ydeploy/bot'");
  });

  it('a syntax error, with the file:line esbuild reports', async () => {
    const dir = project({ 'src/greet.ts': 'export function greeting(who: string) {\n  return who + ;\n}\n' });
    const error = await failure(buildRelease({ version: 'v1', outDir: out(), bot: config(dir) }));
    expect(error.code).toBe(ExitCode.usage);
    expect(error.message).toMatch(/^cannot bundle the bot src\/bot.ts: src\/greet.ts:2:\d+: /);
  });

  it('an import that does not resolve, with its file:line', async () => {
    const dir = project({ 'src/greet.ts': "import 'left-pad-never';\nexport const greeting = (w: string) => w;\n" });
    const error = await failure(buildRelease({ version: 'v1', outDir: out(), bot: config(dir) }));
    expect(error.code).toBe(ExitCode.usage);
    expect(error.message).toContain('src/greet.ts:1:8: Could not resolve "left-pad-never"');
  });

  it('an invalid slash command, naming it and the rule', async () => {
    const dir = project({
      'src/bot.ts': `import { defineBot } from 'ydeploy/bot';
export default defineBot({ commands: [{ data: { name: 'Hello', description: 'x' }, async run() {} }] });
`,
    });
    const error = await failure(buildRelease({ version: 'v1', outDir: out(), bot: config(dir) }));
    expect(error.code).toBe(ExitCode.usage);
    expect(error.message).toMatch(/^slash command "Hello": name must match .* and be lowercase \(got "Hello"\)$/);
  });

  it('a module that throws while loading still builds: no commands, a note (the health gate fails it)', async () => {
    const dir = project({
      'src/greet.ts': "throw new Error('boom at load');\nexport const greeting = (w: string) => w;\n",
    });
    const built = await buildRelease({ version: 'v1', outDir: out(), bot: config(dir) });
    expect(built.manifest.commands).toBeUndefined();
    expect(built.notes?.[0]).toMatch(/^loading src\/bot.ts failed \(exit 1\): .*boom at load/);
  });
});
