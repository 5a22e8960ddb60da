// What a bot contains, as the one JSON line `bot.mjs --describe` prints: the build reads the
// slash command definitions for the manifest (and the deploy's command sync) from it.
import { intentBits } from './intents.js';
import { intervalMs } from './interval.js';
import { commandJson } from './define.js';
import type { BotDefinition, SlashCommandData } from './types.js';

export interface BotDescription {
  commands: SlashCommandData[];
  prefix: string;
  messageCommands: string[];
  events: string[];
  jobs: { name: string; everyMs: number }[];
  intents: number[];
}

export const DEFAULT_PREFIX = '!';

export function describeBot(bot: BotDefinition): BotDescription {
  return {
    commands: (bot.commands ?? []).map((command) => commandJson(command)),
    prefix: bot.prefix ?? DEFAULT_PREFIX,
    messageCommands: (bot.messageCommands ?? []).map((command) => command.name),
    events: Object.keys(bot.events ?? {}),
    jobs: (bot.jobs ?? []).map((job) => ({ name: job.name, everyMs: intervalMs(job.every)! })),
    intents: intentBits(bot),
  };
}
