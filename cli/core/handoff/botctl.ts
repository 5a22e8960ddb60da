// The bot's control commands (bot/botctl.ts), run through SSM Run Command. Pure builders and
// parsers. botctl prints one JSON object; exit 0 done, 1 bot unreachable, 2 usage, 3 refused.
import { z } from 'zod';

const BOTCTL = 'node "${YDEPLOY_RELEASE_DIR:-/opt/discord-bot/current}/botctl.mjs"';

export function stepDownScript(): string {
  return `${BOTCTL} step-down`;
}

/**
 * `after`: the old bot's step-down "after" (its last handled interaction), so the new one
 * answers exactly what came later. Without it (old unreachable) --force: nothing buffered is
 * answered, since the old bot may have answered it.
 */
export function activateScript(options: { after?: string; peerActive?: boolean }): string {
  const parts = [BOTCTL, 'activate'];
  parts.push(options.after !== undefined ? `--after ${options.after}` : '--force');
  if (options.peerActive) parts.push('--peer-active');
  return parts.join(' ');
}

export function statusScript(): string {
  return `${BOTCTL} status`;
}

const answerSchema = z.object({ ok: z.boolean(), role: z.enum(['active', 'standby']).optional(), after: z.string().optional(), message: z.string().optional(), error: z.string().optional() }).passthrough();
export type BotctlAnswer = z.infer<typeof answerSchema>;

/** The last line botctl printed, if it is its JSON answer. */
export function parseBotctl(stdout: string): BotctlAnswer | undefined {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = answerSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
