// ydeploy sandbox up | down [--purge] | status | discord <command>
import { defineCommand, type CommandInput } from '../command.js';
import type { InstancesState } from '../sandbox/state-files.js';

const upCommand = defineCommand({
  name: 'up',
  description:
    'start moto, the Run Command shim, the instance host and the Discord emulator; provision a legacy deployment',
  options: (cmd) =>
    cmd.option(
      '--instances <mode>',
      'how instances boot: systemd (containers running the real user data; root on Linux) or process ' +
        '(YDEPLOY_SANDBOX_INSTANCES; default systemd where it can run)',
    ),
  async run(input) {
    const [{ sandboxUp }, { DAEMONS }, { renderSandboxUp }] = await Promise.all([
      import('../sandbox/control/up.js'),
      import('../sandbox/state-files.js'),
      import('../output/sandbox.js'),
    ]);
    const { reporter } = input;
    const result = await sandboxUp({
      cwd: input.cwd,
      env: input.env,
      reporter,
      signal: input.signal,
      killSignal: input.killSignal,
      config: input.globals.config,
      instances: input.options.instances as string | undefined,
    });
    const { state } = result;
    const already = result.started.length === 0 && !result.provisioned;
    reporter.info(`The sandbox ${already ? 'was already running' : 'is up'} (${result.seconds.toFixed(1)}s)`);
    reporter.data(renderSandboxUp(result));
    reporter.result({
      dir: state.dir,
      seconds: Math.round(result.seconds * 1000) / 1000,
      started: result.started,
      provisioned: result.provisioned,
      endpoints: state.endpoints,
      instances: state.instances ?? 'process',
      rootfs: result.rootfs,
      pids: Object.fromEntries(DAEMONS.map((d) => [d, state.daemons[d]?.pid])),
      legacy: result.legacy,
      next: result.next,
    });
  },
});

const downCommand = defineCommand({
  name: 'down',
  description: 'stop everything the sandbox started',
  options: (cmd) => cmd.option('--purge', 'also delete its state folder'),
  async run(input) {
    const [{ sandboxDir }, { sandboxDown }] = await Promise.all([
      import('../sandbox/layout.js'),
      import('../sandbox/control/lifecycle.js'),
    ]);
    const dir = sandboxDir(input.cwd, input.env);
    const step = input.reporter.step(`Stop the sandbox in ${dir}`);
    const result = await sandboxDown(dir, { purge: Boolean(input.options.purge) });
    step.succeed(
      result.stopped.length
        ? `stopped ${result.stopped.map((s) => `${s.name} (pid ${s.pid})`).join(', ')}`
        : 'nothing was running',
    );
    if (result.purged) input.reporter.info(`Deleted ${dir}`);
    input.reporter.result({ dir, stopped: result.stopped, purged: result.purged });
  },
});

const statusCommand = defineCommand({
  name: 'status',
  description: 'what the sandbox runs, by PID and port',
  async run(input) {
    const [{ sandboxDir, sandboxFiles }, { daemonHealth, readState }, { readJson, DAEMONS }, { renderSandboxStatus }] =
      await Promise.all([
        import('../sandbox/layout.js'),
        import('../sandbox/control/lifecycle.js'),
        import('../sandbox/state-files.js'),
        import('../output/sandbox.js'),
      ]);
    const dir = sandboxDir(input.cwd, input.env);
    const state = await readState(dir);
    if (!state) {
      input.reporter.data(renderSandboxStatus(dir, undefined));
      input.reporter.result({ dir, running: false, daemons: {}, instances: [] });
      return 0;
    }
    const health = await daemonHealth(state);
    const hosted = await readJson<InstancesState>(sandboxFiles(dir).instances);
    const instances = Object.values(hosted?.instances ?? {});
    input.reporter.data(renderSandboxStatus(dir, { state, health, instances }));
    const running = Object.values(health).every((h) => h === 'running');
    const pids = Object.fromEntries(DAEMONS.map((d) => [d, state.daemons[d]?.pid]));
    input.reporter.result({
      dir,
      running,
      provisioned: Boolean(state.provisioned),
      instancesMode: state.instances ?? 'process',
      daemons: health,
      pids,
      endpoints: state.endpoints,
      instances,
    });
    return 0;
  },
});

const discordCommand = defineCommand({
  name: 'discord',
  description:
    "send a slash command (a user could type: registered) or, with a prefix such as '!', a channel message " +
    'to the emulated Discord and show which instance answered',
  options: (cmd) => cmd.argument('<command>', "a slash command name (ping, /roll), or a message ('!roll 6')"),
  async run(input) {
    const { UsageError } = await import('../errors.js');
    const command = input.args[0]?.trim();
    if (!command)
      throw new UsageError('no slash command given', 'say which command to send', {
        fix: 'ydeploy sandbox discord ping',
      });
    const [{ openContext }, { EmulatorCommandProbe }] = await Promise.all([
      import('../context.js'),
      import('../adapters/discord-emulator.js'),
    ]);
    const ctx = await openContext({ ...input, globals: { ...input.globals, env: 'sandbox' } });
    const probe = ctx.commandProbe;
    if (!(probe instanceof EmulatorCommandProbe))
      throw new UsageError('no emulated Discord', 'the sandbox did not name its Discord control API', {
        fix: 'ydeploy sandbox status',
      });
    // A slash command name starts with a letter, digit, "-" or "_" (or "/"); anything else is a prefix.
    return /^[-_/\p{L}\p{N}]/u.test(command) ? sendCommand(input, probe, command) : sendMessage(input, probe, command);
  },
});

type Probe = import('../adapters/discord-emulator.js').EmulatorCommandProbe;
type DiscordInput = Pick<CommandInput, 'reporter'>;

async function sendCommand(input: DiscordInput, probe: Probe, command: string): Promise<number> {
  const [{ ApiError, UserError }, { renderCommandAnswer }] = await Promise.all([
    import('../errors.js'),
    import('../output/sandbox.js'),
  ]);
  const answer = await probe.interact(command, { registered: true }).catch((error: unknown) => {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    const name = command.replace(/^\//, '');
    throw new UserError(
      `/${name} is not registered`,
      'the application has no such slash command, globally or in the sandbox guild, so no user could type it',
      { fix: 'ydeploy deploy --env sandbox --dry-run (shows the commands a deploy registers)' },
    );
  });
  input.reporter.data(renderCommandAnswer(answer));
  input.reporter.result({ ...answer });
  if (!answer.answered) {
    const why = answer.deliveredTo.length
      ? 'no bot answered within 5 s'
      : 'no bot is connected to the emulated Discord';
    throw new UserError(`/${answer.name} was not answered`, why, { fix: 'ydeploy sandbox status' });
  }
  return 0;
}

async function sendMessage(input: DiscordInput, probe: Probe, content: string): Promise<number> {
  const [{ UserError }, { renderMessageAnswer }] = await Promise.all([
    import('../errors.js'),
    import('../output/sandbox-message.js'),
  ]);
  const answer = await probe.message(content);
  input.reporter.data(renderMessageAnswer(answer));
  input.reporter.result({ ...answer });
  if (!answer.answered) {
    const why = answer.deliveredTo.length
      ? 'no bot replied within 5 s'
      : 'no connected bot reads guild messages (the GuildMessages intent)';
    throw new UserError(`${JSON.stringify(content)} was not answered`, why, { fix: 'ydeploy sandbox status' });
  }
  return 0;
}

export default defineCommand({
  name: 'sandbox',
  description: 'the embedded sandbox: emulated AWS (moto) and Discord on loopback',
  examples: [
    'ydeploy sandbox up',
    'ydeploy sandbox discord ping',
    "ydeploy sandbox discord '!roll 6'",
    'ydeploy sandbox down --purge',
  ],
  subcommands: [upCommand, downCommand, statusCommand, discordCommand],
});
