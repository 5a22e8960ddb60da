// Bot and health server processes for tests: from the sources (tsx) or from a built release,
// on 127.0.0.1 and free ports, output captured, stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RELEASE_ENTRIES } from '../../cli/release/build.js';
import { freePort } from './ports.js';

const root = new URL('../../', import.meta.url).pathname;

export interface Proc {
  pid: number;
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Sends the signal and resolves with the exit and how long it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** Where the process comes from: the TypeScript sources, or a release directory. */
export type Source = { release?: string };

export function spawnEntry(
  entry: 'bot' | 'health' | 'botctl',
  env: Record<string, string>,
  source: Source = {},
  args: string[] = [],
): Proc {
  const file = `${entry}.mjs` as const;
  const argv = source.release
    ? [join(source.release, file), ...args]
    : ['--import', 'tsx', join(root, RELEASE_ENTRIES[file]), ...args];
  const child = spawn(process.execPath, argv, {
    cwd: source.release ?? root,
    env: { PATH: process.env.PATH!, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return {
    pid: child.pid!,
    child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      const sent = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const done = await exited;
      return { code: done.code, signal: done.signal, ms: done.at - sent };
    },
  };
}

/** A fresh directory for one bot's readiness file and control socket (short: unix socket paths ≤ 107). */
export function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'ydb-'));
}

export interface BotSetup {
  api: string;
  token: string;
  dir: string;
  instanceId?: string;
  role?: 'active' | 'standby';
  version?: string;
  extra?: Record<string, string>;
}

export function botEnv(setup: BotSetup): Record<string, string> {
  return {
    DISCORD_TOKEN: setup.token,
    DISCORD_API: setup.api,
    READY_FILE: join(setup.dir, 'bot-ready'),
    CONTROL_SOCKET: join(setup.dir, 'control.sock'),
    INSTANCE_ID: setup.instanceId ?? 'i-test',
    RELEASE_VERSION: setup.version ?? 'v-test',
    BOT_ROLE: setup.role ?? 'active',
    HEARTBEAT_MS: '500',
    HEALTH_STALE_MS: '3000',
    ...setup.extra,
  };
}

export async function startHealth(env: Record<string, string>, source: Source = {}): Promise<Proc & { url: string }> {
  const port = await freePort();
  const proc = spawnEntry(
    'health',
    { HEALTH_HOST: '127.0.0.1', HEALTH_PORT: String(port), HEARTBEAT_MS: '500', HEALTH_STALE_MS: '3000', ...env },
    source,
  );
  const url = `http://127.0.0.1:${port}/health`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`health server exited: ${proc.output()}`);
    if (await probe(url).catch(() => undefined)) return { ...proc, url };
    await sleep(25);
  }
  throw new Error(`health server did not listen on ${url}: ${proc.output()}`);
}

export async function probe(url: string): Promise<{ code: number; body: any }> {
  const res = await fetch(url);
  return { code: res.status, body: await res.json() };
}

/** Polls until /health reports `status`; returns when it did (ms from `since`). */
export async function waitForStatus(
  url: string,
  status: string,
  timeoutMs: number,
  since = Date.now(),
): Promise<{ ms: number; body: any }> {
  let last: unknown;
  while (Date.now() - since < timeoutMs) {
    const result = await probe(url).catch((error) => ({ code: 0, body: { error: String(error) } }));
    last = result.body;
    if (result.body.status === status) return { ms: Date.now() - since, body: result.body };
    await sleep(10);
  }
  throw new Error(`health did not become ${status} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resident memory of a process, MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}
