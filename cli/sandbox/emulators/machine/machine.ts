// One systemd-mode instance: a container booting systemd (systemd-nspawn -b) from the cached root
// filesystem under a copy-on-write overlay of its own, in its own network namespace (nothing but
// loopback; the relay gives it the sandbox's endpoints and IMDS), with the user data terraform
// rendered in cloud-init's place. Stopping it is a clean shutdown of the whole OS (systemd stops
// the units in order); killing it is a power-off.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLOUD_INIT_LOG, DNF_LOG, EXCHANGE_MOUNT, SANDBOX_MOUNT, USER_DATA_PATH } from './image.js';
import type { RelayConfig } from './relay.js';

export interface MachineSpec {
  id: string;
  /** The instance's folder in the sandbox (logs, the overlay, the exchange folder). */
  dir: string;
  rootfs: string;
  userData: string;
  hostname: string;
  /** systemd's DefaultEnvironment: what the region's endpoints are to every unit of the instance. */
  defaultEnvironment: Record<string, string>;
  /** Read-only bind mounts at the same path inside (this machine's node, AWS CLI, the sandbox's programs). */
  readOnly: { source: string; target: string }[];
  /** The per-sandbox folder mounted at /opt/ydeploy-sandbox. */
  sandboxMount: string;
  /** How to run the relay inside the namespace: the node command line without its config argument. */
  relayCommand: string[];
  relay: Omit<RelayConfig, 'imdsFacts'>;
  log(line: string): void;
}

export interface MachinePaths {
  root: string;
  upper: string;
  work: string;
  exchange: string;
  console: string;
  relayLog: string;
  imdsFacts: string;
}

export function machinePaths(dir: string): MachinePaths {
  const m = join(dir, 'machine');
  return {
    root: join(m, 'root'),
    upper: join(m, 'upper'),
    work: join(m, 'work'),
    // The SSM agent's socket is in here: a deep sandbox folder gets a short path instead.
    exchange: shortDir(join(m, 'exchange')),
    console: join(dir, 'console.log'),
    relayLog: join(dir, 'relay.log'),
    imdsFacts: join(shortDir(join(m, 'exchange')), 'imds.json'),
  };
}

export class Machine {
  readonly paths: MachinePaths;
  private nspawn?: ChildProcess;
  private relay?: ChildProcess;
  leader?: number;
  private exited?: Promise<void>;

  constructor(readonly spec: MachineSpec) {
    this.paths = machinePaths(spec.dir);
  }

  /**
   * Mounts the overlay, lays the instance's own files in it, calls `prepared` (the host writes
   * what IMDS serves into the exchange folder), and boots. Resolves once systemd runs.
   */
  async boot(prepared: () => Promise<void> = async () => {}): Promise<void> {
    const p = this.paths;
    await unmount(p.root);
    await rm(join(this.spec.dir, 'machine'), { recursive: true, force: true });
    await rm(p.exchange, { recursive: true, force: true });
    for (const d of [p.root, p.upper, p.work, p.exchange]) await mkdir(d, { recursive: true });
    await execa('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${this.spec.rootfs},upperdir=${p.upper},workdir=${p.work}`,
      p.root,
    ]);
    await this.layInstanceFiles();
    await prepared();
    const args = [
      '--quiet',
      `--directory=${p.root}`,
      '--boot',
      '--register=no',
      '--keep-unit',
      '--private-network',
      `--machine=${this.spec.id}`,
      `--hostname=${this.spec.hostname}`,
      '--console=passive',
      `--bind=${p.exchange}:${EXCHANGE_MOUNT}`,
      `--bind-ro=${this.spec.sandboxMount}:${SANDBOX_MOUNT}`,
      ...this.spec.readOnly.map((b) => `--bind-ro=${b.source}:${b.target}`),
    ];
    const out = openSync(p.console, 'a');
    try {
      this.nspawn = spawn('systemd-nspawn', args, { stdio: ['ignore', out, out], detached: true });
    } finally {
      closeSync(out);
    }
    const nspawn = this.nspawn;
    this.exited = new Promise((resolve) => nspawn.once('exit', () => resolve()));
    nspawn.once('exit', (code, signal) => {
      this.spec.log(`instance ${this.spec.id}: its container exited (${signal ?? `code ${code}`})`);
      this.relay?.kill('SIGTERM');
    });
    this.leader = await this.findLeader(nspawn);
    await this.startRelay();
  }

  /** A command inside the instance, as root, in all its namespaces (nsenter). */
  exec(command: string[], options: { timeoutMs?: number } = {}) {
    if (!this.leader) throw new Error(`instance ${this.spec.id} is not running`);
    return execa('nsenter', [`--target=${this.leader}`, '--all', '--', ...command], {
      reject: false,
      timeout: options.timeoutMs ?? 30_000,
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
      extendEnv: false,
    });
  }

  /** A clean shutdown (systemd stops every unit in order), a power-off after `timeoutMs`. */
  async poweroff(timeoutMs = 30_000): Promise<void> {
    if (!this.nspawn || this.nspawn.exitCode !== null || this.nspawn.signalCode !== null) return this.cleanup();
    // systemd-nspawn turns SIGTERM into a clean shutdown of the container.
    this.nspawn.kill('SIGTERM');
    const timer = setTimeout(() => void this.kill(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    await this.cleanup();
  }

  /** Power-off: every process of the instance is killed at once (SIGKILL to its init). */
  async kill(): Promise<void> {
    if (this.leader) signalPid(this.leader, 'SIGKILL');
    if (this.nspawn && this.nspawn.exitCode === null) this.nspawn.kill('SIGKILL');
    await this.exited;
    await this.cleanup();
  }

  get running(): boolean {
    return !!this.nspawn && this.nspawn.exitCode === null && this.nspawn.signalCode === null;
  }

  private async cleanup(): Promise<void> {
    this.relay?.kill('SIGTERM');
    await unmount(this.paths.root);
    if (!this.paths.exchange.startsWith(this.spec.dir)) await rm(this.paths.exchange, { recursive: true, force: true });
  }

  private async layInstanceFiles(): Promise<void> {
    const root = this.paths.root;
    const put = async (path: string, content: string, mode: number) => {
      const target = join(root, path);
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, content);
      await chmod(target, mode);
    };
    await put(USER_DATA_PATH, this.spec.userData, 0o700);
    await put('/etc/hostname', `${this.spec.hostname}\n`, 0o644);
    // As cloud-init writes it on an AMI: localhost and the instance's own name.
    await put(
      '/etc/hosts',
      `127.0.0.1 localhost localhost.localdomain\n::1 localhost ip6-localhost ip6-loopback\n127.0.1.1 ${this.spec.hostname}\n`,
      0o644,
    );
    await put(
      '/etc/systemd/system.conf.d/ydeploy-sandbox.conf',
      `# The region's endpoints as every unit of this instance reaches them (the sandbox's, relayed).\n[Manager]\nDefaultEnvironment=${Object.entries(
        this.spec.defaultEnvironment,
      )
        .map(([k, v]) => `"${k}=${v}"`)
        .join(' ')}\n`,
      0o644,
    );
    // Nothing from a previous boot: the log files are the instance's own.
    for (const log of [CLOUD_INIT_LOG, DNF_LOG]) await rm(join(root, log), { force: true });
  }

  /** The container's init: the child of systemd-nspawn that runs systemd. */
  private async findLeader(nspawn: ChildProcess): Promise<number> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (nspawn.exitCode !== null || nspawn.signalCode !== null)
        throw new Error(`systemd-nspawn exited (${nspawn.signalCode ?? nspawn.exitCode}): see ${this.paths.console}`);
      const children = readChildren(nspawn.pid!);
      for (const pid of children) {
        const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        if (comm === 'systemd') return pid;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`instance ${this.spec.id}: systemd did not start in its container within 15s`);
  }

  private async startRelay(): Promise<void> {
    const net = `--net=/proc/${this.leader}/ns/net`;
    // IMDS's link-local address on the instance's loopback, as EC2 routes it to the hypervisor.
    for (const command of [
      ['ip', 'link', 'set', 'lo', 'up'],
      ['ip', 'addr', 'replace', '169.254.169.254/32', 'dev', 'lo'],
    ]) {
      const run = await execa('nsenter', [net, '--', ...command], { reject: false });
      if (run.exitCode !== 0) throw new Error(`instance ${this.spec.id}: ${command.join(' ')}: ${run.stderr}`);
    }
    const config: RelayConfig = { ...this.spec.relay, imdsFacts: this.paths.imdsFacts };
    const file = join(this.spec.dir, 'machine', 'relay.json');
    await writeFile(file, JSON.stringify(config));
    const out = openSync(this.paths.relayLog, 'a');
    try {
      this.relay = spawn('nsenter', [net, '--', ...this.spec.relayCommand, file], {
        stdio: ['ignore', out, out],
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      });
    } finally {
      closeSync(out);
    }
    await waitForFile(
      config.inbound.map((i) => i.socket),
      10_000,
      () => this.relay?.exitCode !== null,
    );
  }
}

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function waitForFile(paths: string[], timeoutMs: number, failed: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (paths.every((p) => existsSync(p))) return;
    if (failed()) throw new Error('the relay exited during start-up');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the relay did not start within ${timeoutMs / 1000}s`);
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* gone */
  }
}

async function unmount(path: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8');
  if (!mounts.split('\n').some((line) => line.split(' ')[1] === path)) return;
  const run = await execa('umount', [path], { reject: false });
  if (run.exitCode !== 0) await execa('umount', ['--lazy', path], { reject: false });
}

/**
 * Powers off a container a previous instance host left behind (it was killed): its init, if that
 * PID is still a systemd whose root is the instance's overlay, then the overlay itself.
 */
export async function reapMachine(dir: string, leader: number): Promise<void> {
  const { root } = machinePaths(dir);
  try {
    const comm = readFileSync(`/proc/${leader}/comm`, 'utf8').trim();
    const { readlinkSync } = await import('node:fs');
    if (comm === 'systemd' && readlinkSync(`/proc/${leader}/root`) === root) {
      signalPid(leader, 'SIGKILL');
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && existsSync(`/proc/${leader}`)) await new Promise((r) => setTimeout(r, 50));
    }
  } catch {
    /* not running */
  }
  await unmount(root);
}

/** Unix socket paths are limited to ~107 bytes: a deep folder is replaced by a short one under /tmp. */
export function shortDir(dir: string): string {
  if (Buffer.byteLength(dir) <= 80) return dir;
  return join('/tmp', `ydeploy-m-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
}
