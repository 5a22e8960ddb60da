// Prefix commands in channel messages: `<prefix><name> args...`, the name case-insensitive,
// arguments split on whitespace.
import type { MessageCommand } from '../define/types.js';

export type CommandTable = Map<string, MessageCommand>;

/** Each command under its name and aliases, lowercased. */
export function commandTable(commands: MessageCommand[] = []): CommandTable {
  const table: CommandTable = new Map();
  for (const command of commands)
    for (const name of [command.name, ...(command.aliases ?? [])]) table.set(name.toLowerCase(), command);
  return table;
}

export function matchCommand(
  content: string,
  prefix: string,
  table: CommandTable,
): { command: MessageCommand; args: string[] } | undefined {
  if (!content.startsWith(prefix)) return undefined;
  const [name, ...args] = content.slice(prefix.length).trim().split(/\s+/);
  const command = name ? table.get(name.toLowerCase()) : undefined;
  return command && { command, args };
}
