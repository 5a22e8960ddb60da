// The resharding cut: a whole old set of sessions (one shard count) hands over to a whole new
// set (another count) at one point. Every old instance steps down first, reporting the last
// interaction it handled; only then does every new instance activate, told per old shard where
// its predecessor stopped (--after-shards), so each interaction is answered by exactly one set.
// Never two: the new set activates only once every old instance has stepped down; a new one
// that fails to activate makes the ones already active step down again before the old set
// answers again.
import { assertLockHeld } from '../lock/lock.js';
import type { Instance } from '../../ports.js';
import { ExitCode, UserError } from '../../errors.js';
import type { Context } from '../context.js';
import { waiting } from '../metrics/meter.js';
import { isAfter } from '../shell.js';
import { activateScript, stepDownScript, type AfterShards } from './botctl.js';
import { botctl, describe, handBack, warnOnFirstCtrlC } from './handoff.js';

export interface CutMember {
  instance: Instance;
  shards: number[];
}

export interface CutReport {
  from: string[];
  to: string[];
  /** Per old shard: where its instance stopped answering. */
  afterShards: AfterShards;
  interrupted?: boolean;
  seconds: number;
}

/** Cuts over from `olds` (covering every shard of `oldCount`) to `news`, all waiting on the instances. */
export function cutOver(ctx: Context, olds: CutMember[], oldCount: number, news: Instance[]): Promise<CutReport> {
  return waiting(ctx, () => cut(ctx, olds, oldCount, news));
}

async function cut(ctx: Context, olds: CutMember[], oldCount: number, news: Instance[]): Promise<CutReport> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  assertLockHeld(ctx);
  const covered = new Set(olds.flatMap((o) => o.shards));
  const missing = Array.from({ length: oldCount }, (_, id) => id).filter((id) => !covered.has(id));
  if (missing.length)
    throw new UserError(
      'refusing to cut over',
      `no serving instance runs shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${oldCount}`,
      { code: ExitCode.healthGate, fix: `ydeploy status --env ${ctx.env.name}` },
    );
  const started = ctx.clock.now();
  const signal = ctx.killSignal;
  const stopWarning = warnOnFirstCtrlC(ctx);
  try {
    const steps = await Promise.all(
      olds.map(async (old) => ({ old, ...(await botctl(ctx, old.instance, stepDownScript(), 'step down', signal)) })),
    );
    const stepped = steps.filter((s) => s.answer?.ok && isAfter(s.answer.after ?? '0'));
    if (stepped.length < steps.length) {
      // Every old instance must confirm it stopped before any new one answers; one that cannot
      // be told (or answers nonsense) may still be answering, so the cut does not happen.
      await Promise.all(stepped.map((s) => handBack(ctx, s.old.instance, signal)));
      const failed = steps.filter((s) => !stepped.includes(s));
      throw new UserError(
        'refusing to cut over',
        `${failed.map((s) => `${s.old.instance.id} did not step down (${describe(s.result)})`).join('; ')}; the old set answers again`,
        { code: ExitCode.healthGate, fix: `ydeploy doctor --instance ${failed[0]!.old.instance.id}` },
      );
    }
    const afters = Array.from({ length: oldCount }, () => '0');
    for (const s of stepped) for (const shard of s.old.shards) afters[shard] = s.answer!.after ?? '0';
    const afterShards = { count: oldCount, afters };
    const activations = await Promise.all(
      news.map(async (instance) => ({
        instance,
        ...(await botctl(ctx, instance, activateScript({ afterShards }), 'activate', signal)),
      })),
    );
    const failed = activations.filter((a) => !a.answer?.ok || a.answer.role !== 'active');
    if (failed.length) {
      // Whoever of the new set did activate stands down again before the old set takes back over.
      const active = activations.filter((a) => !failed.includes(a));
      await Promise.all(active.map((a) => botctl(ctx, a.instance, stepDownScript(), 'step down again', signal)));
      await Promise.all(olds.map((o) => handBack(ctx, o.instance, signal)));
      throw new UserError(
        `${failed.map((a) => a.instance.id).join(', ')} did not become active`,
        `${failed.map((a) => a.answer?.message ?? describe(a.result)).join('; ')}; the old set answers again`,
        { code: ExitCode.healthGate, fix: `ydeploy doctor --instance ${failed[0]!.instance.id}` },
      );
    }
    const interrupted = ctx.signal.aborted;
    if (interrupted) ctx.reporter.warn(`the cut finished before stopping: the new set answers, the old one does not`);
    return {
      from: olds.map((o) => o.instance.id),
      to: news.map((n) => n.id),
      afterShards,
      ...(interrupted ? { interrupted } : {}),
      seconds: (ctx.clock.now() - started) / 1000,
    };
  } finally {
    stopWarning();
  }
}
