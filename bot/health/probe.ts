// The health server's view of the bot, refreshed at most every `cacheMs`: reading the file
// and checking the pid on every request would cost more than answering it.
import type { ReadResult } from '../contracts/readiness.js';
import { readReadiness } from '../readiness/file.js';
import { evaluateHealth, pidAlive, type HealthReport } from './evaluate.js';

export interface ProbeOptions {
  readyFile: string;
  staleMs: number;
  graceMs: number;
  cacheMs?: number;
}

export class BotProbe {
  private read: ReadResult = { kind: 'missing' };
  private alive = false;
  private readAt = -Infinity;
  seenReady = false;
  shuttingDown = false;

  constructor(private readonly options: ProbeOptions) {}

  report(now = Date.now()): HealthReport {
    if (now - this.readAt >= (this.options.cacheMs ?? 200)) this.refresh(now);
    return evaluateHealth({
      now,
      read: this.read,
      pidAlive: this.alive,
      seenReady: this.seenReady,
      shuttingDown: this.shuttingDown,
      staleMs: this.options.staleMs,
      graceMs: this.options.graceMs,
    });
  }

  private refresh(now: number): void {
    this.read = readReadiness(this.options.readyFile);
    this.alive = this.read.kind === 'ok' && pidAlive(this.read.readiness.pid);
    if (this.read.kind === 'ok') this.seenReady = true;
    this.readAt = now;
  }
}
