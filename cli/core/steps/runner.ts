// Runs a list of steps: reports each with its elapsed time, journals it, and on Ctrl-C marks
// where it stopped so --resume can continue from the first unfinished step. No step starts once
// the run has lost its deployment lock.
import { InterruptedError, isUserError } from '../../errors.js';
import type { Context } from '../context.js';
import type { Journal } from '../journal/journal.js';
import { assertLockHeld } from '../lock/lock.js';
import type { Step } from './step.js';

export interface RunOptions<S> {
  steps: Step<S>[];
  state: S;
  journal: Journal;
  /** Only these steps run (migrate --step N); the others are not mentioned. */
  only?: (step: Step<S>) => boolean;
  /** The command that continues after an interruption. */
  resumeCommand: string;
}

export async function runSteps<S>(ctx: Context, options: RunOptions<S>): Promise<void> {
  const { steps, state, journal } = options;
  for (const step of steps) {
    if (options.only && !options.only(step)) continue;
    if (journal.succeeded(step.id)) {
      ctx.reporter.step(step.title, { step: step.id }).skip('done before the interruption');
      continue;
    }
    throwIfInterrupted(ctx, step, options.resumeCommand);
    assertLockHeld(ctx);
    const reason = step.skip?.(ctx, state);
    const handle = ctx.reporter.step(step.title, { step: step.id });
    if (reason) {
      handle.skip(reason);
      await journal.end(step.id, 'skipped', reason);
      continue;
    }
    await journal.begin(step.id, step.title);
    try {
      const detail = (await step.run(ctx, state)) ?? undefined;
      journal.entry.state = state as Record<string, unknown>;
      await journal.end(step.id, 'succeeded', detail);
      handle.succeed(detail);
    } catch (error) {
      journal.entry.state = state as Record<string, unknown>;
      if (ctx.signal.aborted) {
        await journal.end(step.id, 'interrupted', 'Ctrl-C');
        handle.fail('interrupted');
        throw interrupted(ctx, step, options.resumeCommand);
      }
      const message = isUserError(error) ? error.message : (error as Error).message;
      await journal.end(step.id, 'failed', message);
      handle.fail(isUserError(error) ? error.what : message);
      throw error;
    }
  }
}

/** Dry run: each step's text, in order; nothing changes. */
export async function dryRunSteps<S>(
  ctx: Context,
  steps: Step<S>[],
  state: S,
  only?: (step: Step<S>) => boolean,
): Promise<{ id: string; title: string; wouldRun: string }[]> {
  const plan: { id: string; title: string; wouldRun: string }[] = [];
  for (const step of steps) {
    if (only && !only(step)) continue;
    const reason = step.skip?.(ctx, state);
    const wouldRun = reason ? `skipped: ${reason}` : await step.dryRun(ctx, state);
    plan.push({ id: step.id, title: step.title, wouldRun });
    ctx.reporter.info(
      `${step.group ? `${step.group}. ` : ''}${step.title}\n    ${wouldRun.split('\n').join('\n    ')}`,
      { dryRun: true, step: step.id, wouldRun },
    );
  }
  return plan;
}

function throwIfInterrupted<S>(ctx: Context, step: Step<S>, resume: string): void {
  if (ctx.signal.aborted) throw interrupted(ctx, step, resume);
}

function interrupted<S>(ctx: Context, step: Step<S>, resume: string): InterruptedError {
  return new InterruptedError(`stopped at "${step.title}"`, {
    fix: resume,
    details: { step: step.id, environment: ctx.env.name },
  });
}
