// The sandbox's two state files. sandbox.json (written by `sandbox up`): ports, endpoints, keys,
// the PID of each daemon. instances.json (written by the instance host, read by the Run Command
// shim and the systemctl/journalctl shims): what each hosted instance runs and where.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type DaemonName = 'moto' | 'shim' | 'host' | 'discord';
export const DAEMONS: DaemonName[] = ['moto', 'discord', 'shim', 'host'];

export interface DaemonRecord {
  pid: number;
  /** Kernel start time of the process (/proc/<pid>/stat field 22): proves a PID was not reused. */
  startTime: string;
  command: string[];
  log: string;
  port?: number;
  startedAt: string;
}

export interface SandboxState {
  version: 1;
  dir: string;
  createdAt: string;
  project: string;
  environment: 'sandbox';
  region: string;
  /** The sandbox's own credentials: the shim refuses any other access key. */
  accessKeyId: string;
  secretAccessKey: string;
  /** The Discord token the emulator accepts. Never printed; kept in this 0600 file and moto SSM. */
  discordToken: string;
  tokenParameter: string;
  stateBucket: string;
  releaseBucket: string;
  logGroup: string;
  ports: { moto: number; shim: number; discord: number; healthBase: number };
  endpoints: { aws: string; ssm: string; discordApi: string; discordControl: string };
  daemons: Partial<Record<DaemonName, DaemonRecord>>;
  /** How the instance host boots instances (absent: process, as sandboxes made before systemd mode). */
  instances?: InstancesMode;
  /** Set once the starting point (buckets, token, release, legacy instance) is in moto. */
  provisioned?: { at: string; motoStartTime: string; release: string | null; seconds: number; instanceId?: string };
}

export type UnitName = 'bot' | 'health';
export type UnitStatus = 'activating' | 'active' | 'deactivating' | 'inactive' | 'failed';

export interface UnitRecord {
  status: UnitStatus;
  pid?: number;
  startTime?: string;
  since?: string;
  restarts: number;
  lastExit?: { code: number | null; signal: string | null; at: string };
  log: string;
}

export interface HostedInstance {
  id: string;
  /** legacy or enhanced: the instance's Role tag. */
  kind: string;
  release: string;
  tags: Record<string, string>;
  privateIp?: string;
  healthPort: number;
  readyFile: string;
  controlSocket: string;
  releaseDir: string;
  botRole: 'active' | 'standby';
  startedAt: string;
  units: Record<UnitName, UnitRecord>;
  /** A systemd-mode instance: its container, and where its SSM agent stand-in listens. */
  machine?: { leader: number; agentSocket: string; console: string; healthPortInside: number };
}

export type InstancesMode = 'systemd' | 'process';

export interface InstancesState {
  hostPid: number;
  /** How instances boot: containers running systemd, or the bot's processes run directly. */
  mode?: InstancesMode;
  updatedAt: string;
  /** Last successful DescribeInstances, so a moto outage is visible. */
  lastPollAt?: string;
  lastError?: string;
  instances: Record<string, HostedInstance>;
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Temp + rename: readers never see half a file. */
export async function writeJson(file: string, value: unknown, mode = 0o600): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  await rename(temp, file);
}
