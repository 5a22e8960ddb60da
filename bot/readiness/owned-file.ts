// Files the bot and its health server trust: the readiness file and the role file. Both may
// sit in a directory other users can write to (the guide's /tmp/bot-ready), so a reader only
// trusts a regular file owned by its own user, never a symbolic link, and the writer never
// follows a link another user planted at its temp path.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';

export type OwnedRead = { kind: 'missing' } | { kind: 'invalid'; why: string } | { kind: 'ok'; text: string };

/** This process's uid: the bot and its health server run as the same user. */
export function ownUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/**
 * Reads `path` if it is a regular file owned by `uid`. Opened with O_NOFOLLOW and checked with
 * fstat on the open descriptor, so a link or a swapped file between check and read is refused.
 */
export function readOwnedFile(path: string, uid: number | undefined = ownUid()): OwnedRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'invalid', why: `${path} is a symbolic link, not a file the bot wrote` };
    return { kind: 'invalid', why: `cannot read ${path}: ${code}` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { kind: 'invalid', why: `${path} is not a regular file` };
    if (uid !== undefined && stat.uid !== uid)
      return { kind: 'invalid', why: `${path} is owned by uid ${stat.uid}, not by the bot's user (uid ${uid})` };
    return { kind: 'ok', text: readFileSync(fd, 'utf8') };
  } catch (error) {
    return { kind: 'invalid', why: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code}` };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `path` atomically: a new temp file (O_CREAT|O_EXCL|O_NOFOLLOW, random name, so nothing
 * planted there is followed or reused), then rename, which replaces a link at `path` instead of
 * writing through it. The file gets exactly `mode` whatever the process's umask (the bot's unit
 * sets UMask=0027 for everything else), so an operator's shell can still read the readiness file.
 */
export function writeOwnedFile(path: string, text: string, mode = 0o644): void {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
