// Exactly one bot answers: the old instance steps down and reports its last handled
// interaction; the new one becomes active and answers what arrived after it. Never both, and
// never neither: once the old bot has been told to step down, a first Ctrl-C does not cut the
// handoff short (it finishes, or the old bot answers again); only a second Ctrl-C does.
import { assertLockHeld } from '../lock/lock.js';
import type { CommandResult, Instance, InstanceState } from '../../ports.js';
import { ExitCode, UserError } from '../../errors.js';
import { tuning, type Context } from '../context.js';
import { poll } from '../poll.js';
import { waiting } from '../metrics/meter.js';
import { isAfter } from '../shell.js';
import { activateScript, parseBotctl, statusScript, stepDownScript, type BotctlAnswer } from './botctl.js';

export interface HandoffReport {
  from?: string;
  to: string;
  /** The old bot's last handled interaction ("0": none); absent when it was unreachable. */
  after?: string;
  /** The old instance could not be reached; it was stopped (fenced), then the new one activated with --force. */
  oldUnreachable: boolean;
  /** The unreachable old instance was stopped through EC2 before the new one activated. */
  fenced: boolean;
  /** A first Ctrl-C arrived during the handoff, which finished anyway; the run stops after it. */
  interrupted?: boolean;
  seconds: number;
}

/** States in which an instance runs no bot. */
const DOWN: InstanceState[] = ['stopped', 'terminated'];

/** The handoff, all of it waiting on the instances (SSM, EC2, the grace after a fence). */
export function handoff(ctx: Context, from: Instance | undefined, to: Instance): Promise<HandoffReport> {
  return waiting(ctx, () => handOver(ctx, from, to));
}

async function handOver(ctx: Context, from: Instance | undefined, to: Instance): Promise<HandoffReport> {
  // Nothing has changed yet: a Ctrl-C before the first botctl call stops here, and so does a
  // run that no longer holds the deployment lock (another run may be handing over already).
  if (ctx.signal.aborted) throw ctx.signal.reason;
  assertLockHeld(ctx);
  const started = ctx.clock.now();
  // From here on only the second Ctrl-C aborts a call: stopping between the old bot's step-down
  // and the new one's activation would leave no bot answering.
  const signal = ctx.killSignal;
  const stopWarning = warnOnFirstCtrlC(ctx);
  try {
    let after: string | undefined = '0';
    let oldUnreachable = false;
    let fenced = false;
    let peerActive = false;
    let steppedDown = false;
    if (from) {
      const stepped = await botctl(ctx, from, stepDownScript(), 'step down', signal);
      if (stepped.answer?.ok) {
        steppedDown = true;
        after = stepped.answer.after ?? '0';
        // The old instance's answer is not trusted: its "after" goes into a root script on the new
        // one. Anything but digits is refused, and the old bot (just stepped down) answers again.
        if (!isAfter(after)) {
          await handBack(ctx, from, signal);
          throw new UserError(
            `refusing to activate ${to.id}`,
            `${from.id} stepped down with "after" ${JSON.stringify(after.slice(0, 80))}, not a snowflake id or a timestamp; ${from.id} answers again`,
            { code: ExitCode.healthGate, fix: `ydeploy doctor --instance ${from.id}` },
          );
        }
        const status = await botctl(ctx, from, statusScript(), 'confirm standby', signal);
        peerActive = status.answer?.role === 'active';
      } else {
        // The old bot cannot be told to stop (instance gone, agent or bot down), yet it may still
        // be answering. Its instance is stopped through EC2 (fenced) before the new one is forced
        // active. Once EC2 reports it stopped nothing runs there, so a short grace suffices, and
        // the new bot then answers the buffered interactions Discord has no response for (its
        // forced activation asks Discord): within their 3 s window, which a long wait would spend.
        // An instance found already down or gone was not stopped by this run: it waits longer.
        oldUnreachable = true;
        after = undefined;
        ctx.reporter.warn(
          `${from.id} did not step down (${describe(stepped.result)}); stopping it before ${to.id} activates`,
        );
        const how = await fence(ctx, from, to, signal);
        fenced = true;
        const grace = how === 'stopped' ? tuning(ctx).fencedGraceMs : tuning(ctx).unreachableOldGraceMs;
        ctx.reporter.warn(
          `${from.id} is ${how === 'stopped' ? 'stopped' : 'already down'}; activating ${to.id} after ${grace / 1000}s`,
        );
        await ctx.clock.sleep(grace, signal);
      }
    }
    const activated = await botctl(ctx, to, activateScript({ after, peerActive }), 'activate', signal);
    if (!activated.answer?.ok || activated.answer.role !== 'active') {
      const refused = activated.answer?.error === 'refused';
      // The old bot stood down for nothing: it answers again, so the failure leaves one bot answering.
      if (from && steppedDown) await handBack(ctx, from, signal);
      throw new UserError(
        refused ? `refusing to activate ${to.id}` : `${to.id} did not become active`,
        `${activated.answer?.message ?? describe(activated.result)}${from && steppedDown ? `; ${from.id} answers again` : ''}`,
        { code: ExitCode.healthGate, fix: `ydeploy doctor --instance ${refused && from ? from.id : to.id}` },
      );
    }
    const interrupted = ctx.signal.aborted;
    if (interrupted)
      ctx.reporter.warn(`the handoff finished before stopping: ${to.id} answers${from ? `, ${from.id} does not` : ''}`);
    return {
      ...(from ? { from: from.id } : {}),
      to: to.id,
      ...(after !== undefined ? { after } : {}),
      oldUnreachable,
      fenced,
      ...(interrupted ? { interrupted } : {}),
      seconds: (ctx.clock.now() - started) / 1000,
    };
  } finally {
    stopWarning();
  }
}

/**
 * From the first botctl call on, only the second Ctrl-C aborts (ctx.killSignal): the first one
 * is answered with a warning and the handoff finishes. Returns the function that stops warning.
 */
export function warnOnFirstCtrlC(ctx: Context): () => void {
  const onFirstCtrlC = () =>
    ctx.reporter.warn(
      'Ctrl-C: finishing the handoff first, so exactly one bot answers (Ctrl-C again to stop at once, which may leave none answering)',
    );
  ctx.signal.addEventListener('abort', onFirstCtrlC, { once: true });
  return () => ctx.signal.removeEventListener('abort', onFirstCtrlC);
}

/** What the step's line adds about the old instance: "" unless it had to be stopped (fenced). */
export function fencedNote(report: HandoffReport): string {
  return report.fenced ? ` (fenced: ${report.from ?? 'the old instance'} was unreachable and is stopped)` : '';
}

/**
 * The new bot could not take over after all: the old one answers again (forced: of what it
 * buffered meanwhile, only the interactions Discord has no response for). Like the handoff, only a second Ctrl-C cuts it short.
 */
export async function handBack(ctx: Context, to: Instance, signal: AbortSignal = ctx.killSignal): Promise<void> {
  await botctl(ctx, to, activateScript({}), 'hand back', signal);
}

/**
 * Stops an old instance that SSM cannot reach and waits (bounded) until EC2 reports it stopped,
 * so a bot that may still run there cannot answer beside the new one. 'stopped' once this run
 * stopped it and EC2 confirms it down; 'down' when it was already down or gone; refuses the
 * handoff (exit 4) when it cannot be stopped in time.
 */
async function fence(ctx: Context, old: Instance, to: Instance, signal: AbortSignal): Promise<'stopped' | 'down'> {
  const { fenceTimeoutMs, fencePollMs } = tuning(ctx);
  const refuse = (why: string) =>
    new UserError(
      `refusing to activate ${to.id}`,
      `${old.id} cannot be reached through SSM and ${why}, so its bot may still answer`,
      {
        code: ExitCode.healthGate,
        fix: `stop it yourself (aws ec2 stop-instances --instance-ids ${old.id} --region ${ctx.env.region}; add --force if it hangs), then run the same ydeploy command again`,
      },
    );
  const state = async (): Promise<InstanceState | undefined> => {
    const [found] = await ctx.instances.describe([old.id]);
    return found?.state;
  };
  // An instance EC2 no longer lists, or one already down, runs no bot: nothing to stop.
  const before = await state().catch((): InstanceState => 'running');
  if (before === undefined || DOWN.includes(before)) return 'down';
  try {
    await ctx.instances.stop(old.id);
  } catch (error) {
    throw refuse(`EC2 did not stop it (${(error as Error).message})`);
  }
  let last: InstanceState | undefined = before;
  const down = await poll(
    { timeoutMs: fenceTimeoutMs, intervalMs: fencePollMs, clock: ctx.clock, signal },
    async () => {
      // A failed read is not a stop: keep asking until the deadline.
      const now = await state().catch(() => last);
      last = now;
      return now === undefined || DOWN.includes(now) ? true : undefined;
    },
    () => false,
  );
  if (!down) throw refuse(`is still ${last ?? 'unknown'} ${fenceTimeoutMs / 1000}s after EC2 was asked to stop it`);
  return 'stopped';
}

export async function botctl(
  ctx: Context,
  instance: Instance,
  script: string,
  what: string,
  signal: AbortSignal,
): Promise<{ result: CommandResult; answer?: BotctlAnswer }> {
  const result = await ctx.remote
    .run(instance.id, [script], { timeoutSeconds: 30, comment: `ydeploy handoff: ${what}`, signal })
    .catch((error: Error): CommandResult => {
      if (signal.aborted) throw error;
      return { instanceId: instance.id, status: 'Undeliverable', exitCode: -1, stdout: '', stderr: error.message };
    });
  return { result, answer: parseBotctl(result.stdout) };
}

export function describe(result: CommandResult): string {
  const text = (parseBotctl(result.stdout)?.message ?? result.stderr ?? result.stdout).trim().slice(0, 200);
  return text ? `${result.status}: ${text}` : result.status;
}
