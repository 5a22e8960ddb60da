// Writes the rendered project into its folder. A folder with anything in it is refused unless
// forced (then only the scaffold's own files are replaced; nothing else is deleted).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ScaffoldFile } from './render.js';

export async function writeProject(dir: string, files: ScaffoldFile[], options: { force?: boolean }): Promise<void> {
  const present = await entries(dir);
  if (present.length && !options.force) {
    throw new UsageError(`${dir} is not empty`, `it holds ${describe(present)}; init --bot writes a new project`, {
      fix: `ydeploy init --bot <new folder> (or --force to write over the scaffold's files in ${dir})`,
    });
  }
  for (const file of files) {
    const target = join(dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
}

/** The folder's entries; none when it does not exist yet. A file in its place is refused. */
async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR')
      throw new UsageError(`${dir} is not a folder`, 'init --bot writes a project into a folder', {
        fix: 'ydeploy init --bot <new folder>',
      });
    throw error;
  }
}

function describe(names: string[]): string {
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}
