// The bot's control commands (bot/botctl.ts), run through SSM Run Command. Pure builders and
// the parser of what botctl prints: one JSON answer line (bot/contracts/botctl.ts).
import type { BotctlCommand } from '../../../bot/contracts/botctl.js';
import { botctlAnswerSchema, type BotctlAnswer } from '../../../bot/contracts/schemas.js';
import { isAfter, shellQuote } from '../shell.js';

export type { BotctlAnswer };

const BOTCTL = 'node "${YDEPLOY_RELEASE_DIR:-/opt/discord-bot/current}/botctl.mjs"';

function botctl(cmd: BotctlCommand, ...args: string[]): string {
  return [BOTCTL, cmd, ...args].join(' ');
}

export function stepDownScript(): string {
  return botctl('step-down');
}

/**
 * `after`: the old bot's step-down "after" (its last handled interaction), so the new one
 * answers exactly what came later. Without it (old unreachable and stopped, or a hand-back)
 * --force: the bot answers the buffered interactions Discord has no response for, and no
 * buffered message, since the old bot may have handled it. `after` comes from another instance's
 * output, so it must be digits (a snowflake or a millisecond timestamp), and it is quoted too.
 */
export function activateScript(options: { after?: string; peerActive?: boolean }): string {
  if (options.after !== undefined && !isAfter(options.after))
    throw new Error(`activate --after ${JSON.stringify(options.after)}: expected a snowflake id or a timestamp`);
  const args = [options.after !== undefined ? `--after ${shellQuote(options.after)}` : '--force'];
  if (options.peerActive) args.push('--peer-active');
  return botctl('activate', ...args);
}

export function statusScript(): string {
  return botctl('status');
}

/** The last line botctl printed, if it is its JSON answer. */
export function parseBotctl(stdout: string): BotctlAnswer | undefined {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = botctlAnswerSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
