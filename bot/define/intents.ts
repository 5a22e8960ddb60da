// Gateway intents by name (discord.js GatewayIntentBits, Discord's documented bits: 1 << n), kept
// here so that describing a bot never loads discord.js.
import type { BotDefinition } from './types.js';

export const INTENT_BITS = {
  Guilds: 1,
  GuildMembers: 2,
  GuildModeration: 4,
  GuildBans: 4,
  GuildExpressions: 8,
  GuildEmojisAndStickers: 8,
  GuildIntegrations: 16,
  GuildWebhooks: 32,
  GuildInvites: 64,
  GuildVoiceStates: 128,
  GuildPresences: 256,
  GuildMessages: 512,
  GuildMessageReactions: 1024,
  GuildMessageTyping: 2048,
  DirectMessages: 4096,
  DirectMessageReactions: 8192,
  DirectMessageTyping: 16384,
  MessageContent: 32768,
  GuildScheduledEvents: 65536,
  AutoModerationConfiguration: 1048576,
  AutoModerationExecution: 2097152,
  GuildMessagePolls: 16777216,
  DirectMessagePolls: 33554432,
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
  if (Object.keys(bot.events ?? {}).some((event) => event.startsWith('messageReaction')))
    names.push('GuildMessageReactions');
  return names;
}
