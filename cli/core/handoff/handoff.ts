// Exactly one bot answers (issue 9): the old instance steps down and says when it handled its
// last event; the new one becomes active and answers what arrived after that. Never both.
import type { Instance } from '../../ports.js';
import { ExitCode, UserError } from '../../errors.js';
import { tuning, type CoreContext } from '../context.js';
import { activateScript, parseRole, parseStepDown, roleScript, stepDownScript } from './botctl.js';

export interface HandoffReport {
  from?: string;
  to: string;
  /** The old bot's last handled event; the new one answers what came after. */
  after: string;
  /** The old instance could not be reached; the new one waited the documented grace. */
  oldUnreachable: boolean;
  seconds: number;
}

export async function handoff(ctx: CoreContext, from: Instance | undefined, to: Instance): Promise<HandoffReport> {
  const started = ctx.clock.now();
  let after = new Date(started).toISOString();
  let oldUnreachable = false;
  if (from) {
    const result = await ctx.remote.run(from.id, [stepDownScript()], { timeoutSeconds: 30, comment: 'ydeploy handoff: step down', signal: ctx.signal }).catch((error: Error) => ({
      status: 'Undeliverable' as const,
      exitCode: -1,
      stdout: '',
      stderr: error.message,
      instanceId: from.id,
    }));
    const stepped = result.status === 'Success' ? parseStepDown(result.stdout) : undefined;
    if (stepped) {
      after = stepped.lastEventAt ?? after;
      await refuseIfStillActive(ctx, from, to);
    } else {
      // The old bot cannot be told to stop. Its own standby-on-silence rule (or its death) is what
      // keeps two from answering; the grace covers an interaction's 3-second answer window.
      oldUnreachable = true;
      const grace = tuning(ctx).unreachableOldGraceMs;
      ctx.reporter.warn(`${from.id} did not step down (${result.status}: ${(result.stderr || result.stdout).trim().slice(0, 200)}); activating ${to.id} after ${grace / 1000}s`);
      await ctx.clock.sleep(grace, ctx.signal);
      after = new Date(started).toISOString();
    }
  }
  const activated = await ctx.remote.run(to.id, [activateScript(after)], { timeoutSeconds: 30, comment: 'ydeploy handoff: activate', signal: ctx.signal });
  if (activated.status !== 'Success' || parseRole(activated.stdout) !== 'active') {
    throw new UserError(`${to.id} did not become active`, (activated.stderr || activated.stdout).trim().slice(0, 300) || activated.status, {
      code: ExitCode.healthGate,
      fix: `ydeploy doctor --instance ${to.id}`,
    });
  }
  return { ...(from ? { from: from.id } : {}), to: to.id, after, oldUnreachable, seconds: (ctx.clock.now() - started) / 1000 };
}

/** Reactivate the old bot when the new one could not take over (its gate passed, then failed). */
export async function handBack(ctx: CoreContext, to: Instance): Promise<void> {
  await ctx.remote.run(to.id, [activateScript(new Date(ctx.clock.now()).toISOString())], { timeoutSeconds: 30, comment: 'ydeploy handoff: hand back' });
}

async function refuseIfStillActive(ctx: CoreContext, from: Instance, to: Instance): Promise<void> {
  const status = await ctx.remote.run(from.id, [roleScript()], { timeoutSeconds: 30, comment: 'ydeploy handoff: confirm standby', signal: ctx.signal });
  if (status.status === 'Success' && parseRole(status.stdout) === 'active') {
    throw new UserError(`refusing to activate ${to.id}`, `${from.id} still reports itself active after stepping down`, { code: ExitCode.healthGate, fix: `ydeploy doctor --instance ${from.id}` });
  }
}
