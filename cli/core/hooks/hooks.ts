// The team's hooks around a run (config `hooks`), as Kamal runs its own: preDeploy before
// anything changes (failing stops the run, exit 3), postDeploy after success, onFailure after a
// failure or Ctrl-C (failing either only warns: the deployment's outcome is already decided).
// Each runs in a shell with the run's facts as YDEPLOY_* variables, its output on the progress
// stream, and is killed when it outlasts hooks.timeout.
import { dirname } from 'node:path';
import { ExitCode, InterruptedError, UserError } from '../../errors.js';
import type { Context } from '../context.js';
import type { RunFacts } from '../flows/facts.js';

export type HookName = 'preDeploy' | 'postDeploy' | 'onFailure';

/** How many of a failing hook's last output lines its error shows. */
const ERROR_LINES = 10;

/** The variables a hook sees, from the run's facts. */
export function hookEnv(ctx: Context, hook: HookName, facts: RunFacts, instanceIds: string[]): Record<string, string> {
  const result = facts.phase === 'before' || facts.phase === 'started' ? '' : facts.phase;
  return {
    YDEPLOY_HOOK: hook,
    YDEPLOY_COMMAND: facts.command,
    YDEPLOY_ENV: facts.environment,
    YDEPLOY_PROJECT: ctx.env.project,
    YDEPLOY_REGION: ctx.env.region,
    YDEPLOY_DEPLOYMENT_ID: facts.deploymentId ?? '',
    YDEPLOY_RELEASE: facts.release ?? '',
    YDEPLOY_COMMIT: facts.commit ?? '',
    YDEPLOY_INSTANCE_IDS: instanceIds.join(','),
    YDEPLOY_WHO: facts.who,
    YDEPLOY_IDENTITY: facts.identity ?? '',
    YDEPLOY_RESUME: facts.resumed ? '1' : '0',
    YDEPLOY_RESULT: result,
    YDEPLOY_DURATION_MS: facts.durationMs === undefined ? '' : String(Math.round(facts.durationMs)),
    YDEPLOY_ERROR: facts.error ?? '',
  };
}

/**
 * Runs the configured hook, if any. preDeploy throws (exit 3) when it fails, times out or cannot
 * start; the others warn. `signal` stops it (the first Ctrl-C, or the second once a run stopped).
 */
export async function runHook(ctx: Context, hook: HookName, facts: RunFacts, signal: AbortSignal): Promise<void> {
  const command = ctx.env.hooks?.[hook];
  if (!command || !ctx.hooks) return;
  const instanceIds = await ctx.instances
    .list(ctx.env.name)
    .then((list) => list.map((i) => i.id))
    .catch(() => []);
  const timeoutMs = ctx.env.hooks?.timeout ?? 300_000;
  const handle = ctx.reporter.step(`Hook ${hook}: ${command}`, { step: `hook-${hook}`, hook });
  const run = await ctx.hooks.run(command, {
    env: hookEnv(ctx, hook, facts, instanceIds),
    cwd: hookDir(ctx),
    timeoutMs,
    signal,
    onLine: (line) => ctx.reporter.info(`  ${hook} │ ${line}`, { hook, line }),
  });
  const took = `${run.seconds.toFixed(1)}s`;
  if (run.exitCode === 0) return handle.succeed(took);
  const why = run.error ?? `exited with ${run.exitCode ?? 'no code'}`;
  handle.fail(why);
  if (hook !== 'preDeploy') {
    ctx.reporter.warn(`hook ${hook} failed: ${why}; the ${facts.command}'s outcome stands (${facts.phase})`, {
      hook,
      exitCode: run.exitCode,
    });
    return;
  }
  if (signal.aborted) throw new InterruptedError(`hook ${hook} ("${command}")`);
  const tail = run.tail.slice(-ERROR_LINES);
  throw new UserError(
    `the ${hook} hook stopped the ${facts.command}`,
    `"${command}" ${why}; nothing was changed${tail.length ? `. Its last lines:\n    ${tail.join('\n    ')}` : ''}`,
    {
      code: ExitCode.preflight,
      fix: `fix hooks.preDeploy in ${ctx.env.configFile ?? 'ydeploy.config.json'} (or what it checks), then rerun: ydeploy ${facts.command} --env ${facts.environment}`,
      details: { hook, command, exitCode: run.exitCode, timedOut: run.timedOut, output: tail },
    },
  );
}

/** Hooks run in the config file's folder, like the bot's paths. */
function hookDir(ctx: Context): string {
  return ctx.env.configDir ?? (ctx.env.configFile ? dirname(ctx.env.configFile) : '.');
}
