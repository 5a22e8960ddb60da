// Starting the sandbox's daemons: detached (they outlive `sandbox up`), output to a log file in
// the state folder, each recorded by PID and kernel start time, each waited for until it answers.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { programCommand } from '../programs.js';
import { sandboxFiles } from '../layout.js';
import { isSameProcess, processStartTime } from '../process.js';
import {
  readJson,
  type DaemonName,
  type DaemonRecord,
  type InstancesState,
  type SandboxState,
} from '../state-files.js';

const READY_TIMEOUT_MS = 30_000;

function daemonCommand(name: DaemonName, state: SandboxState): { command: string[]; env: NodeJS.ProcessEnv } {
  if (name === 'moto') {
    return {
      command: ['moto_server', '-H', '127.0.0.1', '-p', String(state.ports.moto)],
      env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    };
  }
  return { command: [...programCommand(name), state.dir], env: { ...process.env, NODE_NO_WARNINGS: '1' } };
}

export async function startDaemon(name: DaemonName, state: SandboxState): Promise<DaemonRecord> {
  const { command, env } = daemonCommand(name, state);
  const log = sandboxFiles(state.dir).daemonLog(name);
  await mkdir(dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  let child;
  try {
    child = spawn(command[0], command.slice(1), { cwd: state.dir, env, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const spawned = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', (error) => reject(new Error(`cannot start ${command[0]}: ${error.message}`)));
  });
  child.unref();
  const record: DaemonRecord = {
    pid: spawned,
    startTime: processStartTime(spawned) ?? '',
    command,
    log,
    port: name === 'host' ? undefined : state.ports[name],
    startedAt: new Date().toISOString(),
  };
  await waitReady(name, state, record);
  return record;
}

async function waitReady(name: DaemonName, state: SandboxState, record: DaemonRecord): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isSameProcess(record)) throw new Error(`${name} exited during start-up: ${await tail(record.log)}`);
    if (await answers(name, state, record)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not become ready within ${READY_TIMEOUT_MS / 1000}s: ${await tail(record.log)}`);
}

/** Is the daemon up and answering? */
export async function answers(name: DaemonName, state: SandboxState, record?: DaemonRecord): Promise<boolean> {
  try {
    switch (name) {
      case 'moto':
        return (await statusOf(`${state.endpoints.aws}/moto-api/`, 10_000)) < 500;
      case 'discord':
        return ok(await statusOf(`${state.endpoints.discordControl}/`, 5000));
      case 'shim':
        return ok(await statusOf(`${state.endpoints.ssm}/__ydeploy/health`, 5000));
      case 'host': {
        const instances = await readJson<InstancesState>(sandboxFiles(state.dir).instances);
        return instances?.hostPid === (record ?? state.daemons.host)?.pid;
      }
    }
  } catch {
    return false;
  }
}

const ok = (status: number) => status >= 200 && status < 300;

/**
 * The HTTP status of a GET, the body discarded. node:http rather than fetch: every `--env sandbox`
 * command asks this first, and fetch's first call loads undici (tens of MiB, most of a second).
 */
function statusOf(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    }).once('error', reject);
  });
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lines = text.trim().split('\n').slice(-8).join('\n  ');
  return lines ? `\n  ${lines}\n  (log: ${file})` : `no output (log: ${file})`;
}

export function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The preferred port when free, else the next free one above it (below 32768). */
export async function choosePort(preferred: number, taken: Set<number>): Promise<number> {
  for (let port = preferred; port < Math.max(preferred + 400, 32768) && port < 65535; port++) {
    if (taken.has(port)) continue;
    if (await isFree(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port from ${preferred}`);
}
