// The team's handlers on the client: slash commands and messages through the Dispatcher
// (exactly once across a handoff), other events straight to their handler on the active bot
// only. A handler that throws is logged with its event; the bot keeps running.
import {
  DiscordAPIError,
  Events,
  MessageFlags,
  RESTJSONErrorCodes,
  Routes,
  type ChatInputCommandInteraction,
  type Client,
  type Message,
} from 'discord.js';
import type { Logger } from 'pino';
import { DEFAULT_PREFIX } from '../define/describe.js';
import { commandJson } from '../define/define.js';
import type { BotContext, BotDefinition, SlashCommand } from '../define/types.js';
import type { Dispatcher } from '../roles/dispatcher.js';
import { commandTable, matchCommand } from './prefix.js';

export interface Wiring {
  client: Client;
  bot: BotDefinition;
  ctx: BotContext;
  dispatcher: Dispatcher;
  log: Logger;
}

export function wireHandlers(wiring: Wiring): void {
  wireInteractions(wiring);
  wireMessages(wiring);
  wireEvents(wiring);
}

function wireInteractions({ client, bot, ctx, dispatcher }: Wiring): void {
  const commands = new Map<string, SlashCommand>();
  for (const command of bot.commands ?? []) commands.set(commandJson(command).name, command);
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    const command = commands.get(interaction.commandName);
    dispatcher.receive({
      kind: 'interaction',
      id: interaction.id,
      guildId: interaction.guildId,
      receivedAt: Date.now(),
      name: interaction.commandName,
      answer: () => (command ? runCommand(command, interaction, ctx) : unknownCommand(interaction)),
      answered: () => hasOriginalResponse(interaction),
    });
  });
}

/** Runs the command; if it throws before answering, the user sees that it failed (ephemeral). */
async function runCommand(command: SlashCommand, interaction: ChatInputCommandInteraction, ctx: BotContext) {
  try {
    await command.run(interaction, ctx);
  } catch (error) {
    if (!interaction.replied && !interaction.deferred)
      await interaction
        .reply({ content: `/${interaction.commandName} failed`, flags: MessageFlags.Ephemeral })
        .catch(() => {});
    throw error;
  }
}

/**
 * Whether Discord already holds this interaction's original response (a reply, or a deferred
 * reply's "thinking" message), whoever gave it: GET the interaction webhook's @original. 404
 * Unknown Message means no response yet; any other failure is passed on (the caller then does not
 * answer). A response that creates no message (a modal) is not seen here.
 */
export async function hasOriginalResponse(interaction: ChatInputCommandInteraction): Promise<boolean> {
  try {
    await interaction.client.rest.get(
      Routes.webhookMessage(interaction.applicationId, interaction.token, '@original'),
      { auth: false },
    );
    return true;
  } catch (error) {
    if (error instanceof DiscordAPIError && error.status === 404 && error.code === RESTJSONErrorCodes.UnknownMessage)
      return false;
    throw error;
  }
}

function unknownCommand(interaction: ChatInputCommandInteraction) {
  return interaction.reply({ content: `Unknown command /${interaction.commandName}`, flags: MessageFlags.Ephemeral });
}

function wireMessages({ client, bot, ctx, dispatcher, log }: Wiring): void {
  const table = commandTable(bot.messageCommands);
  const prefix = bot.prefix ?? DEFAULT_PREFIX;
  const onMessage = bot.onMessage;
  if (!table.size && !onMessage) return;
  client.on(Events.MessageCreate, (message: Message) => {
    if (message.author.bot || message.system) return;
    const match = table.size ? matchCommand(message.content, prefix, table) : undefined;
    if (!match && !onMessage) return;
    dispatcher.receive({
      kind: 'message',
      id: message.id,
      guildId: message.guildId,
      receivedAt: Date.now(),
      name: match ? `${prefix}${match.command.name}` : 'onMessage',
      answer: async () => {
        if (onMessage)
          await Promise.resolve()
            .then(() => onMessage(message, ctx))
            .catch((error: unknown) =>
              log.error({ err: error, kind: 'message', id: message.id, handler: 'onMessage' }, 'onMessage failed'),
            );
        if (match) await match.command.run(message, match.args, ctx);
      },
    });
  });
}

function wireEvents({ client, bot, ctx, dispatcher, log }: Wiring): void {
  for (const [event, handler] of Object.entries(bot.events ?? {})) {
    const run = handler as (...args: unknown[]) => unknown;
    client.on(event, (...args: unknown[]) => {
      if (!dispatcher.answering()) return; // a standby drops it: the active bot handles it
      dispatcher.track(
        Promise.resolve()
          .then(() => run(...args, ctx))
          .catch((error: unknown) => log.error({ err: error, kind: 'event', event }, `event ${event} handler failed`)),
      );
    });
  }
}
