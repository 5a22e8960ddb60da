// docs/ARCHITECTURE.md is the map of the code: every folder and file its table names exists.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const doc = readFileSync(`${root}docs/ARCHITECTURE.md`, 'utf8');

/** The paths in the first column of the folders table: `cli/core/`, `cli/context.ts`, ... */
function mappedPaths(): string[] {
  const rows = doc.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

describe('docs/ARCHITECTURE.md', () => {
  it('maps folders and files that exist', () => {
    const paths = mappedPaths();
    expect(paths.length).toBeGreaterThan(15);
    const missing = paths.filter((p) => !existsSync(`${root}${p.replace(/\*\.ts$/, '')}`));
    expect(missing).toEqual([]);
  });

  it('names every folder under cli/', () => {
    const paths = mappedPaths();
    const folders = [
      'adapters',
      'commands',
      'config',
      'core',
      'cost',
      'doctor',
      'inspect',
      'output',
      'preflight',
      'release',
      'sandbox',
    ];
    for (const folder of folders) expect(paths.some((p) => p.startsWith(`cli/${folder}/`))).toBe(true);
  });
});
