// Pieces every flow shares: the apply step (desired.json, then terraform apply with it as a
// -var-file), finding an instance by kind and release, and running a flow under the lock with
// a journal.
import type { Instance, InstanceKind } from '../../ports.js';
import { ExitCode, isUserError, UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { newestOf } from '../instances.js';
import { withManifestPins } from '../release-pins.js';
import { describeDesired, saveDesired, varFilesFor, type DesiredState } from '../desired/state.js';
import { Journal, resumable } from '../journal/journal.js';
import { AroundFlow } from './around.js';
import { withLock } from '../lock/lock.js';
import { dryRunSteps, runSteps } from '../steps/runner.js';
import type { Step } from '../steps/step.js';

/**
 * The journal of the flow a context runs in (runFlow sets it): an apply step tells it what it is
 * about to write to desired.json, so --resume can tell the run's own writes from someone else's.
 */
const flowJournals = new WeakMap<Context, Journal>();

/** A step that makes the infrastructure match `target(state)`: declaratively, never -target. */
export function applyStep<S>(
  id: string,
  title: string,
  group: number | undefined,
  target: (state: S) => DesiredState,
): Step<S> {
  return {
    id,
    title,
    group,
    target,
    async run(ctx, state) {
      const desired = await withManifestPins(ctx, target(state));
      await flowJournals.get(ctx)?.writingDesired(desired);
      await saveDesired(ctx, desired);
      const result = await ctx.terraform.apply({
        varFiles: await varFilesFor(ctx, desired),
        signal: ctx.signal,
        killSignal: ctx.killSignal,
      });
      return `${describeDesired(desired)}; +${result.add} ~${result.change} -${result.remove} in ${result.seconds.toFixed(1)}s of terraform`;
    },
    async dryRun(ctx, state) {
      const desired = await withManifestPins(ctx, target(state));
      const plan = await ctx.terraform.plan({
        varFiles: await varFilesFor(ctx, desired),
        signal: ctx.signal,
        killSignal: ctx.killSignal,
      });
      const changes = plan.changes
        .filter((c) => c.action !== 'noop' && c.action !== 'read')
        .map((c) => `      ${c.action} ${c.address}`);
      return [
        `terraform apply -> ${describeDesired(desired)}`,
        `plan: +${plan.add} ~${plan.change} -${plan.remove}`,
        ...changes,
      ].join('\n');
    },
  };
}

/** The newest live instance of a kind (and release, when given). */
export async function findInstance(
  ctx: Context,
  kind: InstanceKind,
  release?: string | null,
): Promise<Instance | undefined> {
  return newestOf(await ctx.instances.list(ctx.env.name), kind, release);
}

export async function requireInstance(ctx: Context, kind: InstanceKind, release?: string | null): Promise<Instance> {
  const found = await findInstance(ctx, kind, release);
  if (!found)
    throw new UsageError(
      `no running ${kind} instance${release ? ` of release ${release}` : ''} in ${ctx.env.name}`,
      'it was expected after the previous step',
      { fix: `ydeploy status --env ${ctx.env.name}` },
    );
  return found;
}

export interface FlowOptions<S> {
  command: string;
  steps: Step<S>[];
  /** The state of a fresh run (baseline etc.); ignored when resuming. */
  fresh: () => Promise<S>;
  resume: boolean;
  dryRun: boolean;
  only?: (step: Step<S>) => boolean;
  /** Runs when a step fails (not on Ctrl-C): put the old state back. True when it did. */
  recover?: (ctx: Context, state: S, error: unknown, journal: Journal) => Promise<boolean>;
  /** Checked before the lock is taken (prompts, preconditions). */
  before?: (state: S) => Promise<void>;
}

export interface FlowResult<S> {
  deploymentId?: string;
  state: S;
  dryRun?: { id: string; title: string; wouldRun: string }[];
}

/** Lock, journal, steps; recovery on failure; the journal says how it ended. */
export async function runFlow<S>(ctx: Context, options: FlowOptions<S>): Promise<FlowResult<S>> {
  const resumeCommand = `ydeploy ${options.command} --resume --env ${ctx.env.name}`;
  if (options.dryRun) {
    const state = await options.fresh();
    return { state, dryRun: await dryRunSteps(ctx, options.steps, state, options.only) };
  }
  return withLock(ctx, { command: options.command }, async () => {
    const previous = options.resume ? await resumable(ctx, options.command) : undefined;
    const state = previous ? (previous.state as S) : await options.fresh();
    await options.before?.(state);
    const around = new AroundFlow(ctx, options.command, Boolean(previous));
    await around.before(state, previous);
    const journal = previous
      ? await Journal.resume(ctx, previous)
      : await Journal.start(ctx, options.command, state as Record<string, unknown>);
    if (previous) ctx.reporter.info(`resuming ${previous.id} (${previous.outcome}) from its first unfinished step`);
    flowJournals.set(ctx, journal);
    around.started(state, journal.entry);
    try {
      await runSteps(ctx, { steps: options.steps, state, journal, only: options.only, resumeCommand });
      await journal.finish('succeeded');
      await around.ended('succeeded', state, journal.entry);
      return { deploymentId: journal.id, state };
    } catch (error) {
      if (ctx.signal.aborted) {
        await journal.finish('interrupted', { error: (error as Error).message });
        await around.ended('interrupted', state, journal.entry, error);
        throw error;
      }
      let recovered = false;
      // The lock was lost or someone else changed what this run read: recovering would write too.
      if (options.recover && !stoppedByAnotherRun(error)) {
        recovered = await options.recover(ctx, state, error, journal).catch((recoveryError: Error) => {
          ctx.reporter.warn(`recovery failed: ${recoveryError.message} (see ydeploy status --env ${ctx.env.name})`);
          return false;
        });
      }
      // The journal entry is this run's own object: it still says why the run stopped, unless
      // another run took it over too (then its conditional write is refused, and that is said).
      await journal.finish('failed', { error: (error as Error).message, recovered }).catch((journalError: Error) => {
        if (!stoppedByAnotherRun(error)) throw journalError;
        ctx.reporter.warn(`could not journal why this run stopped: ${journalError.message}`);
      });
      await around.ended(recovered ? 'rolled-back' : 'failed', state, journal.entry, error);
      throw error;
    } finally {
      flowJournals.delete(ctx);
    }
  });
}

/** Exit 5 in the middle of a run: the lock is gone, or another run changed what this one read. */
function stoppedByAnotherRun(error: unknown): boolean {
  return isUserError(error) && error.code === ExitCode.locked;
}

/** A step that asks first (on a TTY, unless --yes); "no" stops the flow without harm. */
export function confirmed<S>(
  step: Step<S>,
  question: (state: S) => string,
  declined: (ctx: Context) => UsageError,
): Step<S> {
  return {
    ...step,
    async run(ctx, state) {
      if (!ctx.yes && !(await ctx.reporter.confirm(question(state), { default: true }))) throw declined(ctx);
      return step.run(ctx, state);
    },
  };
}

/** Non-interactive runs must say --yes up front, before anything changes (np: prompts first). */
export function requireYesWithoutTty(ctx: Context, what: string, command: string): void {
  if (!ctx.yes && !ctx.reporter.interactive) {
    throw new UsageError(`${what} without asking`, 'standard input is not a terminal, so ydeploy cannot ask first', {
      fix: `${command} --yes`,
    });
  }
}

/** Undo steps, journaled like the others. */
export async function runRecovery<S>(ctx: Context, journal: Journal, state: S, steps: Step<S>[]): Promise<void> {
  await runSteps(ctx, { steps, state, journal, resumeCommand: `ydeploy status --env ${ctx.env.name}` });
}

/** The id of the step that failed last in this run. */
export function failedStep(journal: Journal): string | undefined {
  return [...journal.entry.steps].reverse().find((s) => s.outcome === 'failed')?.id;
}
