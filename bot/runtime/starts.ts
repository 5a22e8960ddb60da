// Crash-loop protection. Every IDENTIFY spends one of Discord's daily session starts (1000 for
// most bots); when none remain, Discord resets the token and every bot using it goes offline.
// A bot that fails before it is ready and is restarted every 2 s by systemd would spend them
// fast. So each start is recorded before it identifies (a small JSON file in the bot's runtime
// directory, which survives Restart=) and the record is removed once the bot is ready: a start
// that finds a record knows the ones before it never became ready (whatever killed them: an
// error, a crash, SIGKILL), and waits first, 5 s doubling with each to at most 10 min.
import { rmSync } from 'node:fs';
import { readOwnedFile, writeOwnedFile } from '../readiness/owned-file.js';

/** The record: how many starts in a row began without becoming ready, and what became of the last. */
export interface StartRecord {
  /** Starts in a row, the current one included while it runs, that have not become ready. */
  failures: number;
  /** When the last of them began (ms). */
  startedAt: number;
  /** Why the last of them ended, when it could say so before exiting. */
  reason?: string;
}

export interface BackoffOptions {
  firstMs: number;
  maxMs: number;
}

/** The wait before the next start after `failures` starts in a row that never became ready. */
export function backoffMs(failures: number, options: BackoffOptions): number {
  if (failures <= 0) return 0;
  return Math.min(options.maxMs, options.firstMs * 2 ** Math.min(failures - 1, 30));
}

export type StartRead = { kind: 'missing' } | { kind: 'invalid'; why: string } | { kind: 'ok'; record: StartRecord };

export function parseStartRecord(text: string): StartRead {
  let value: any;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', why: 'not JSON' };
  }
  if (!Number.isInteger(value?.failures) || value.failures < 0) return { kind: 'invalid', why: 'no failure count' };
  return {
    kind: 'ok',
    record: {
      failures: value.failures,
      startedAt: Number.isFinite(value.startedAt) ? value.startedAt : 0,
      ...(typeof value.reason === 'string' ? { reason: value.reason.slice(0, 500) } : {}),
    },
  };
}

/** Where the record lives and how time passes: the file and the real clock, or a test's fakes. */
export interface StartStore {
  read(): StartRead;
  write(record: StartRecord): void;
  remove(): void;
}

export function fileStore(path: string): StartStore {
  return {
    read: () => {
      const read = readOwnedFile(path);
      return read.kind === 'ok' ? parseStartRecord(read.text) : read;
    },
    write: (record) => writeOwnedFile(path, `${JSON.stringify(record)}\n`, 0o640),
    remove: () => rmSync(path, { force: true }),
  };
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** What the guard tells the log: the wait it is about to do, and why. */
export interface BackoffNotice {
  waitMs: number;
  failures: number;
  lastStartAt: number;
  reason: string;
}

/**
 * One start's side of the record: before(): waits as long as the starts before it ask, then
 * records this one; failed(): notes why it ends before ready; ready(): clears the record;
 * stopped(): a stop that was asked for (SIGTERM) before ready is no failure, so the record goes
 * back to what it was before this start.
 */
export class StartGuard {
  private previous: StartRecord | undefined;
  private current: StartRecord | null = null;

  constructor(
    private readonly store: StartStore,
    private readonly options: BackoffOptions,
    private readonly clock: Clock,
    private readonly onBackoff: (notice: BackoffNotice) => void,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  async before(): Promise<void> {
    const read = this.store.read();
    const last: StartRecord | undefined =
      read.kind === 'ok'
        ? read.record
        : read.kind === 'invalid'
          ? { failures: 1, startedAt: 0, reason: `the start record cannot be trusted: ${read.why}` }
          : undefined;
    this.previous = last;
    const failures = last?.failures ?? 0;
    const waitMs = backoffMs(failures, this.options);
    if (last && waitMs > 0) {
      const reason = last.reason ?? 'it exited before it was ready on Discord';
      this.onBackoff({ waitMs, failures, lastStartAt: last.startedAt, reason });
      await this.clock.sleep(waitMs);
    }
    this.save({ failures: failures + 1, startedAt: this.clock.now() });
  }

  failed(reason: string): void {
    if (this.current) this.save({ ...this.current, reason });
  }

  ready(): void {
    if (!this.current) return;
    this.current = null;
    this.attempt(() => this.store.remove());
  }

  stopped(): void {
    if (!this.current) return;
    const before = this.previous;
    this.current = null;
    this.attempt(() => (before?.failures ? this.store.write(before) : this.store.remove()));
  }

  private save(record: StartRecord): void {
    this.current = record;
    this.attempt(() => this.store.write(record));
  }

  private attempt(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.onError(error);
    }
  }
}
