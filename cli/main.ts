// The ydeploy command line. Every command's module is imported only when it runs, so
// `ydeploy --help` costs little more than starting node (see test/bench/cold-start).
import { Command, CommanderError, Option, type OutputConfiguration } from 'commander';
import type { CommandInput, CommandModule, GlobalOptions } from './command.js';
import { ExitCode, UsageError, isUserError } from './errors.js';
import { VERSION } from './version.js';

export interface MainIo {
  stdout?: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean });
  stderr?: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean });
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Install SIGINT/SIGTERM handlers (the bin shim does; in-process tests don't). */
  trapSignals?: boolean;
}

/** Runs ydeploy and resolves to the exit code. Never exits the process. */
export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const stdout = (io.stdout ?? process.stdout) as NodeJS.WriteStream;
  const stderr = (io.stderr ?? process.stderr) as NodeJS.WriteStream;
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(
    async (command, input) => {
      exitCode = await runCommand(command, input, { ...io, stdout, stderr });
    },
    { writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text), outputError: () => {} },
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
      // A command group given no subcommand: commander already printed its help.
      if (error.code === 'commander.help') return ExitCode.usage;
      const { reportError } = await import('./output/errors.js');
      const usage = commanderToUsage(error, argv, new Set(program.commands.map((c) => c.name())));
      return reportError(usage, { stdout, stderr, json: argv.includes('--json'), verbose: false, color: wantsColor(argv, io.env ?? process.env, stderr) });
    }
    throw error;
  }
}

type Runner = (command: string[], input: { args: string[]; options: Record<string, unknown>; globals: GlobalOptions }) => Promise<void>;

function commanderToUsage(error: CommanderError, argv: string[], known: Set<string>): UsageError {
  const text = error.message.replace(/^error:\s*/, '').trim();
  const [first, ...rest] = text.split('\n');
  const suggestion = rest.join(' ').replace(/[()]/g, '').trim();
  const sub = argv.find((a) => !a.startsWith('-'));
  const help = sub && known.has(sub) ? `ydeploy ${sub} --help` : 'ydeploy --help';
  return new UsageError(first, suggestion || 'not a command or option ydeploy knows', { fix: help });
}

function wantsColor(argv: string[], env: NodeJS.ProcessEnv, stderr: { isTTY?: boolean }): boolean {
  return !argv.includes('--no-color') && !env.NO_COLOR && Boolean(stderr.isTTY);
}

async function runCommand(command: string[], parsed: Parameters<Runner>[1], io: MainIo & { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const env = io.env ?? process.env;
  const { globals } = parsed;
  const color = globals.color && !env.NO_COLOR && Boolean(io.stderr.isTTY);
  const [{ createReporter }, { reportError }, { trapSignals }] = await Promise.all([
    import('./output/reporter.js'),
    import('./output/errors.js'),
    import('./signals.js'),
  ]);
  const reporter = await createReporter({ json: globals.json, color, verbose: globals.verbose, stdout: io.stdout, stderr: io.stderr, stdin: io.stdin, env });
  const cancellation = io.trapSignals ? trapSignals() : undefined;
  const idle = new AbortController();
  const input: CommandInput = {
    command,
    args: parsed.args,
    options: parsed.options,
    globals,
    reporter,
    signal: cancellation?.signal ?? idle.signal,
    killSignal: cancellation?.killSignal ?? idle.signal,
    cwd: io.cwd ?? process.cwd(),
    env,
    stdin: io.stdin ?? process.stdin,
  };
  try {
    const module = await loadCommand(command[0]);
    const work = module.run(input).then((code) => code ?? ExitCode.ok);
    const forced = cancellation?.forced.then(() => ExitCode.interrupted);
    return await (forced ? Promise.race([work, forced]) : work);
  } catch (error) {
    // A command torn down by Ctrl-C reports the interruption, not whatever the abort broke.
    const interrupted = cancellation?.signal.aborted && !isUserError(error);
    return reportError(interrupted ? cancellation!.signal.reason : error, {
      stdout: io.stdout,
      stderr: io.stderr,
      json: globals.json,
      verbose: globals.verbose,
      color,
    });
  } finally {
    cancellation?.dispose();
    (reporter as { close?: () => void }).close?.();
  }
}

async function loadCommand(name: string): Promise<CommandModule> {
  let module: Partial<CommandModule>;
  try {
    module = await import(`./commands/${name}.ts`);
  } catch (error) {
    if (isMissingModule(error)) {
      throw new UsageError(`ydeploy ${name} is not available yet`, 'this command has not landed in this version', { fix: 'ydeploy --help' });
    }
    throw error;
  }
  if (typeof module.run !== 'function') throw new Error(`command module ${name} has no run()`);
  return module as CommandModule;
}

function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  const message = String((error as Error)?.message ?? '');
  return code === 'ERR_MODULE_NOT_FOUND' || /Unknown variable dynamic import|Cannot find module|Failed to load url|does not exist|Module not found in bundle/.test(message);
}

export function buildProgram(run: Runner, output: OutputConfiguration = {}): Command {
  const program = new Command('ydeploy')
    .configureOutput(output)
    .description('Zero-downtime deployment of a Discord bot onto AWS EC2 (or onto the embedded sandbox)')
    .version(VERSION, '-V, --version', 'print the version')
    .option('-e, --env <name>', 'environment to act on (YDEPLOY_ENV; "sandbox" is built in)')
    .option('-c, --config <file>', 'config file (YDEPLOY_CONFIG; default ./ydeploy.config.json)')
    .option('--region <region>', 'AWS region (overrides the environment\'s)')
    .option('--profile <name>', 'AWS profile (standard credential chain otherwise)')
    .option('--json', 'machine output on stdout: NDJSON events, then one result object', false)
    .option('-y, --yes', 'answer yes to every prompt (required without a terminal)', false)
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('-v, --verbose', 'more detail, and causes and stacks on errors', false)
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .exitOverride()
    .addHelpText('after', `
Exit codes: 0 done, 1 failed, 2 bad usage or configuration, 3 a preflight check failed,
4 the health gate failed (the serving instance was left serving), 5 another deployment holds
the lock, 130 interrupted (state saved; --resume continues).

Start here:  npx ydeploy migrate --env sandbox`);

  const action = (path: string[]) =>
    async function (this: Command, ...params: unknown[]) {
      const command = params[params.length - 1] as Command;
      const options = command.opts();
      const globals = normalizeGlobals(command.optsWithGlobals());
      const args = command.args;
      await run(path, { args, options, globals });
    };

  const cmd = (name: string, description: string, examples: string[]) => {
    const c = program.command(name).description(description).exitOverride();
    if (examples.length) c.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
    return c;
  };

  cmd('init', 'write a validated ydeploy.config.json (prompts on a terminal, flags otherwise)', [
    'ydeploy init',
    'ydeploy init --env production --region eu-west-1 --state-bucket acme-ydeploy --token-parameter /acme/discord-token --yes',
    'echo "$TOKEN" | ydeploy init --env production --store-token --yes',
  ])
    .option('--project <name>', 'project name (tags, resource names)')
    .option('--state-bucket <bucket>', 'S3 bucket for state, lock, journal')
    .option('--release-bucket <bucket>', 'S3 bucket for releases (default: the state bucket)')
    .option('--token-parameter <name>', 'SSM SecureString parameter holding the Discord token')
    .option('--store-token', 'store the Discord token in SSM (read from stdin or a hidden prompt, never a flag)')
    .option('--force', 'overwrite an existing config file')
    .action(action(['init']));

  cmd('preflight', 'run the pre-deployment checklist: every check with its reason and fix', [
    'ydeploy preflight --env production',
    'ydeploy preflight --env sandbox --skip-tests --json',
  ])
    .option('--skip-tests', 'do not run the bot\'s tests')
    .action(action(['preflight']));

  cmd('deploy', 'ship new bot code: build, upload, start beside the serving bot, health-gate, hand off, retire the old', [
    'ydeploy deploy --env production',
    'ydeploy deploy --env sandbox --release v2',
    'ydeploy deploy --env production --dry-run',
  ])
    .option('--release <version>', 'release version (default: package version + build time)')
    .option('--source <dir>', 'bot source directory to bundle (default: the bundled bot)')
    .option('--dry-run', 'show the plan and the steps that would run; change nothing')
    .option('--resume', 'continue the interrupted deployment from the journal')
    .option('--skip-preflight', 'do not run preflight first')
    .action(action(['deploy']));

  cmd('migrate', 'legacy (public subnet) -> enhanced (private subnet) in the guide\'s three verified steps', [
    'ydeploy migrate --env sandbox',
    'ydeploy migrate --env production --dry-run',
    'ydeploy migrate --env production --step 2',
    'ydeploy migrate --env production --resume',
  ])
    .addOption(new Option('--step <n>', 'run only this step (1 enable both, 2 health gate, 3 disable legacy)').choices(['1', '2', '3']))
    .option('--resume', 'continue the interrupted migration from the journal')
    .option('--dry-run', 'terraform plan plus the steps that would run; change nothing')
    .option('--skip-preflight', 'do not run preflight first')
    .action(action(['migrate']));

  cmd('rollback', 'roll back: planned (legacy + public subnet, then enhanced removed) or --emergency', [
    'ydeploy rollback --emergency --env production',
    'ydeploy rollback --env production',
    'ydeploy rollback --to v1 --env production',
  ])
    .option('--emergency', 'legacy back now; enhanced kept running for investigation')
    .option('--destroy-enhanced', 'with --emergency: also remove enhanced once legacy is healthy')
    .option('--to <release>', 'roll enhanced back to an earlier release (after a deploy)')
    .option('--dry-run', 'show what would run; change nothing')
    .option('--resume', 'continue the interrupted rollback from the journal')
    .action(action(['rollback']));

  cmd('status', 'one screen: instances, health, network, logs freshness, alarms, lock, last deployment', [
    'ydeploy status --env production',
    'ydeploy status --env sandbox --watch',
    'ydeploy status --json',
  ])
    .option('--watch', 'redraw in place (on a terminal)')
    .option('--interval <duration>', 'refresh interval with --watch', '5s')
    .action(action(['status']));

  cmd('health', 'probe /health of one or all instances through SSM', [
    'ydeploy health --env production',
    'ydeploy health --instance enhanced --wait',
  ])
    .option('--instance <id|role>', 'instance id, or legacy / enhanced (default: all)')
    .option('--wait', 'keep probing until healthy or the gate timeout')
    .option('--timeout <duration>', 'with --wait: give up after this long')
    .action(action(['health']));

  cmd('logs', 'bot and health log streams of the environment, merged by time', [
    'ydeploy logs --env production --since 15m',
    'ydeploy logs --follow --stream bot --instance enhanced',
    'ydeploy logs --filter \'{ $.level >= 50 }\' --since 2026-11-26T10:00:00Z',
  ])
    .option('-f, --follow', 'keep printing new events (picks up new instances)')
    .option('--since <when>', 'start at a duration ago (15m) or an ISO time', '10m')
    .addOption(new Option('--stream <name>', 'only one stream').choices(['bot', 'health']))
    .option('--instance <id|role>', 'only one instance (id, legacy or enhanced)')
    .option('--filter <pattern>', 'CloudWatch filter pattern')
    .action(action(['logs']));

  cmd('monitor', 'post-deployment watch: health every interval, alerts at the guide\'s thresholds', [
    'ydeploy monitor --env production --duration 24h',
    'ydeploy monitor --duration 10m --interval 15s',
  ])
    .option('--duration <duration>', 'how long to watch', '24h')
    .option('--interval <duration>', 'time between probes', '60s')
    .action(action(['monitor']));

  cmd('history', 'past deployments from the journal: who, when, what, step times, outcome', [
    'ydeploy history --env production',
    'ydeploy history --limit 5 --json',
  ])
    .option('--limit <n>', 'how many deployments', '10')
    .action(action(['history']));

  cmd('doctor', 'run the guide\'s troubleshooting on an instance through SSM and explain the findings', [
    'ydeploy doctor --env production',
    'ydeploy doctor --instance enhanced',
  ])
    .option('--instance <id|role>', 'instance id, or legacy / enhanced (default: the serving one)')
    .action(action(['doctor']));

  const lock = cmd('lock', 'the deployment lock in S3', ['ydeploy lock status', 'ydeploy lock release --force']);
  lock.command('status').description('who holds the lock, since when, until when').action(action(['lock', 'status']));
  lock
    .command('release')
    .description('release the lock you hold, or with --force one left by a killed process')
    .option('--force', 'release a lock held by someone else')
    .action(action(['lock', 'release']));

  const sandbox = cmd('sandbox', 'the embedded sandbox: emulated AWS (moto) and Discord on loopback', [
    'ydeploy sandbox up',
    'ydeploy sandbox discord ping',
    'ydeploy sandbox down --purge',
  ]);
  sandbox.command('up').description('start moto, the Run Command shim, the instance host and the Discord emulator; provision a legacy deployment').action(action(['sandbox', 'up']));
  sandbox.command('down').description('stop everything the sandbox started').option('--purge', 'also delete its state folder').action(action(['sandbox', 'down']));
  sandbox.command('status').description('what the sandbox runs, by PID and port').action(action(['sandbox', 'status']));
  sandbox
    .command('discord <command>')
    .description('send a slash command to the emulated Discord and show which instance answered')
    .action(action(['sandbox', 'discord']));

  for (const sub of [...lock.commands, ...sandbox.commands]) sub.exitOverride();
  return program;
}

function normalizeGlobals(raw: Record<string, unknown>): GlobalOptions {
  return {
    env: raw.env as string | undefined,
    config: raw.config as string | undefined,
    region: raw.region as string | undefined,
    profile: raw.profile as string | undefined,
    json: Boolean(raw.json),
    yes: Boolean(raw.yes),
    color: raw.color !== false,
    verbose: Boolean(raw.verbose),
  };
}
