// Exactly one bot answers: the old instance steps down and reports its last handled
// interaction; the new one becomes active and answers what arrived after it. Never both.
import type { CommandResult, Instance } from '../../ports.js';
import { ExitCode, UserError } from '../../errors.js';
import { tuning, type Context } from '../context.js';
import { isAfter } from '../shell.js';
import { activateScript, parseBotctl, statusScript, stepDownScript, type BotctlAnswer } from './botctl.js';

export interface HandoffReport {
  from?: string;
  to: string;
  /** The old bot's last handled interaction ("0": none); absent when it was unreachable. */
  after?: string;
  /** The old instance could not be reached; the new one waited the documented grace, then --force. */
  oldUnreachable: boolean;
  seconds: number;
}

export async function handoff(ctx: Context, from: Instance | undefined, to: Instance): Promise<HandoffReport> {
  const started = ctx.clock.now();
  let after: string | undefined = '0';
  let oldUnreachable = false;
  let peerActive = false;
  if (from) {
    const stepped = await botctl(ctx, from, stepDownScript(), 'step down');
    if (stepped.answer?.ok) {
      after = stepped.answer.after ?? '0';
      // The old instance's answer is not trusted: its "after" goes into a root script on the new
      // one. Anything but digits is refused, and the old bot (just stepped down) answers again.
      if (!isAfter(after)) {
        await handBack(ctx, from);
        throw new UserError(
          `refusing to activate ${to.id}`,
          `${from.id} stepped down with "after" ${JSON.stringify(after.slice(0, 80))}, not a snowflake id or a timestamp; ${from.id} answers again`,
          { code: ExitCode.healthGate, fix: `ydeploy doctor --instance ${from.id}` },
        );
      }
      const status = await botctl(ctx, from, statusScript(), 'confirm standby');
      peerActive = status.answer?.role === 'active';
    } else {
      // The old bot cannot be told to stop (instance gone, agent or bot down). Waiting out an
      // interaction's 3-second answer window plus margin means anything it took is done.
      oldUnreachable = true;
      after = undefined;
      const grace = tuning(ctx).unreachableOldGraceMs;
      ctx.reporter.warn(
        `${from.id} did not step down (${describe(stepped.result)}); activating ${to.id} after ${grace / 1000}s`,
      );
      await ctx.clock.sleep(grace, ctx.signal);
    }
  }
  const activated = await botctl(ctx, to, activateScript({ after, peerActive }), 'activate');
  if (!activated.answer?.ok || activated.answer.role !== 'active') {
    const refused = activated.answer?.error === 'refused';
    throw new UserError(
      refused ? `refusing to activate ${to.id}` : `${to.id} did not become active`,
      activated.answer?.message ?? describe(activated.result),
      { code: ExitCode.healthGate, fix: `ydeploy doctor --instance ${refused && from ? from.id : to.id}` },
    );
  }
  return {
    ...(from ? { from: from.id } : {}),
    to: to.id,
    ...(after !== undefined ? { after } : {}),
    oldUnreachable,
    seconds: (ctx.clock.now() - started) / 1000,
  };
}

/** The new bot could not take over after all: the old one answers again (nothing buffered is replayed). */
export async function handBack(ctx: Context, to: Instance): Promise<void> {
  await botctl(ctx, to, activateScript({}), 'hand back');
}

async function botctl(
  ctx: Context,
  instance: Instance,
  script: string,
  what: string,
): Promise<{ result: CommandResult; answer?: BotctlAnswer }> {
  const result = await ctx.remote
    .run(instance.id, [script], { timeoutSeconds: 30, comment: `ydeploy handoff: ${what}`, signal: ctx.signal })
    .catch((error: Error): CommandResult => {
      if (ctx.signal.aborted) throw error;
      return { instanceId: instance.id, status: 'Undeliverable', exitCode: -1, stdout: '', stderr: error.message };
    });
  return { result, answer: parseBotctl(result.stdout) };
}

function describe(result: CommandResult): string {
  const text = (parseBotctl(result.stdout)?.message ?? result.stderr ?? result.stdout).trim().slice(0, 200);
  return text ? `${result.status}: ${text}` : result.status;
}
