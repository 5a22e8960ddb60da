// The readiness file on disk (its shape and parser: contracts/readiness.ts). Written
// atomically (temp file + rename) so a reader never sees half a file.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { parseReadiness, type ReadResult, type Readiness } from '../contracts/readiness.js';

export function writeReadiness(path: string, readiness: Readiness): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(readiness), { mode: 0o644 });
  renameSync(temp, path);
}

export function removeReadiness(path: string): void {
  rmSync(path, { force: true });
}

export function readReadiness(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'invalid', why: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code}` };
  }
  return parseReadiness(text);
}
