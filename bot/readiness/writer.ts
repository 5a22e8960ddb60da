// Keeps the readiness file current: written when Discord is first ready, rewritten on every
// heartbeat and on every change (role, Discord lost/back), marked stopping, then removed.
import type { DiscordState, Readiness } from '../contracts/readiness.js';
import type { Role } from '../contracts/roles.js';
import { removeReadiness, writeReadiness } from './file.js';

export interface WriterSource {
  discord(): DiscordState;
  role(): Role;
  lastHandled(): { id: string; at: number } | null;
}

export class ReadinessWriter {
  private readyAt: number | null = null;
  private stopping = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly path: string,
    private readonly facts: { version: string; instanceId: string; startedAt: number; heartbeatMs: number },
    private readonly source: WriterSource,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Discord is ready: the file appears and the heartbeat starts. */
  ready(): void {
    if (this.readyAt !== null) return this.touch();
    this.readyAt = Date.now();
    this.touch();
    this.timer = setInterval(() => this.touch(), this.facts.heartbeatMs);
    this.timer.unref();
  }

  /** Rewrite now (a heartbeat, or a change worth showing at once). No-op before ready. */
  touch(): void {
    if (this.readyAt === null) return;
    try {
      writeReadiness(this.path, this.snapshot());
    } catch (error) {
      this.onError(error);
    }
  }

  /** Graceful shutdown began: health reports "stopping" until the file is removed. */
  markStopping(): void {
    this.stopping = true;
    this.touch();
  }

  remove(): void {
    clearInterval(this.timer);
    this.readyAt = null;
    removeReadiness(this.path);
  }

  snapshot(): Readiness {
    const last = this.source.lastHandled();
    return {
      pid: process.pid,
      startedAt: this.facts.startedAt,
      readyAt: this.readyAt ?? Date.now(),
      heartbeatAt: Date.now(),
      version: this.facts.version,
      instanceId: this.facts.instanceId,
      role: this.source.role(),
      state: this.stopping ? 'stopping' : 'ready',
      discord: this.source.discord(),
      lastEventAt: last?.at ?? null,
      lastInteractionId: last?.id ?? null,
    };
  }
}
