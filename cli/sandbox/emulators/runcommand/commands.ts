// What SSM Run Command does on an instance, done for real: AWS-RunShellScript runs the commands
// with bash in the environment that instance would see (its health port, readiness file, control
// socket, release dir), and the outcome is kept for GetCommandInvocation and friends.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import type { HostedInstance } from '../../state-files.js';

export type InvocationStatus = 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

/**
 * An instance whose SSM agent cannot be reached (agent stopped, network cut) is simulated by a
 * file of this name in its folder: it reports ConnectionLost, and commands sent to it stay
 * Pending until it is back or their delivery timeout passes (then TimedOut, "DeliveryTimedOut"),
 * as SSM does. Its bot keeps running.
 */
export const AGENT_OFFLINE_FILE = 'ssm-agent.offline';

export function agentOffline(instancesFile: string, instanceId: string): boolean {
  return existsSync(join(dirname(instancesFile), 'instances', instanceId, AGENT_OFFLINE_FILE));
}

export interface Invocation {
  commandId: string;
  instanceId: string;
  status: InvocationStatus;
  responseCode: number;
  stdout: string;
  stderr: string;
  /** SSM's StatusDetails where it differs from the status (e.g. DeliveryTimedOut). */
  details?: string;
  startedAt?: Date;
  endedAt?: Date;
  child?: ChildProcess;
  /** The connection to a systemd-mode instance's SSM agent running the command. */
  agent?: Socket;
  timer?: NodeJS.Timeout;
}

export interface CommandRecord {
  commandId: string;
  documentName: string;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  targets: { Key: string; Values: string[] }[];
  requestedAt: Date;
  executionTimeout: number;
  /** How long a command may wait for an unreachable agent (SendCommand's TimeoutSeconds). */
  deliveryTimeout: number;
  invocations: Map<string, Invocation>;
}

/** Output kept per stream; SSM returns only the first 24,000 characters anyway. */
const KEEP = 1024 * 1024;
/** Commands kept in memory; the oldest are forgotten first (SSM keeps 30 days). */
const HISTORY = 2000;

export interface RunEnvironment {
  /** PATH entries put first: the systemctl/journalctl shims. */
  binDir: string;
  instancesFile: string;
  baseEnv: Record<string, string>;
}

export class CommandRunner {
  readonly commands = new Map<string, CommandRecord>();

  constructor(private readonly run: RunEnvironment) {}

  get instancesFile(): string {
    return this.run.instancesFile;
  }

  send(
    input: Omit<CommandRecord, 'commandId' | 'requestedAt' | 'invocations'>,
    instances: HostedInstance[],
  ): CommandRecord {
    const record: CommandRecord = {
      ...input,
      commandId: randomUUID(),
      requestedAt: new Date(),
      invocations: new Map(),
    };
    for (const instance of instances) {
      const invocation: Invocation = {
        commandId: record.commandId,
        instanceId: instance.id,
        status: 'Pending',
        responseCode: -1,
        stdout: '',
        stderr: '',
      };
      record.invocations.set(instance.id, invocation);
      // Like the agent: delivered a moment later, not inside the SendCommand call.
      setImmediate(() => this.deliver(record, invocation, instance));
    }
    this.commands.set(record.commandId, record);
    this.forgetOld();
    return record;
  }

  cancel(commandId: string, instanceIds?: string[]): boolean {
    const record = this.commands.get(commandId);
    if (!record) return false;
    for (const invocation of record.invocations.values()) {
      if (instanceIds?.length && !instanceIds.includes(invocation.instanceId)) continue;
      if (invocation.status === 'Pending' || invocation.status === 'InProgress')
        this.finish(invocation, 'Cancelled', -1);
    }
    return true;
  }

  /** Stop everything still running (the shim is shutting down). */
  cancelAll(): void {
    for (const record of this.commands.values()) this.cancel(record.commandId);
  }

  /** Runs the command now, or waits while the instance's agent is offline, up to the delivery timeout. */
  private deliver(record: CommandRecord, invocation: Invocation, instance: HostedInstance): void {
    if (invocation.status !== 'Pending') return;
    if (!agentOffline(this.run.instancesFile, instance.id)) return this.start(record, invocation, instance);
    if (Date.now() - record.requestedAt.getTime() >= record.deliveryTimeout * 1000) {
      invocation.details = 'DeliveryTimedOut';
      return this.finish(invocation, 'TimedOut', -1);
    }
    setTimeout(() => this.deliver(record, invocation, instance), 500).unref();
  }

  private start(record: CommandRecord, invocation: Invocation, instance: HostedInstance): void {
    if (invocation.status !== 'Pending') return;
    if (instance.machine) return this.startInMachine(record, invocation, instance.machine.agentSocket);
    const script = (record.parameters.commands ?? []).join('\n');
    invocation.status = 'InProgress';
    invocation.startedAt = new Date();
    const child = spawn('bash', ['-c', script], {
      cwd: instance.releaseDir,
      env: this.environment(instance),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    invocation.child = child;
    child.stdout!.on(
      'data',
      (chunk: Buffer) => (invocation.stdout = (invocation.stdout + chunk.toString('utf8')).slice(0, KEEP)),
    );
    child.stderr!.on(
      'data',
      (chunk: Buffer) => (invocation.stderr = (invocation.stderr + chunk.toString('utf8')).slice(0, KEEP)),
    );
    child.on('error', (error) => {
      invocation.stderr += `failed to run commands: ${error.message}\n`;
      this.finish(invocation, 'Failed', 1);
    });
    child.on('close', (code, signal) => {
      if (invocation.status !== 'InProgress') return;
      const exit = code ?? (signal ? 128 + (signalNumber(signal) ?? 0) : 1);
      this.finish(invocation, exit === 0 ? 'Success' : 'Failed', exit);
    });
    this.armTimeout(record, invocation);
  }

  /** The command's execution timeout, as SSM applies it: exit 124 and TimedOut. */
  private armTimeout(record: CommandRecord, invocation: Invocation): void {
    invocation.timer = setTimeout(() => {
      if (invocation.status !== 'InProgress') return;
      invocation.stderr += `\nfailed to run commands: exit status 124 (execution timed out after ${record.executionTimeout}s)\n`;
      this.finish(invocation, 'TimedOut', 124);
    }, record.executionTimeout * 1000);
    invocation.timer.unref();
  }

  /**
   * A systemd-mode instance: the script goes to its SSM agent stand-in, which runs it as root in
   * the agent's environment. An agent that does not answer (stopped, instance still booting) is
   * an offline agent: the command waits for it up to its delivery timeout, as SSM's does.
   */
  private startInMachine(record: CommandRecord, invocation: Invocation, agentSocket: string): void {
    const script = (record.parameters.commands ?? []).join('\n');
    let socket: Socket;
    try {
      socket = connect(agentSocket);
    } catch (error) {
      invocation.stderr += `the SSM agent cannot be reached at ${agentSocket}: ${(error as Error).message}\n`;
      return this.finish(invocation, 'Failed', 1);
    }
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      if (invocation.status !== 'Pending') return void socket.destroy();
      invocation.status = 'InProgress';
      invocation.startedAt = new Date();
      invocation.agent = socket;
      socket.write(`${JSON.stringify({ script })}\n`);
      this.armTimeout(record, invocation);
    });
    createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => {
      let message: { stdout?: string; stderr?: string; exit?: number | null; signal?: string | null };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return;
      }
      if (message.stdout !== undefined) invocation.stdout = (invocation.stdout + message.stdout).slice(0, KEEP);
      if (message.stderr !== undefined) invocation.stderr = (invocation.stderr + message.stderr).slice(0, KEEP);
      if ('exit' in message && invocation.status === 'InProgress') {
        const exit = message.exit ?? (message.signal ? 128 + (signalNumber(message.signal) ?? 0) : 1);
        this.finish(invocation, exit === 0 ? 'Success' : 'Failed', exit);
      }
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (!connected) {
        // Not delivered: try again while the delivery timeout allows.
        if (Date.now() - record.requestedAt.getTime() >= record.deliveryTimeout * 1000) {
          invocation.details = 'DeliveryTimedOut';
          return this.finish(invocation, 'TimedOut', -1);
        }
        return void setTimeout(() => this.startInMachine(record, invocation, agentSocket), 500).unref();
      }
      if (invocation.status === 'InProgress') {
        invocation.stderr += '\nthe SSM agent stopped while the command ran\n';
        this.finish(invocation, 'Failed', 1);
      }
    });
  }

  private finish(invocation: Invocation, status: InvocationStatus, code: number): void {
    invocation.status = status;
    invocation.responseCode = code;
    invocation.endedAt = new Date();
    if (invocation.timer) clearTimeout(invocation.timer);
    invocation.agent?.destroy();
    invocation.agent = undefined;
    const child = invocation.child;
    invocation.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  private environment(instance: HostedInstance): Record<string, string> {
    return {
      ...this.run.baseEnv,
      PATH: `${this.run.binDir}:${this.run.baseEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
      INSTANCE_ID: instance.id,
      YDEPLOY_HEALTH_PORT: String(instance.healthPort),
      YDEPLOY_READY_FILE: instance.readyFile,
      YDEPLOY_CONTROL_SOCKET: instance.controlSocket,
      YDEPLOY_RELEASE_DIR: instance.releaseDir,
      YDEPLOY_SANDBOX_INSTANCES: this.run.instancesFile,
    };
  }

  private forgetOld(): void {
    if (this.commands.size <= HISTORY) return;
    for (const [id, record] of this.commands) {
      if (this.commands.size <= HISTORY) break;
      const running = [...record.invocations.values()].some((i) => i.status === 'Pending' || i.status === 'InProgress');
      if (!running) this.commands.delete(id);
    }
  }
}

function signalNumber(name: string): number | undefined {
  const table: Record<string, number> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGPIPE: 13,
    SIGTERM: 15,
  };
  return table[name];
}
