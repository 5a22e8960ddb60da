// The slash commands: their definitions (registered by bulk overwrite on start) and handlers.
import {
  MessageFlags,
  type ChatInputCommandInteraction,
  type Client,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { Role } from '../contracts/roles.js';

export interface CommandContext {
  instanceId: string;
  version: string;
  startedAt: number;
  role(): Role;
}

export const definitions: RESTPutAPIApplicationCommandsJSONBody = [
  { name: 'ping', description: 'Latency, and which instance and release answered' },
  { name: 'status', description: 'This bot instance: release, role, uptime, guilds' },
];

export async function registerCommands(client: Client<true>): Promise<number> {
  const registered = await client.application.commands.set(definitions);
  return registered.size;
}

export async function runCommand(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  switch (interaction.commandName) {
    case 'ping': {
      const latency = Date.now() - interaction.createdTimestamp;
      await interaction.reply(
        `Pong! ${latency} ms (gateway ${interaction.client.ws.ping} ms) · instance ${context.instanceId} · ${context.version}`,
      );
      return;
    }
    case 'status': {
      const uptime = Math.round((Date.now() - context.startedAt) / 1000);
      await interaction.reply(
        `instance ${context.instanceId} · ${context.version} · ${context.role()} · up ${uptime} s · ${interaction.client.guilds.cache.size} guilds`,
      );
      return;
    }
    default:
      await interaction.reply({
        content: `Unknown command /${interaction.commandName}`,
        flags: MessageFlags.Ephemeral,
      });
  }
}
