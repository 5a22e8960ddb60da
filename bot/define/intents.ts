// Gateway intents by name (discord.js GatewayIntentBits, Discord's documented bits), kept here
// so that describing a bot never loads discord.js.
import type { BotDefinition } from './types.js';

export const INTENT_BITS = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildModeration: 1 << 2,
  GuildBans: 1 << 2,
  GuildExpressions: 1 << 3,
  GuildEmojisAndStickers: 1 << 3,
  GuildIntegrations: 1 << 4,
  GuildWebhooks: 1 << 5,
  GuildInvites: 1 << 6,
  GuildVoiceStates: 1 << 7,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  GuildMessageTyping: 1 << 11,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  DirectMessageTyping: 1 << 14,
  MessageContent: 1 << 15,
  GuildScheduledEvents: 1 << 16,
  AutoModerationConfiguration: 1 << 20,
  AutoModerationExecution: 1 << 21,
  GuildMessagePolls: 1 << 24,
  DirectMessagePolls: 1 << 25,
} as const;

export type IntentName = keyof typeof INTENT_BITS;

/** Each intent's bit, ascending, without duplicates. Unknown names were refused by defineBot. */
export function intentBits(bot: BotDefinition): number[] {
  const bits = new Set<number>();
  for (const intent of bot.intents ?? defaultIntents(bot)) {
    bits.add(typeof intent === 'number' ? intent : INTENT_BITS[intent]);
  }
  return [...bits].sort((a, b) => a - b);
}

function defaultIntents(bot: BotDefinition): IntentName[] {
  const names: IntentName[] = ['Guilds'];
  if (bot.messageCommands?.length || bot.onMessage) names.push('GuildMessages', 'MessageContent');
  if (bot.events?.guildMemberAdd) names.push('GuildMembers');
  return names;
}
