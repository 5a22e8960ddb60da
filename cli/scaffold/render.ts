// The bot project `ydeploy init --bot <dir>` writes, as a list of files: pure, so a test can
// check every byte without touching the disk. The source files are cli/scaffold/templates/.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { YdeployPackage, YdeploySource } from './source.js';

export interface ScaffoldFile {
  /** Relative to the project folder, with forward slashes. */
  path: string;
  content: string;
}

export interface ScaffoldInput {
  /** The npm package name (also the config's project name when it fits that pattern). */
  name: string;
  ydeploy: YdeploySource;
  /** ydeploy's own package.json: the discord.js, tsx, typescript and @types/node ranges. */
  pkg: YdeployPackage;
}

/** Template file (under templates/) -> the path it is written to. */
export const TEMPLATES: Record<string, string> = {
  'src/bot.ts.tmpl': 'src/bot.ts',
  'src/commands/roll.ts.tmpl': 'src/commands/roll.ts',
  'test/roll.test.ts.tmpl': 'test/roll.test.ts',
  'README.md.tmpl': 'README.md',
  'tsconfig.json.tmpl': 'tsconfig.json',
  // npm leaves files named .gitignore out of a published package, so its template is named apart.
  'gitignore.tmpl': '.gitignore',
};

/** The project name from its folder: npm's rules (lowercase, URL-safe, no leading dot or dash). */
export function projectName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '')
    .slice(0, 214);
  return name || 'discord-bot';
}

export async function renderProject(input: ScaffoldInput, templatesDir: string): Promise<ScaffoldFile[]> {
  const files = [
    { path: 'package.json', content: json(packageJson(input)) },
    { path: 'ydeploy.config.json', content: json(configJson(input.name)) },
  ];
  for (const [template, path] of Object.entries(TEMPLATES)) {
    const text = await readFile(join(templatesDir, template), 'utf8');
    files.push({ path, content: text.replaceAll('{{name}}', input.name) });
  }
  return files;
}

export function packageJson({ name, ydeploy, pkg }: ScaffoldInput): Record<string, unknown> {
  const range = (deps: Record<string, string> | undefined, dep: string) => {
    const value = deps?.[dep];
    if (!value) throw new Error(`ydeploy's package.json has no range for ${dep}`);
    return value;
  };
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      test: 'node --import tsx --test test/*.test.ts',
      typecheck: 'tsc --noEmit -p .',
    },
    dependencies: {
      'discord.js': range(pkg.dependencies, 'discord.js'),
      ydeploy: ydeploy.spec,
    },
    devDependencies: {
      '@types/node': range(pkg.devDependencies, '@types/node'),
      tsx: range(pkg.devDependencies, 'tsx'),
      typescript: range(pkg.devDependencies, 'typescript'),
    },
  };
}

/** The project's config: its bot, a sandbox with no legacy bot (the first deploy starts it). */
export function configJson(name: string): Record<string, unknown> {
  const project = configProject(name);
  return {
    ...(project ? { project } : {}),
    bot: { entry: 'src/bot.ts', test: 'npm test' },
    sandbox: { legacy: false },
  };
}

/** The config's project name (tags, resource names) from the package name, when one fits. */
function configProject(name: string): string | undefined {
  const project = name
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 31)
    .replace(/-+$/, '');
  return project || undefined;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
