// A command is cli/commands/<name>.ts exporting defineCommand({...}): its name, description,
// examples, options and handler in one place, the options' types inferred from their declaration.
// Declaring a command loads nothing but this file: a handler imports its own code when it runs,
// so `ydeploy --help` stays cheap (test/bench/cold-start). Keep this file free of runtime imports.
import type { Command, CommandUnknownOpts, OptionValues } from '@commander-js/extra-typings';
import type { Reporter } from './ports.js';

export interface GlobalOptions {
  env?: string;
  config?: string;
  region?: string;
  profile?: string;
  json: boolean;
  yes: boolean;
  color: boolean;
  verbose: boolean;
}

export interface CommandInput<Options = Record<string, unknown>> {
  /** The command path, e.g. ["lock", "release"]. */
  command: string[];
  args: string[];
  options: Options;
  globals: GlobalOptions;
  reporter: Reporter;
  /** First Ctrl-C. */
  signal: AbortSignal;
  /** Second Ctrl-C. */
  killSignal: AbortSignal;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Standard input (what `init --store-token` reads the token from when it is not a terminal). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export type Handler<Options = Record<string, unknown>> = (input: CommandInput<Options>) => Promise<number | void>;

interface About {
  name: string;
  description: string;
  /** Shown after the options in the command's --help. */
  examples?: string[];
}

/** A command that runs: `options` declares its options (and arguments) on a blank command. */
export interface RunnableSpec<Args extends unknown[], Options extends OptionValues> extends About {
  options?: (cmd: Command) => Command<Args, Options>;
  run: Handler<Options>;
}

/** A group of subcommands (`lock status|release`): `ydeploy lock` alone shows its help. */
export interface GroupSpec extends About {
  subcommands: CommandDefinition[];
}

export interface CommandDefinition {
  readonly name: string;
  readonly description: string;
  readonly examples: readonly string[];
  readonly options?: (cmd: Command) => unknown;
  readonly subcommands: readonly CommandDefinition[];
  // A method, so a handler typed for its own options fits here.
  run?(input: CommandInput): Promise<number | void>;
}

export function defineCommand<Args extends unknown[] = [], Options extends OptionValues = {}>(
  spec: RunnableSpec<Args, Options>,
): CommandDefinition;
export function defineCommand(spec: GroupSpec): CommandDefinition;
export function defineCommand(spec: RunnableSpec<unknown[], OptionValues> | GroupSpec): CommandDefinition {
  const about = { name: spec.name, description: spec.description, examples: spec.examples ?? [] };
  if ('subcommands' in spec) return { ...about, subcommands: spec.subcommands };
  return { ...about, options: spec.options, run: spec.run, subcommands: [] };
}

/** What the command line parsed for one command, before main turns it into its input. */
export interface Parsed {
  command: string[];
  args: string[];
  options: OptionValues;
  /** The command's options and every parent's (the global options among them). */
  all: OptionValues;
}

export type Runner = (handler: Handler, parsed: Parsed) => Promise<void>;

/** Adds the command (and its subcommands) to `parent`; running it calls `runner` with its handler. */
export function register(
  parent: CommandUnknownOpts,
  definition: CommandDefinition,
  runner: Runner,
  path: string[] = [],
): void {
  const command = [...path, definition.name];
  const cmd = parent.command(definition.name).description(definition.description).exitOverride();
  const { examples, run } = definition;
  if (examples.length) cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
  definition.options?.(cmd);
  for (const sub of definition.subcommands) register(cmd, sub, runner, command);
  if (run) {
    cmd.action(async () => {
      await runner((input) => run(input), { command, args: cmd.args, options: cmd.opts(), all: cmd.optsWithGlobals() });
    });
  }
}
