// A discord.js client with the least it needs: the bot's intents, and caches limited to what
// commands and handlers use (DESIGN.md §6: a bare client is ~80 MiB; the budget is 100).
// Its REST user agent names the instance, so the Discord emulator attributes each message.
// It runs the shards the config names (BOT_SHARDS of BOT_SHARD_COUNT; unsharded: shard 0 of 1).
// Identifies are paced by Discord's max_concurrency without anything configured here: discord.js
// 14 leaves @discordjs/ws's default buildIdentifyThrottler in place, which reads
// session_start_limit.max_concurrency from GET /gateway/bot and lets one IDENTIFY through per
// bucket (shard id % max_concurrency) every 5 s (SimpleIdentifyThrottler), as Discord requires.
import { Client, DefaultUserAgentAppendix, Options, Partials } from 'discord.js';
import type { BotConfig } from '../config.js';
import type { Role } from '../contracts/roles.js';
import { presenceFor } from './presence.js';

export interface ClientNeeds {
  /** Gateway intent bits. */
  intents: number[];
  /** Reaction events: messages are not cached, so reactions to them arrive as partials. */
  partials?: boolean;
}

export function createClient(config: BotConfig, role: Role, needs: ClientNeeds): Client {
  return new Client({
    intents: needs.intents,
    shards: config.shards,
    shardCount: config.shardCount,
    partials: needs.partials ? [Partials.Message, Partials.Reaction, Partials.User] : [],
    rest: { api: config.api, userAgentAppendix: `${DefaultUserAgentAppendix} ydeploy-instance/${config.instanceId}` },
    presence: presenceFor(config.instanceId, config.version, role),
    waitGuildTimeout: 5000,
    makeCache: Options.cacheWithLimits({
      ApplicationCommandManager: 0,
      ApplicationEmojiManager: 0,
      AutoModerationRuleManager: 0,
      BaseGuildEmojiManager: 0,
      DMMessageManager: 0,
      EntitlementManager: 0,
      GuildBanManager: 0,
      GuildEmojiManager: 0,
      GuildForumThreadManager: 0,
      GuildInviteManager: 0,
      GuildMemberManager: { maxSize: 1, keepOverLimit: (member) => member.id === member.client.user.id },
      GuildMessageManager: 0,
      GuildScheduledEventManager: 0,
      GuildStickerManager: 0,
      GuildTextThreadManager: 0,
      MessageManager: 0,
      PresenceManager: 0,
      ReactionManager: 0,
      ReactionUserManager: 0,
      StageInstanceManager: 0,
      ThreadManager: 0,
      ThreadMemberManager: 0,
      UserManager: 100,
      VoiceStateManager: 0,
    }),
  });
}
