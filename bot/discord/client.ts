// A discord.js client with the least it needs: the Guilds intent only, and caches limited to
// what slash commands use (DESIGN.md §6: a bare client is ~80 MiB; the budget is 100).
import { Client, GatewayIntentBits, Options } from 'discord.js';
import type { BotConfig } from '../config.js';
import type { Role } from '../contracts/roles.js';
import { presenceFor } from './presence.js';

export function createClient(config: BotConfig, role: Role): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: config.api },
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
