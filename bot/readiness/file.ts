// The readiness file on disk (its shape and parser: contracts/readiness.ts). Written
// atomically (temp file + rename) so a reader never sees half a file; read only when it is a
// regular file owned by the bot's user (owned-file.ts), so nobody else can fake a healthy bot.
import { rmSync } from 'node:fs';
import { parseReadiness, type ReadResult, type Readiness } from '../contracts/readiness.js';
import { readOwnedFile, writeOwnedFile } from './owned-file.js';

export function writeReadiness(path: string, readiness: Readiness): void {
  writeOwnedFile(path, JSON.stringify(readiness));
}

export function removeReadiness(path: string): void {
  rmSync(path, { force: true });
}

export function readReadiness(path: string, uid?: number): ReadResult {
  const read = uid === undefined ? readOwnedFile(path) : readOwnedFile(path, uid);
  if (read.kind !== 'ok') return read;
  return parseReadiness(read.text);
}
