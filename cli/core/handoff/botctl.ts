// The bot's control commands (bot/botctl), run through SSM Run Command. Pure builders and
// parsers: the release directory and control socket come from the instance's variables.
import { z } from 'zod';

const BOTCTL = 'node "${YDEPLOY_RELEASE_DIR:-/opt/discord-bot/current}/botctl.mjs"';

export function stepDownScript(): string {
  return `${BOTCTL} step-down`;
}

export function activateScript(afterIso: string): string {
  return `${BOTCTL} activate --after ${afterIso}`;
}

export function roleScript(): string {
  return `${BOTCTL} status`;
}

const stepDownSchema = z.object({ role: z.literal('standby').optional(), lastEventAt: z.string().nullable().optional() }).passthrough();
const statusSchema = z.object({ role: z.enum(['active', 'standby']) }).passthrough();

/** botctl prints one JSON object (its last line); anything else is a protocol error. */
function lastJson(stdout: string): unknown {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export function parseStepDown(stdout: string): { lastEventAt?: string } | undefined {
  const parsed = stepDownSchema.safeParse(lastJson(stdout));
  return parsed.success ? { lastEventAt: parsed.data.lastEventAt ?? undefined } : undefined;
}

export function parseRole(stdout: string): 'active' | 'standby' | undefined {
  const parsed = statusSchema.safeParse(lastJson(stdout));
  return parsed.success ? parsed.data.role : undefined;
}
