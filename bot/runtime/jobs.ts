// The bot's jobs run only while it is active (and ready on Discord, not stopping): started on
// activation or when it boots active and connects, stopped on step-down and on shutdown. A
// tick while the previous run is still going is skipped; a run that throws is logged.
import { intervalMs } from '../define/interval.js';
import type { BotContext, Job } from '../define/types.js';

export interface JobHost {
  ctx: BotContext;
  track(work: Promise<unknown>): void;
  onError(error: unknown, job: Job): void;
}

export class JobRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();

  constructor(
    private readonly jobs: Job[],
    private readonly host: JobHost,
  ) {}

  /** Start every job if `run`, else stop them all (runs under way finish). */
  sync(run: boolean): void {
    if (run) for (const job of this.jobs) this.start(job);
    else for (const timer of this.timers.values()) clearInterval(timer);
    if (!run) this.timers.clear();
  }

  active(): boolean {
    return this.timers.size > 0;
  }

  private start(job: Job): void {
    if (this.timers.has(job.name)) return;
    this.timers.set(
      job.name,
      setInterval(() => this.tick(job), intervalMs(job.every)),
    );
  }

  private tick(job: Job): void {
    if (this.running.has(job.name)) return;
    this.running.add(job.name);
    let run: Promise<unknown>;
    try {
      run = Promise.resolve(job.run(this.host.ctx));
    } catch (error) {
      run = Promise.reject(error);
    }
    this.host.track(
      run.catch((error: unknown) => this.host.onError(error, job)).finally(() => this.running.delete(job.name)),
    );
  }
}
