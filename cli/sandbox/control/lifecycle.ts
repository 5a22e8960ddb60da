// `sandbox up` (daemons), `sandbox down`, and what is running now. Everything the sandbox starts
// is recorded in sandbox.json by PID and kernel start time; `down` stops exactly those processes.
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { ResolvedEnvironment } from '../../config/load.js';
import { UserError } from '../../errors.js';
import { answers, choosePort, isFree, startDaemon } from './daemons.js';
import { logGroupName } from '../../config/names.js';
import { ENVIRONMENT, portBase, sandboxFiles } from '../layout.js';
import { findProcessesOf, isSameProcess, stopProcess } from '../process.js';
import {
  DAEMONS,
  readJson,
  writeJson,
  type DaemonName,
  type InstancesState,
  type SandboxState,
} from '../state-files.js';

const PORT_OFFSETS = { moto: 0, discord: 1, shim: 2, healthBase: 10 } as const;

export async function readState(dir: string): Promise<SandboxState | undefined> {
  const state = await readJson<SandboxState>(sandboxFiles(dir).state);
  return state?.version === 1 ? state : undefined;
}

export function saveState(state: SandboxState): Promise<void> {
  return writeJson(sandboxFiles(state.dir).state, state, 0o600);
}

export type DaemonHealth = 'running' | 'not answering' | 'stopped';

export async function daemonHealth(state: SandboxState): Promise<Record<DaemonName, DaemonHealth>> {
  const entries = await Promise.all(
    DAEMONS.map(async (name): Promise<[DaemonName, DaemonHealth]> => {
      const record = state.daemons[name];
      if (!isSameProcess(record)) return [name, 'stopped'];
      return [name, (await answers(name, state, record)) ? 'running' : 'not answering'];
    }),
  );
  return Object.fromEntries(entries) as Record<DaemonName, DaemonHealth>;
}

export async function waitAnswering(name: DaemonName, state: SandboxState, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isSameProcess(state.daemons[name])) return false;
    if (await answers(name, state)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** A fresh state: new keys and token, ports from the base (or the next free ones). */
export async function newState(
  dir: string,
  environment: ResolvedEnvironment,
  env: NodeJS.ProcessEnv,
  instances: SandboxState['instances'] = 'process',
): Promise<SandboxState> {
  const base = portBase(env);
  const taken = new Set<number>();
  const moto = await choosePort(base + PORT_OFFSETS.moto, taken);
  const discord = await choosePort(base + PORT_OFFSETS.discord, taken);
  const shim = await choosePort(base + PORT_OFFSETS.shim, taken);
  return {
    version: 1,
    dir,
    createdAt: new Date().toISOString(),
    project: environment.project,
    environment: 'sandbox',
    region: environment.region,
    accessKeyId: `AKIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`,
    secretAccessKey: randomBytes(30).toString('base64url').slice(0, 40),
    discordToken: `${Buffer.from(randomBytes(9).toString('hex')).toString('base64url')}.sandbox.${randomBytes(20).toString('base64url')}`,
    tokenParameter: environment.tokenParameter,
    stateBucket: environment.stateBucket,
    releaseBucket: environment.releaseBucket,
    logGroup: logGroupName({ project: environment.project, name: ENVIRONMENT }),
    ports: { moto, discord, shim, healthBase: base + PORT_OFFSETS.healthBase },
    endpoints: endpoints({ moto, discord, shim }),
    daemons: {},
    instances,
  };
}

function endpoints(ports: { moto: number; discord: number; shim: number }): SandboxState['endpoints'] {
  return {
    aws: `http://127.0.0.1:${ports.moto}`,
    ssm: `http://127.0.0.1:${ports.shim}`,
    discordApi: `http://127.0.0.1:${ports.discord}/api`,
    discordControl: `http://127.0.0.1:${ports.discord}/control`,
  };
}

export interface StartResult {
  state: SandboxState;
  started: DaemonName[];
  /** moto was (re)started: whatever was provisioned in it is gone. */
  motoStarted: boolean;
}

/**
 * Starts what is not running. moto is kept when it still runs (its state is the deployment);
 * the other three depend on each other's ports, so if any of them is down all three restart.
 */
export async function startDaemons(state: SandboxState, onStart: (name: DaemonName) => void): Promise<StartResult> {
  const health = await daemonHealth(state);
  const started: DaemonName[] = [];
  // A live moto holds the whole deployment: it is never restarted for being slow (a busy 2-core
  // machine, its first requests), only waited for.
  if (health.moto === 'not answering')
    health.moto = (await waitAnswering('moto', state, 30_000)) ? 'running' : 'not answering';
  if (health.moto === 'not answering') {
    throw new Error(
      `moto (pid ${state.daemons.moto!.pid}) runs but has not answered on ${state.endpoints.aws} for 30 s; see ${sandboxFiles(state.dir).daemonLog('moto')}`,
    );
  }
  // The same for the others: a daemon that runs but was slow to answer one check (a loaded
  // machine) is waited for, never restarted for it: restarting the instance host reboots every
  // instance, and restarting the Discord emulator drops every bot's session.
  for (const name of ['discord', 'shim', 'host'] as const)
    if (health[name] === 'not answering')
      health[name] = (await waitAnswering(name, state, 30_000)) ? 'running' : 'not answering';
  const motoStarted = health.moto !== 'running';
  const restartRest = motoStarted || (['discord', 'shim', 'host'] as const).some((n) => health[n] !== 'running');
  if (motoStarted || restartRest) {
    const stopping: DaemonName[] = motoStarted ? ['host', 'shim', 'discord', 'moto'] : ['host', 'shim', 'discord'];
    for (const name of stopping) {
      const record = state.daemons[name];
      if (record) await stopProcess(record);
      delete state.daemons[name];
    }
    await reassignPorts(state, motoStarted);
    await saveState(state);
  }
  for (const name of DAEMONS) {
    if (state.daemons[name]) continue;
    onStart(name);
    state.daemons[name] = await startDaemon(name, state);
    await saveState(state);
    started.push(name);
  }
  if (motoStarted) state.provisioned = undefined;
  await saveState(state);
  return { state, started, motoStarted };
}

/** Keep the recorded ports when they are free; move the ones something else took meanwhile. */
async function reassignPorts(state: SandboxState, includingMoto: boolean): Promise<void> {
  const taken = new Set<number>();
  const ports = { ...state.ports };
  for (const name of ['moto', 'discord', 'shim'] as const) {
    if (name === 'moto' && !includingMoto) {
      taken.add(ports.moto);
      continue;
    }
    if (!(await isFree(ports[name])) || taken.has(ports[name])) ports[name] = await choosePort(ports[name] + 1, taken);
    else taken.add(ports[name]);
  }
  state.ports = ports;
  state.endpoints = endpoints(ports);
}

export interface DownResult {
  stopped: { name: string; pid: number }[];
  purged: boolean;
}

/** Stops exactly what `up` started (PID and start time both match), then the state goes stale. */
export async function sandboxDown(dir: string, options: { purge?: boolean } = {}): Promise<DownResult> {
  const files = sandboxFiles(dir);
  const state = await readState(dir);
  const stopped: DownResult['stopped'] = [];
  const signalled: { name: string; pid: number; startTime?: string }[] = [];
  // The host first: it stops the bots gracefully (SIGTERM, 10 s) and flushes their logs.
  for (const name of ['host', 'shim', 'discord', 'moto'] as const) {
    const record = state?.daemons[name];
    if (!record) continue;
    if (isSameProcess(record)) {
      await stopProcess(record, name === 'host' ? 25_000 : 10_000);
      stopped.push({ name, pid: record.pid });
      signalled.push({ name, ...record });
    }
    delete state!.daemons[name];
  }
  // Bots a killed host could not stop.
  const instances = await readJson<InstancesState>(files.instances);
  for (const instance of Object.values(instances?.instances ?? {})) {
    // Containers (systemd mode) the host could not power off in time: powered off here.
    if (instance.machine) {
      const { reapMachine } = await import('../emulators/machine/machine.js');
      if (existsSync(`/proc/${instance.machine.leader}`))
        stopped.push({ name: instance.id, pid: instance.machine.leader });
      await reapMachine(files.instanceDir(instance.id), instance.machine.leader);
      continue;
    }
    for (const [unit, record] of Object.entries(instance.units ?? {})) {
      if (record.pid && isSameProcess({ pid: record.pid, startTime: record.startTime })) {
        await stopProcess({ pid: record.pid, startTime: record.startTime });
        stopped.push({ name: `${instance.id} ${unit}`, pid: record.pid });
        signalled.push({ name: `${instance.id} ${unit}`, pid: record.pid, startTime: record.startTime });
      }
    }
  }
  // Processes of this folder that the state files no longer record (they were lost or rewritten).
  for (const orphan of findProcessesOf(dir)) {
    if (!isSameProcess(orphan)) continue;
    await stopProcess(orphan, orphan.name === 'host' ? 25_000 : 10_000);
    stopped.push({ name: `${orphan.name} (unrecorded)`, pid: orphan.pid });
    signalled.push(orphan);
  }
  const survivors = signalled.filter((s) => isSameProcess(s));
  if (survivors.length) {
    throw new UserError(
      'the sandbox did not stop completely',
      `still running: ${survivors.map((s) => `${s.name} (pid ${s.pid})`).join(', ')}`,
      {
        fix: `kill -9 ${survivors.map((s) => s.pid).join(' ')} && ydeploy sandbox down`,
      },
    );
  }
  await rm(files.instances, { force: true });
  if (options.purge) {
    await rm(dir, { recursive: true, force: true });
    return { stopped, purged: true };
  }
  if (state) {
    state.provisioned = undefined;
    await saveState(state);
  }
  return { stopped, purged: false };
}
