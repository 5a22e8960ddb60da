// What every command module receives. A command is cli/commands/<name>.ts exporting
// `run(input)`: options -> context -> one core call -> output.
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

export type CommandModule = {
  run(input: CommandInput): Promise<number | void>;
};
