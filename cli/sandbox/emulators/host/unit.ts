// One systemd-like service of an instance (discord-bot or discord-health): a real process whose
// output lines go to its journal file and to CloudWatch, restarted as the units' policy says.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { processStartTime } from '../../process.js';
import type { UnitName, UnitRecord, UnitStatus } from '../../state-files.js';

/** Restart=on-failure with RestartSec growing 1 s, 2 s, 4 s... up to 10 s. */
export const RESTART_DELAY_MS = 1000;
export const RESTART_DELAY_MAX_MS = 10_000;
/** StartLimitBurst=5 within StartLimitIntervalSec=60: then the unit is failed and stays down. */
export const START_LIMIT_BURST = 5;
export const START_LIMIT_INTERVAL_MS = 60_000;
/** TimeoutStopSec=10: SIGTERM, then SIGKILL. */
export const STOP_TIMEOUT_MS = 10_000;

export interface UnitSpec {
  name: UnitName;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  /** The unit's journal: one line per output line. */
  journal: string;
  onLine(line: string, timestamp: number): void;
  onChange(): void;
}

export class Unit {
  private child?: ChildProcess;
  private journal?: WriteStream;
  private status: UnitStatus = 'inactive';
  private since = new Date();
  private starts: number[] = [];
  private restarts = 0;
  private lastExit?: UnitRecord['lastExit'];
  private restartTimer?: NodeJS.Timeout;
  private stopping = false;
  private startTime?: string;

  constructor(private readonly spec: UnitSpec) {}

  start(): void {
    this.stopping = false;
    this.launch();
  }

  record(): UnitRecord {
    return {
      status: this.status,
      pid: this.child?.pid,
      startTime: this.startTime,
      since: this.since.toISOString(),
      restarts: this.restarts,
      lastExit: this.lastExit,
      log: this.spec.journal,
    };
  }

  /** SIGTERM (or `signal`), then SIGKILL after the stop timeout; resolves once the process is gone. */
  async stop(timeoutMs = STOP_TIMEOUT_MS, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.set('inactive');
      this.journal?.end();
      return;
    }
    this.set('deactivating');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    this.journal?.end();
  }

  /** SIGKILL at once, as a power-off would; resolves once the process is gone. */
  async kill(): Promise<void> {
    return this.stop(0, 'SIGKILL');
  }

  private launch(): void {
    const now = Date.now();
    this.starts = [...this.starts.filter((t) => now - t < START_LIMIT_INTERVAL_MS), now];
    this.journal ??= createWriteStream(this.spec.journal, { flags: 'a' });
    const [command, ...args] = this.spec.command;
    const child = spawn(command, args, { cwd: this.spec.cwd, env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startTime = child.pid ? processStartTime(child.pid) : undefined;
    this.set('active');
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.line(line, child.pid));
    }
    child.on('error', (error) => this.line(`failed to start: ${error.message}`, child.pid));
    child.on('exit', (code, signal) => this.exited(child, code, signal));
  }

  private line(line: string, pid?: number): void {
    const timestamp = Date.now();
    this.journal?.write(`${new Date(timestamp).toISOString()} ${pid ?? '-'} ${line}\n`);
    this.spec.onLine(line, timestamp);
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.lastExit = { code, signal, at: new Date().toISOString() };
    this.startTime = undefined;
    if (this.stopping) return this.set('inactive');
    // Restart=on-failure: a clean exit (0) stays down, anything else is restarted.
    if (code === 0) return this.set('inactive');
    if (this.starts.length >= START_LIMIT_BURST) {
      this.line(
        `start request repeated too quickly (${START_LIMIT_BURST} starts in ${START_LIMIT_INTERVAL_MS / 1000}s): failed`,
      );
      return this.set('failed');
    }
    const delay = Math.min(RESTART_DELAY_MS * 2 ** (this.starts.length - 1), RESTART_DELAY_MAX_MS);
    this.line(`main process exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000}s`);
    this.set('activating');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restarts++;
      this.launch();
    }, delay);
  }

  private set(status: UnitStatus): void {
    if (status !== this.status) this.since = new Date();
    this.status = status;
    this.spec.onChange();
  }
}
