// `ydeploy init --bot <dir>`: a TypeScript bot project that depends on this ydeploy, written into
// a new folder (render.ts decides what goes in it, write.ts puts it on disk).
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { projectName, renderProject } from './render.js';
import { readYdeployPackage, ydeploySource, type YdeploySource } from './source.js';
import { writeProject } from './write.js';

export interface ScaffoldResult {
  dir: string;
  name: string;
  files: string[];
  ydeploy: YdeploySource;
  /** What to run next: install, then the first deploy into the sandbox. */
  next: string;
  /** Then: the bot answering in the emulated Discord. */
  tryIt: string[];
}

/** Writes the project into `dir` (relative to `cwd`); `root` is the ydeploy package it depends on. */
export async function scaffoldBot(
  dir: string,
  options: { cwd?: string; force?: boolean; root?: string } = {},
): Promise<ScaffoldResult> {
  const root = options.root ?? PACKAGE_ROOT;
  const cwd = resolve(options.cwd ?? process.cwd());
  const target = resolve(cwd, dir);
  const pkg = await readYdeployPackage(root);
  const name = projectName(target);
  const ydeploy = ydeploySource(root, pkg.version);
  const files = await renderProject({ name, ydeploy, pkg }, join(root, 'cli', 'scaffold', 'templates'));
  await writeProject(target, files, { force: options.force });
  return {
    dir: target,
    name,
    files: files.map((f) => f.path),
    ydeploy,
    next: `${target === cwd ? '' : `cd ${shellWord(dir)} && `}npm install && npx ydeploy deploy --env sandbox`,
    tryIt: ['npx ydeploy sandbox discord roll', "npx ydeploy sandbox discord '!roll 6'"],
  };
}

/** `dir` as one word of a shell command line. */
function shellWord(dir: string): string {
  return /^[\w./@+-]+$/.test(dir) ? dir : `'${dir.replaceAll("'", "'\\''")}'`;
}
