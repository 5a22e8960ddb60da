// The command line as shell completion needs it, read from the commander program itself: every
// command and subcommand with its options and arguments, and what values each option takes. The
// scripts (bash.ts, zsh.ts, fish.ts) are written from this, so they never drift from the program.
import type { CommandUnknownOpts } from '@commander-js/extra-typings';

/** What to offer for an option's value or an argument. */
export type Values =
  | { kind: 'none' }
  /** Any text: nothing to offer. */
  | { kind: 'text' }
  | { kind: 'choices'; choices: string[] }
  /** Environment names: the config's, asked of `ydeploy completion --environments` at completion time. */
  | { kind: 'environments' }
  | { kind: 'files' };

export interface CompletionOption {
  /** "-e", "--env" */
  short?: string;
  long?: string;
  description: string;
  values: Values;
}

export interface CompletionArgument {
  name: string;
  description: string;
  values: Values;
}

export interface CompletionCommand {
  name: string;
  description: string;
  options: CompletionOption[];
  arguments: CompletionArgument[];
  subcommands: CompletionCommand[];
}

/** The option every command has that commander does not list among its options. */
const HELP: CompletionOption = { short: '-h', long: '--help', description: 'show help', values: { kind: 'none' } };

export function completionTree(command: CommandUnknownOpts): CompletionCommand {
  return {
    name: command.name(),
    description: firstLine(command.description()),
    options: [...command.options.filter((o) => !o.hidden).map(toOption), HELP],
    arguments: command.registeredArguments.map((a) => ({
      name: a.name(),
      description: firstLine(a.description),
      values: a.argChoices ? { kind: 'choices', choices: [...a.argChoices] } : { kind: 'text' },
    })),
    subcommands: command.commands.map((c) => completionTree(c)),
  };
}

type CommanderOption = CommandUnknownOpts['options'][number];

function toOption(option: CommanderOption): CompletionOption {
  return {
    ...(option.short ? { short: option.short } : {}),
    ...(option.long ? { long: option.long } : {}),
    description: firstLine(option.description),
    values: valuesOf(option),
  };
}

function valuesOf(option: CommanderOption): Values {
  if (!option.required && !option.optional) return { kind: 'none' };
  if (option.argChoices) return { kind: 'choices', choices: [...option.argChoices] };
  if (option.long === '--env') return { kind: 'environments' };
  // "<file>", "<dir>", "<file|dir>": a path.
  if (/<[^>]*\b(file|dir|path)\b[^>]*>/.test(option.flags)) return { kind: 'files' };
  return { kind: 'text' };
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** Every command path, parents first: [["init"], ["lock"], ["lock", "status"], ...]. */
export function commandPaths(root: CompletionCommand, parent: string[] = []): string[][] {
  return root.subcommands.flatMap((c) => [[...parent, c.name], ...commandPaths(c, [...parent, c.name])]);
}

/** The options that take a value, as written on the command line ("-e", "--env"). */
export function valueFlags(options: CompletionOption[]): string[] {
  return options.filter((o) => o.values.kind !== 'none').flatMap((o) => [o.short, o.long].filter(isString));
}

export function flagsOf(option: CompletionOption): string[] {
  return [option.short, option.long].filter(isString);
}

function isString(value: string | undefined): value is string {
  return typeof value === 'string';
}
