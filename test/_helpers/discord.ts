// The Discord emulator for a test file: in-process, on 127.0.0.1 and a free port.
import {
  startDiscordEmulator,
  type DiscordEmulator,
  type DiscordEmulatorOptions,
} from '../../cli/sandbox/emulators/discord/index.js';
import { freePort } from './ports.js';

export type { DiscordEmulator };

export async function startEmulator(options: Partial<DiscordEmulatorOptions> = {}): Promise<DiscordEmulator> {
  return startDiscordEmulator({ host: '127.0.0.1', port: await freePort(), tokens: [], ...options });
}

export interface InteractionSummary {
  id: string;
  sentAt: number;
  answered: boolean;
  attempts: number;
  answeredBy: string[];
  content?: string;
  latencyMs?: number;
  deliveredTo: { session: string; instance?: string }[];
  answers: { instance?: string; accepted: boolean; rejected?: string; latencyMs: number }[];
}

/** Sends a slash command through the control API; waits up to waitMs for the first answer. */
export async function sendCommand(emulator: DiscordEmulator, name: string, waitMs = 0): Promise<InteractionSummary> {
  const res = await fetch(`${emulator.controlUrl}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, waitMs }),
  });
  if (!res.ok) throw new Error(`sending /${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as InteractionSummary;
}

export async function interactionOf(emulator: DiscordEmulator, id: string): Promise<InteractionSummary> {
  return (await (await fetch(`${emulator.controlUrl}/interactions/${id}`)).json()) as InteractionSummary;
}

export async function control(emulator: DiscordEmulator, path: string, body: unknown = {}): Promise<any> {
  const res = await fetch(`${emulator.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}
