// What runs around a flow's steps: the preDeploy hook before anything changes, a "started"
// notification once the journal exists (sent beside the steps, so it delays none of them), and
// at the end the outcome's notification beside postDeploy or onFailure. Only preDeploy can stop
// a run; everything after the outcome warns at worst.
import type { Context } from '../context.js';
import { runHook } from '../hooks/hooks.js';
import type { JournalEntry } from '../journal/journal.js';
import { notify } from '../notify/notify.js';
import { runFacts, type RunPhase } from './facts.js';

export type Outcome = Extract<RunPhase, 'succeeded' | 'failed' | 'rolled-back' | 'interrupted'>;

export class AroundFlow {
  private startedNotice: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: Context,
    private readonly command: string,
    private readonly resumed: boolean,
  ) {}

  /** preDeploy: throws (exit 3) when it fails; nothing has changed yet. */
  async before(state: unknown, previous?: JournalEntry): Promise<void> {
    if (!this.ctx.env.hooks?.preDeploy) return;
    const facts = await runFacts(this.ctx, { ...this.common(state), phase: 'before', entry: previous });
    await runHook(this.ctx, 'preDeploy', facts, this.ctx.signal);
  }

  /** The "started" notification, in the background; `ended` waits for it so the two arrive in order. */
  started(state: unknown, entry: JournalEntry): void {
    this.startedNotice = runFacts(this.ctx, { ...this.common(state), phase: 'started', entry })
      .then((facts) => notify(this.ctx, { ...facts, phase: 'started' }, this.ctx.killSignal))
      .catch((error: Error) => this.ctx.reporter.warn(`the "started" notification was not sent: ${error.message}`));
  }

  /** The outcome's notification and hook, side by side. Never throws: the outcome is decided. */
  async ended(outcome: Outcome, state: unknown, entry: JournalEntry, error?: unknown): Promise<void> {
    try {
      await this.startedNotice;
      const facts = await runFacts(this.ctx, { ...this.common(state), phase: outcome, entry, error });
      // After Ctrl-C the first signal is spent: only a second Ctrl-C stops these.
      const signal = outcome === 'interrupted' ? this.ctx.killSignal : this.ctx.signal;
      const hook = outcome === 'succeeded' ? 'postDeploy' : 'onFailure';
      await Promise.all([
        notify(this.ctx, { ...facts, phase: outcome }, this.ctx.killSignal),
        runHook(this.ctx, hook, facts, signal),
      ]);
    } catch (failure) {
      this.ctx.reporter.warn(`after the ${this.command}: ${(failure as Error).message}`);
    }
  }

  private common(state: unknown) {
    return { command: this.command, state, resumed: this.resumed };
  }
}
