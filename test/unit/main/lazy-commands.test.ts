// Declaring a command must not load its handler's code: `ydeploy --help` imports every command
// file, so a command file imports at load time only its definition helper (the rest in its handler).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../../../cli/commands/', import.meta.url));
/** Light modules a command file may import as it loads: they are on the --help path anyway. */
const LIGHT = new Set(['../command.js', '../version.js']);

function staticImports(source: string): string[] {
  const imports = source.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)';/gms);
  return [...imports].map((match) => match[1]);
}

describe('command files', () => {
  it('import at load time only their definition helper; handlers import the rest when they run', () => {
    const files = readdirSync(dir).filter((file) => file.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const heavy = staticImports(readFileSync(`${dir}${file}`, 'utf8')).filter((path) => !LIGHT.has(path));
      expect(heavy, file).toEqual([]);
    }
  });
});
