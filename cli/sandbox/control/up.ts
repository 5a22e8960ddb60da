// `ydeploy sandbox up`: the daemons, then the starting point, then a healthy legacy bot.
// Idempotent: what runs is kept, what is missing is started, what is provisioned is not redone.
import { loadEnvironment } from '../../config/load.js';
import { createPorts } from '../../context.js';
import { UsageError, UserError } from '../../errors.js';
import { INSTALL_COMMAND, resolveInstancesMode } from '../emulators/machine/prerequisites.js';
import type { Reporter } from '../../ports.js';
import { sandboxDir, ENVIRONMENT } from '../layout.js';
import { newState, readState, saveState, startDaemons } from './lifecycle.js';
import { stopProcess } from '../process.js';
import { sandboxEnv } from './env.js';
import { withUpLock } from './lock.js';
import { processStartTime } from '../process.js';
import { provisionStartingPoint, waitForHealthy, withLegacy } from './provision.js';
import type { DaemonName, SandboxState } from '../state-files.js';

export interface UpOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  signal?: AbortSignal;
  killSignal?: AbortSignal;
  /** ydeploy.config.json (its "sandbox" environment, if any, adjusts the built-in one). */
  config?: string;
  /** --instances: systemd or process (else YDEPLOY_SANDBOX_INSTANCES, else this machine's default). */
  instances?: string;
}

export interface UpResult {
  state: SandboxState;
  started: DaemonName[];
  provisioned: boolean;
  legacy: { instanceId: string; healthPort: number };
  seconds: number;
  /** What to run next: migrate the legacy bot, or (sandbox.legacy false) the first deploy. */
  next: string;
  /** systemd mode: the instances' root filesystem, and the seconds its build took when built now. */
  rootfs?: { key: string; path: string; builtSeconds?: number };
}

const LABEL: Record<DaemonName, string> = {
  moto: 'moto (emulated AWS)',
  discord: 'Discord emulator',
  shim: 'Run Command shim',
  host: 'instance host',
};

export async function sandboxUp(o: UpOptions): Promise<UpResult> {
  const started = performance.now();
  const dir = sandboxDir(o.cwd, o.env);
  const environment = await loadEnvironment({ config: o.config, env: ENVIRONMENT, cwd: o.cwd, environment: o.env });
  return withUpLock(
    `${dir}/up.lock`,
    async () => {
      const requested = o.instances ?? (o.env.YDEPLOY_SANDBOX_INSTANCES || undefined);
      const existing = await readState(dir);
      let mode;
      try {
        // A running sandbox keeps its mode unless another one is asked for.
        mode = existing?.instances && !requested ? existing.instances : resolveInstancesMode(requested).mode;
      } catch (error) {
        const known = requested === 'systemd' || requested === 'process';
        throw new UsageError(`--instances ${requested}`, (error as Error).message.replace(/^--instances \S+: /, ''), {
          fix: known
            ? `${INSTALL_COMMAND}   (as root; or: ydeploy sandbox up --instances process)`
            : 'ydeploy sandbox up --instances systemd   (or --instances process)',
        });
      }
      const state = existing ?? (await newState(dir, environment, o.env, mode));
      if ((state.instances ?? 'process') !== mode) {
        o.reporter.info(
          `Instances now boot in ${mode} mode (they booted in ${state.instances ?? 'process'} mode): restarting the instance host, which boots them again`,
        );
        state.instances = mode;
        if (state.daemons.host) await stopProcess(state.daemons.host, 30_000);
        delete state.daemons.host;
        await saveState(state);
      }
      let rootfs: UpResult['rootfs'];
      if (mode === 'systemd') rootfs = await buildRootfs(o.reporter);
      const steps = new Map<DaemonName, ReturnType<Reporter['step']>>();
      let result;
      try {
        result = await startDaemons(state, (name) => {
          steps.forEach((s) => s.succeed());
          steps.clear();
          const port = name === 'host' ? '' : ` on 127.0.0.1:${state.ports[name]}`;
          steps.set(name, o.reporter.step(`Start ${LABEL[name]}${port}`));
        });
        steps.forEach((s) => s.succeed());
      } catch (error) {
        steps.forEach((s) => s.fail());
        throw new UserError('the sandbox could not start', (error as Error).message, {
          cause: error,
          fix: 'ydeploy sandbox down && ydeploy sandbox up',
        });
      }
      const motoStartTime = processStartTime(state.daemons.moto!.pid) ?? '';
      let legacy: UpResult['legacy'];
      const provisioned = !(state.provisioned && state.provisioned.motoStartTime === motoStartTime);
      if (provisioned) {
        const ports = createPorts({
          env: environment,
          processEnv: { ...o.env, ...sandboxEnv(state) },
          reporter: o.reporter,
          cwd: o.cwd,
        });
        const done = await provisionStartingPoint({
          state,
          environment,
          ports,
          reporter: o.reporter,
          signal: o.signal,
          killSignal: o.killSignal,
        });
        state.provisioned = {
          at: new Date().toISOString(),
          motoStartTime,
          release: withLegacy(environment) ? 'legacy-1' : null,
          seconds: done.seconds,
          instanceId: done.instanceId,
        };
        await saveState(state);
        legacy = done;
      } else {
        legacy = await anyHealthyBot(state, o.reporter, o.signal);
      }
      const next = `npx ydeploy ${withLegacy(environment) ? 'migrate' : 'deploy'} --env sandbox`;
      return {
        state,
        started: result.started,
        provisioned,
        legacy,
        next,
        rootfs,
        seconds: (performance.now() - started) / 1000,
      };
    },
    {
      signal: o.signal,
      onWait: (pid) => o.reporter.info(`Waiting for another "ydeploy sandbox up" (pid ${pid}) to finish…`),
    },
  );
}

/** The instances' root filesystem, built here (once, minutes) so the instance host finds it cached. */
async function buildRootfs(reporter: Reporter): Promise<UpResult['rootfs']> {
  const { ensureRootfs, rootfsCacheDir, rootfsKey } = await import('../emulators/machine/rootfs.js');
  const key = await rootfsKey();
  const step = reporter.step(`Instance root filesystem ${key} (${rootfsCacheDir()})`);
  try {
    const built = await ensureRootfs({ log: (line) => step.update(line) });
    step.succeed(built.builtSeconds === undefined ? 'cached' : `built in ${built.builtSeconds.toFixed(0)}s (once)`);
    return built;
  } catch (error) {
    step.fail((error as Error).message.split('\n')[0]);
    throw new UserError("the instances' root filesystem could not be built", (error as Error).message, {
      cause: error,
      fix: 'check that this machine reaches deb.debian.org (or set YDEPLOY_DEBIAN_MIRROR), then rerun ydeploy sandbox up; or ydeploy sandbox up --instances process',
    });
  }
}

/**
 * Already provisioned: the deployment may have moved on since (migrated, legacy disabled), so any
 * healthy bot will do; the host may need a moment after a restart.
 */
async function anyHealthyBot(
  state: SandboxState,
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<UpResult['legacy']> {
  try {
    return await waitForHealthy(state, undefined, 30_000, signal);
  } catch (error) {
    reporter.warn(`no healthy bot in the sandbox: ${(error as UserError).why ?? (error as Error).message}`);
    return { instanceId: '', healthPort: 0 };
  }
}
