// What every `--env sandbox` command calls first (cli/context.ts): the sandbox is brought up when
// it is not running, and the command then runs with the standard variables pointing at it.
import type { Reporter } from '../../ports.js';
import { sandboxEnv } from './env.js';
import { sandboxDir } from '../layout.js';
import { daemonHealth, readState, waitAnswering } from './lifecycle.js';
import { DAEMONS } from '../state-files.js';
import { isSameProcess } from '../process.js';

export interface EnsureOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  signal?: AbortSignal;
}

/**
 * Returns AWS_ENDPOINT_URL (moto), AWS_ENDPOINT_URL_SSM (the Run Command shim), AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY (the sandbox's key), AWS_SESSION_TOKEN / AWS_PROFILE (emptied),
 * AWS_REGION / AWS_DEFAULT_REGION, YDEPLOY_DISCORD_CONTROL and YDEPLOY_SANDBOX_DIR.
 */
export async function ensureSandbox(opts: EnsureOptions): Promise<Record<string, string>> {
  const dir = sandboxDir(opts.cwd, opts.env);
  const state = await readState(dir);
  if (state?.provisioned && isSameProcess(state.daemons.moto)) {
    const health = await daemonHealth(state);
    // Slow is not down: a daemon that runs is given time to answer before anything restarts.
    for (const name of DAEMONS)
      if (health[name] === 'not answering' && (await waitAnswering(name, state, 30_000))) health[name] = 'running';
    if (Object.values(health).every((h) => h === 'running')) return sandboxEnv(state);
    const down = Object.entries(health)
      .filter(([, h]) => h !== 'running')
      .map(([name, h]) => `${name} ${h}`);
    opts.reporter.info(`The sandbox is only partly running (${down.join(', ')}): restarting it (ydeploy sandbox up)`);
  } else {
    opts.reporter.info(`The sandbox is not running: starting it (ydeploy sandbox up; state in ${dir})`);
  }
  const { sandboxUp } = await import('./up.js');
  const up = await sandboxUp({ cwd: opts.cwd, env: opts.env, reporter: opts.reporter, signal: opts.signal });
  return sandboxEnv(up.state);
}
