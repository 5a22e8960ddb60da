// ydeploy sandbox up | down [--purge] | status | discord <command>
import type { CommandInput } from '../command.js';
import { UsageError, UserError } from '../errors.js';
import { sandboxDir, sandboxFiles } from '../sandbox/layout.js';
import { daemonHealth, readState, sandboxDown } from '../sandbox/control/lifecycle.js';
import { readJson, DAEMONS, type InstancesState } from '../sandbox/state-files.js';

export async function run(input: CommandInput): Promise<number | void> {
  const sub = input.command[1];
  switch (sub) {
    case 'up':
      return up(input);
    case 'down':
      return down(input);
    case 'status':
      return status(input);
    case 'discord':
      return discord(input);
    default:
      throw new UsageError(`unknown sandbox command "${sub ?? ''}"`, 'expected up, down, status or discord', { fix: 'ydeploy sandbox --help' });
  }
}

async function up(input: CommandInput): Promise<void> {
  const { sandboxUp } = await import('../sandbox/control/up.js');
  const { reporter } = input;
  const result = await sandboxUp({ cwd: input.cwd, env: input.env, reporter, signal: input.signal, killSignal: input.killSignal, config: input.globals.config });
  const { state } = result;
  const already = result.started.length === 0 && !result.provisioned;
  reporter.info(already ? `The sandbox was already running (${result.seconds.toFixed(1)}s)` : `The sandbox is up (${result.seconds.toFixed(1)}s)`);
  reporter.data(
    [
      `moto (AWS)          ${state.endpoints.aws}        pid ${state.daemons.moto?.pid}`,
      `Run Command shim    ${state.endpoints.ssm}        pid ${state.daemons.shim?.pid}`,
      `Discord emulator    ${state.endpoints.discordApi}    pid ${state.daemons.discord?.pid}`,
      `instance host       watching EC2 every 500 ms   pid ${state.daemons.host?.pid}`,
      result.legacy.instanceId
        ? `legacy bot          ${result.legacy.instanceId} healthy on http://127.0.0.1:${result.legacy.healthPort}/health`
        : 'bots                none healthy (see ydeploy sandbox status)',
      `state               ${state.dir}`,
      '',
      'Next: npx ydeploy migrate --env sandbox',
    ].join('\n'),
  );
  reporter.result({
    dir: state.dir,
    seconds: round(result.seconds),
    started: result.started,
    provisioned: result.provisioned,
    endpoints: state.endpoints,
    pids: Object.fromEntries(DAEMONS.map((d) => [d, state.daemons[d]?.pid])),
    legacy: result.legacy,
    next: 'npx ydeploy migrate --env sandbox',
  });
}

async function down(input: CommandInput): Promise<void> {
  const dir = sandboxDir(input.cwd, input.env);
  const step = input.reporter.step(`Stop the sandbox in ${dir}`);
  const result = await sandboxDown(dir, { purge: Boolean(input.options.purge) });
  step.succeed(result.stopped.length ? `stopped ${result.stopped.map((s) => `${s.name} (pid ${s.pid})`).join(', ')}` : 'nothing was running');
  if (result.purged) input.reporter.info(`Deleted ${dir}`);
  input.reporter.result({ dir, stopped: result.stopped, purged: result.purged });
}

async function status(input: CommandInput): Promise<number> {
  const dir = sandboxDir(input.cwd, input.env);
  const state = await readState(dir);
  if (!state) {
    input.reporter.data(`The sandbox has never been started here (${dir}).\nStart it: ydeploy sandbox up`);
    input.reporter.result({ dir, running: false, daemons: {}, instances: [] });
    return 0;
  }
  const health = await daemonHealth(state);
  const instances = Object.values((await readJson<InstancesState>(sandboxFiles(dir).instances))?.instances ?? {});
  const lines = [`state ${dir}`, ''];
  for (const name of DAEMONS) {
    const record = state.daemons[name];
    const where = name === 'host' ? 'EC2 watcher' : `127.0.0.1:${state.ports[name]}`;
    lines.push(`${name.padEnd(8)} ${health[name].padEnd(14)} ${where.padEnd(18)} ${record ? `pid ${record.pid}` : ''}`);
  }
  lines.push('');
  if (!instances.length) lines.push('no instance is running');
  for (const i of instances) {
    lines.push(`${i.id}  ${i.role.padEnd(8)} release ${i.release.padEnd(12)} ${i.botRole.padEnd(7)} health 127.0.0.1:${i.healthPort}  bot ${i.units.bot.status}${i.units.bot.restarts ? ` (${i.units.bot.restarts} restarts)` : ''}  health-server ${i.units.health.status}`);
  }
  if (!state.provisioned) lines.push('', 'the starting point is not provisioned: ydeploy sandbox up');
  input.reporter.data(lines.join('\n'));
  const running = Object.values(health).every((h) => h === 'running');
  input.reporter.result({ dir, running, provisioned: Boolean(state.provisioned), daemons: health, pids: Object.fromEntries(DAEMONS.map((d) => [d, state.daemons[d]?.pid])), endpoints: state.endpoints, instances });
  return 0;
}

async function discord(input: CommandInput): Promise<number> {
  const command = input.args[0];
  if (!command) throw new UsageError('no slash command given', 'say which command to send', { fix: 'ydeploy sandbox discord ping' });
  const { ensureSandbox } = await import('../sandbox/control/ensure.js');
  const env = await ensureSandbox({ cwd: input.cwd, env: input.env, reporter: input.reporter, signal: input.signal });
  const { EmulatorCommandProbe } = await import('../sandbox/command-probe.js');
  const answer = await new EmulatorCommandProbe(env.YDEPLOY_DISCORD_CONTROL).interact(command);
  const lines = [`/${answer.name} delivered to ${answer.deliveredTo.length ? answer.deliveredTo.join(', ') : 'no connected bot'}`];
  if (answer.answered) {
    lines.push(`answered by ${answer.answeredBy.join(', ')} in ${answer.latencyMs} ms${answer.answeredBy.length > 1 ? ' (more than one instance answered)' : ''}`);
    if (answer.content) lines.push(answer.content);
  } else lines.push('no answer');
  input.reporter.data(lines.join('\n'));
  input.reporter.result({ ...answer });
  if (!answer.answered) {
    throw new UserError(`/${answer.name} was not answered`, answer.deliveredTo.length ? 'no bot answered within 5 s' : 'no bot is connected to the emulated Discord', { fix: 'ydeploy sandbox status' });
  }
  return 0;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
