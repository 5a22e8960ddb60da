// The shapes a team writes with defineBot(). Types only: discord.js is imported as types, so
// importing `ydeploy/bot` loads nothing and connects to nothing.
import type {
  ChatInputCommandInteraction,
  Client,
  ClientEvents,
  Message,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { IntentName } from './intents.js';

/** pino-like: an object of fields first (optional), then the message. */
export interface BotLogger {
  info(fields: object | string, msg?: string): void;
  warn(fields: object | string, msg?: string): void;
  error(fields: object | string, msg?: string): void;
  debug(fields: object | string, msg?: string): void;
}

/** What every handler receives last. */
export interface BotContext {
  client: Client;
  log: BotLogger;
  /** The instance this bot runs on (EC2 instance id, or the host name locally). */
  instanceId: string;
  /** The release version. */
  version: string;
  /** When this process started (ms). */
  startedAt: number;
  /** Only the active bot answers; a standby sees nothing until it is activated. */
  role(): 'active' | 'standby';
}

/** A slash command's Discord JSON definition (what the deploy registers). */
export type SlashCommandData = RESTPostAPIChatInputApplicationCommandsJSONBody;

export interface SlashCommand {
  /** The definition: plain JSON, or anything with toJSON() (a discord.js SlashCommandBuilder). */
  data: SlashCommandData | { toJSON(): SlashCommandData };
  run(interaction: ChatInputCommandInteraction, ctx: BotContext): unknown;
}

/** A prefix command: `<prefix><name> args...` in a channel message. */
export interface MessageCommand {
  name: string;
  description?: string;
  /** Other names that run it too. */
  aliases?: string[];
  run(message: Message, args: string[], ctx: BotContext): unknown;
}

/** Runs every `every` ("1h", "30s", or milliseconds), only on the active bot. */
export interface Job {
  name: string;
  every: string | number;
  run(ctx: BotContext): unknown;
}

/** Events that go through the exactly-once path instead (commands, messageCommands, onMessage). */
export type DispatchedEvent = 'interactionCreate' | 'messageCreate';

/** Other gateway events: handled by the active bot only; the context comes last. */
export type BotEvents = {
  [K in Exclude<keyof ClientEvents, DispatchedEvent>]?: (...args: [...ClientEvents[K], BotContext]) => unknown;
};

export interface BotDefinition {
  /**
   * Gateway intents: names of discord.js GatewayIntentBits, or numbers. Default: Guilds, plus
   * GuildMessages and MessageContent with messageCommands or onMessage, plus GuildMembers with
   * events.guildMemberAdd, plus GuildMessageReactions with events.messageReaction*.
   */
  intents?: (IntentName | number)[];
  commands?: SlashCommand[];
  /** The prefix of message commands; default "!". */
  prefix?: string;
  messageCommands?: MessageCommand[];
  /** Every channel message not written by a bot (prefix commands included), exactly once. */
  onMessage?(message: Message, ctx: BotContext): unknown;
  events?: BotEvents;
  jobs?: Job[];
  /** Once, after the client is created and before it connects (no answering here). */
  setup?(ctx: BotContext): unknown;
}

/** What defineBot() returns: the definition, recognisable by the runtime. */
export type Bot<T extends BotDefinition = BotDefinition> = T & BotDefinition & { readonly [BOT_BRAND]: 1 };

/** Symbol.for(), so two copies of the runtime (the team's and ydeploy's) recognise each other. */
export const BOT_BRAND: unique symbol = Symbol.for('ydeploy.bot') as never;
