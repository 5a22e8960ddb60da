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
export function activateScript(options: { after?: string; afterShards?: AfterShards; peerActive?: boolean }): string {
  if (options.after !== undefined && !isAfter(options.after))
    throw new Error(`activate --after ${JSON.stringify(options.after)}: expected a snowflake id or a timestamp`);
  const args = [
    options.afterShards
      ? `--after-shards ${shellQuote(afterShardsArgument(options.afterShards))}`
      : options.after !== undefined
        ? `--after ${shellQuote(options.after)}`
        : '--force',
  ];
  if (options.peerActive) args.push('--peer-active');
  return botctl('activate', ...args);
}

/**
 * A resharding cut: the old set's shard count and, per old shard, the "after" its instance
 * stepped down with. A new bot answers a buffered interaction in guild g iff it came after the
 * after of g's old shard ((g >> 22) % count), so each interaction is answered by exactly one set.
 */
export interface AfterShards {
  count: number;
  afters: string[];
}

/** "<count>:<after0>,<after1>,..." — digits only, checked like a single after. */
export function afterShardsArgument(cut: AfterShards): string {
  if (!Number.isInteger(cut.count) || cut.count < 1 || cut.afters.length !== cut.count)
    throw new Error(`activate --after-shards: ${cut.afters.length} afters for ${cut.count} shards`);
  const bad = cut.afters.find((after) => !isAfter(after));
  if (bad !== undefined)
    throw new Error(`activate --after-shards ${JSON.stringify(bad)}: expected a snowflake id or a timestamp`);
  return `${cut.count}:${cut.afters.join(',')}`;
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
