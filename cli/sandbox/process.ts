// PIDs are only trusted with their kernel start time: a recorded PID whose start time differs
// was reused by another process, and is never signalled.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { daemonOfCommandLine } from './programs.js';

/** The process's start time as the kernel reports it, or undefined when it is not running. */
export function processStartTime(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    return fields[19];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return psStartTime(pid);
  }
}

function psStartTime(pid: number): string | undefined {
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

export function isSameProcess(record: { pid: number; startTime?: string } | undefined): boolean {
  if (!record?.startTime) return false;
  return processStartTime(record.pid) === record.startTime;
}

export function signal(pid: number, name: NodeJS.Signals, group = false): boolean {
  try {
    process.kill(group ? -pid : pid, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM, wait up to `graceMs`, then SIGKILL (to the whole process group when the process leads
 * one: daemons are spawned detached, so whatever they started goes too). Only if it is still the
 * same process. Resolves true when it is gone.
 */
export async function stopProcess(record: { pid: number; startTime?: string }, graceMs = 10_000): Promise<boolean> {
  if (!isSameProcess(record)) return true;
  const group = isGroupLeader(record.pid);
  // SIGTERM to the process alone: it stops its own children gracefully; SIGKILL takes the group.
  signal(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isSameProcess(record)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  signal(record.pid, 'SIGKILL', group);
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline) {
    if (!isSameProcess(record)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function isGroupLeader(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]) === pid;
  } catch {
    return false;
  }
}

/**
 * Processes the sandbox in `dir` started (they all run with their working directory in it: the
 * daemons in `dir`, the bots in their release folders), found in /proc: the safety net when
 * sandbox.json was lost while they ran. Linux only; elsewhere none.
 */
export function findProcessesOf(dir: string): { pid: number; startTime?: string; name: string }[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const found: { pid: number; startTime?: string; name: string }[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, '');
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      const name = /moto_server/.test(argv)
        ? 'moto'
        : (daemonOfCommandLine(argv) ?? /[\\/](bot|health)\.mjs\b/.exec(argv)?.[1]);
      if (!name) continue;
      found.push({ pid, startTime: processStartTime(pid), name });
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return found;
}
