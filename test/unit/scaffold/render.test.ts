// What `ydeploy init --bot` writes, rendered without touching the disk: the files, where the
// ydeploy dependency comes from, and a config the schema accepts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../cli/config/schema.js';
import { PACKAGE_ROOT } from '../../../cli/package-root.js';
import { configJson, packageJson, projectName, renderProject } from '../../../cli/scaffold/render.js';
import { readYdeployPackage, ydeploySource, type YdeployPackage } from '../../../cli/scaffold/source.js';

const TEMPLATES = join(PACKAGE_ROOT, 'cli', 'scaffold', 'templates');
const pkg: YdeployPackage = {
  version: '1.4.2',
  dependencies: { 'discord.js': '^14.99.0', zod: '^4.0.0' },
  devDependencies: { tsx: '^4.50.0', typescript: '^5.9.9', '@types/node': '^20.1.0', vitest: '^4.0.0' },
};

describe('where the ydeploy dependency comes from', () => {
  it('the registry version when ydeploy lies inside a node_modules folder', () => {
    expect(ydeploySource('/home/a/bot/node_modules/ydeploy', '1.4.2')).toEqual({ spec: '^1.4.2', from: 'registry' });
    expect(ydeploySource('/usr/lib/node_modules/ydeploy', '1.4.2')).toEqual({ spec: '^1.4.2', from: 'registry' });
  });

  it('its own folder otherwise (a checkout, a link)', () => {
    expect(ydeploySource('/work/ydeploy', '1.4.2')).toEqual({ spec: 'file:/work/ydeploy', from: 'folder' });
    expect(ydeploySource('/work/node_modules_old/ydeploy', '1.4.2').from).toBe('folder');
  });
});

describe('package.json', () => {
  it('depends on discord.js and ydeploy with the ranges of this ydeploy, and tests with tsx', () => {
    const registry = packageJson({ name: 'dice', ydeploy: ydeploySource('/p/node_modules/ydeploy', '1.4.2'), pkg });
    expect(registry).toEqual({
      name: 'dice',
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: { test: 'node --import tsx --test test/*.test.ts', typecheck: 'tsc --noEmit -p .' },
      dependencies: { 'discord.js': '^14.99.0', ydeploy: '^1.4.2' },
      devDependencies: { '@types/node': '^20.1.0', tsx: '^4.50.0', typescript: '^5.9.9' },
    });
    const folder = packageJson({ name: 'dice', ydeploy: ydeploySource('/src/ydeploy', '1.4.2'), pkg });
    expect(folder.dependencies).toEqual({ 'discord.js': '^14.99.0', ydeploy: 'file:/src/ydeploy' });
  });

  it("takes the ranges from ydeploy's own package.json", async () => {
    const own = await readYdeployPackage(PACKAGE_ROOT);
    const rendered = packageJson({ name: 'x', ydeploy: ydeploySource(PACKAGE_ROOT, own.version), pkg: own });
    expect(rendered.dependencies).toMatchObject({ 'discord.js': own.dependencies!['discord.js'] });
    expect(rendered.devDependencies).toMatchObject({ tsx: own.devDependencies!.tsx });
  });
});

describe('the project', () => {
  it('has the bot, its handlers, their test, the config, a README and .gitignore', async () => {
    const files = await renderProject({ name: 'dice', ydeploy: ydeploySource('/y', '1.4.2'), pkg }, TEMPLATES);
    expect(files.map((f) => f.path).sort()).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src/bot.ts',
      'src/commands/roll.ts',
      'test/roll.test.ts',
      'tsconfig.json',
      'ydeploy.config.json',
    ]);
    const text = (path: string) => files.find((f) => f.path === path)!.content;
    expect(text('src/bot.ts')).toContain("import { defineBot } from 'ydeploy/bot';");
    expect(text('src/bot.ts')).toContain('export default defineBot({');
    expect(text('src/bot.ts')).toContain("name: 'roll'");
    expect(text('src/bot.ts')).toContain("messageCommands: [{ name: 'roll'");
    expect(text('test/roll.test.ts')).toContain("from 'node:test'");
    expect(text('.gitignore').split('\n')).toEqual(['node_modules/', '.ydeploy/', '']);
    expect(text('README.md')).toMatch(/^# dice\n/);
    for (const command of [
      'npm test',
      'npx ydeploy deploy --env sandbox',
      'npx ydeploy sandbox discord roll',
      "npx ydeploy sandbox discord '!roll 6'",
      'npx ydeploy deploy --env production',
    ])
      expect(text('README.md')).toContain(command);
    expect(JSON.parse(text('ydeploy.config.json'))).toEqual(configJson('dice'));
  });

  it('has a config the schema accepts: the bot entry and test, a sandbox without legacy', () => {
    const config = configSchema.parse(configJson('dice')) as Record<string, unknown>;
    expect(config).toMatchObject({
      project: 'dice',
      bot: { entry: 'src/bot.ts', test: 'npm test' },
      sandbox: { legacy: false },
    });
  });

  it('names itself after its folder', () => {
    expect(projectName('/tmp/My Bot')).toBe('my-bot');
    expect(projectName('/x/.hidden_bot')).toBe('hidden_bot');
    expect(projectName('/x/@@@')).toBe('discord-bot');
    // npm allows dots and underscores, the config's project name does not (it names AWS resources).
    expect(configJson('my_bot.v2')).toMatchObject({ project: 'my-bot-v2' });
    expect(configJson('2048')).not.toHaveProperty('project');
  });

  it('reads its templates from the package (they are published with it)', async () => {
    const published = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(published.files).toContain('cli/');
  });
});
