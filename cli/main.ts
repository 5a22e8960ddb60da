// The ydeploy command line: the global options, the help text and the exit codes around the
// commands of cli/commands/. Declaring them loads none of their code (a handler imports its own
// when it runs), so `ydeploy --help` costs little more than starting node (test/bench/cold-start).
import { Command, CommanderError, type OutputConfiguration } from '@commander-js/extra-typings';
import { register, type Runner } from './command.js';
import type { MainIo } from './run.js';
import { VERSION } from './version.js';
import init from './commands/init.js';
import preflight from './commands/preflight.js';
import deploy from './commands/deploy.js';
import migrate from './commands/migrate.js';
import rollback from './commands/rollback.js';
import status from './commands/status.js';
import health from './commands/health.js';
import logs from './commands/logs.js';
import monitor from './commands/monitor.js';
import history from './commands/history.js';
import cost from './commands/cost.js';
import doctor from './commands/doctor.js';
import lock from './commands/lock.js';
import notify from './commands/notify.js';
import sandbox from './commands/sandbox.js';
import completion from './commands/completion.js';
import scale from './commands/scale.js';

export type { MainIo };

// In the order `ydeploy --help` lists them.
// prettier-ignore
const COMMANDS = [
  init, preflight, deploy, migrate, rollback, scale, status, health, logs, monitor, history, cost, doctor, lock, notify, sandbox,
  completion,
];

/** Runs ydeploy and resolves to the exit code. Never exits the process. */
export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const stdout = (io.stdout ?? process.stdout) as NodeJS.WriteStream;
  const stderr = (io.stderr ?? process.stderr) as NodeJS.WriteStream;
  let exitCode = 0;
  const program = buildProgram(
    async (handler, parsed) => {
      const { runCommand } = await import('./run.js');
      exitCode = await runCommand(handler, parsed, { ...io, stdout, stderr });
    },
    { writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text), outputError: () => {} },
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --help and --version end in a CommanderError too.
    if (error.exitCode === 0 || ['commander.helpDisplayed', 'commander.version'].includes(error.code)) return 0;
    const { reportUsage } = await import('./run.js');
    const commands = program.commands.map((c) => c.name());
    return reportUsage(error, argv, commands, { env: io.env, stdout, stderr });
  }
}

export function buildProgram(run: Runner, output: OutputConfiguration = {}): Command {
  const program = new Command('ydeploy')
    .configureOutput(output)
    .description('Zero-downtime deployment of a Discord bot onto AWS EC2 (or onto the embedded sandbox)')
    .version(VERSION, '-V, --version', 'print the version')
    .option('-e, --env <name>', 'environment to act on (YDEPLOY_ENV; "sandbox" is built in)')
    .option('-c, --config <file>', 'config file (YDEPLOY_CONFIG; default ./ydeploy.config.json)')
    .option('--region <region>', "AWS region (overrides the environment's)")
    .option('--profile <name>', 'AWS profile (standard credential chain otherwise)')
    .option('--json', 'machine output on stdout: NDJSON events, then one result object', false)
    .option('-y, --yes', 'answer yes to every prompt (required without a terminal)', false)
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('-v, --verbose', 'more detail, and causes and stacks on errors', false)
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 failed, 2 bad usage or configuration, 3 a preflight check failed,
4 the health gate failed (the serving instance was left serving), 5 another deployment holds
the lock, 130 interrupted (state saved; --resume continues).

Start here:  npx ydeploy migrate --env sandbox`,
    );
  for (const definition of COMMANDS) register(program, definition, run);
  return program;
}
