// The readiness file (DESIGN.md §4.2): the one channel from the bot to its health server.
// Written atomically (temp file + rename) so a reader never sees half a file.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Role } from '../config.js';

export interface DiscordState {
  ready: boolean;
  ping: number;
  guilds: number;
  /** When the gateway connection was lost (ms), null while connected. */
  lostAt: number | null;
}

export interface Readiness {
  pid: number;
  startedAt: number;
  readyAt: number;
  heartbeatAt: number;
  version: string;
  instanceId: string;
  role: Role;
  /** 'stopping' from the moment a graceful shutdown begins until the file is removed. */
  state: 'ready' | 'stopping';
  discord: DiscordState;
  /** Discord time (ms) of the last interaction this bot handled, for the handoff. */
  lastEventAt: number | null;
  lastInteractionId: string | null;
}

export type ReadResult = { kind: 'missing' } | { kind: 'invalid'; why: string } | { kind: 'ok'; readiness: Readiness };

export function writeReadiness(path: string, readiness: Readiness): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(readiness), { mode: 0o644 });
  renameSync(temp, path);
}

export function removeReadiness(path: string): void {
  rmSync(path, { force: true });
}

export function readReadiness(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'invalid', why: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code}` };
  }
  return parseReadiness(text);
}

export function parseReadiness(text: string): ReadResult {
  let value: any;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', why: 'readiness file is not JSON' };
  }
  const missing = ['pid', 'startedAt', 'readyAt', 'heartbeatAt'].find((key) => !Number.isFinite(value?.[key]));
  if (missing) return { kind: 'invalid', why: `readiness file has no numeric ${missing}` };
  if (value.role !== 'active' && value.role !== 'standby') return { kind: 'invalid', why: `readiness file role ${JSON.stringify(value.role)} is not active or standby` };
  if (typeof value.discord?.ready !== 'boolean') return { kind: 'invalid', why: 'readiness file has no discord.ready' };
  return {
    kind: 'ok',
    readiness: {
      pid: value.pid,
      startedAt: value.startedAt,
      readyAt: value.readyAt,
      heartbeatAt: value.heartbeatAt,
      version: String(value.version ?? 'unknown'),
      instanceId: String(value.instanceId ?? 'unknown'),
      role: value.role,
      state: value.state === 'stopping' ? 'stopping' : 'ready',
      discord: { ready: value.discord.ready, ping: Number(value.discord.ping ?? -1), guilds: Number(value.discord.guilds ?? 0), lostAt: Number.isFinite(value.discord.lostAt) ? value.discord.lostAt : null },
      lastEventAt: Number.isFinite(value.lastEventAt) ? value.lastEventAt : null,
      lastInteractionId: typeof value.lastInteractionId === 'string' ? value.lastInteractionId : null,
    },
  };
}
