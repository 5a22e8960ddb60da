// The `ydeploy sandbox` screens: what `up` started, what `status` finds, who answered a slash command.
import type { CommandAnswer } from '../ports.js';
import type { DaemonHealth } from '../sandbox/control/lifecycle.js';
import type { UpResult } from '../sandbox/control/up.js';
import { DAEMONS, type DaemonName, type HostedInstance, type SandboxState } from '../sandbox/state-files.js';

export function renderSandboxUp(result: UpResult): string {
  const { state } = result;
  return [
    `moto (AWS)          ${state.endpoints.aws}        pid ${state.daemons.moto?.pid}`,
    `Run Command shim    ${state.endpoints.ssm}        pid ${state.daemons.shim?.pid}`,
    `Discord emulator    ${state.endpoints.discordApi}    pid ${state.daemons.discord?.pid}`,
    `instance host       watching EC2 every 500 ms   pid ${state.daemons.host?.pid}`,
    `instances           ${instancesMode(state)}${result.rootfs ? ` (root filesystem ${result.rootfs.key}${result.rootfs.builtSeconds === undefined ? ', cached' : `, built in ${result.rootfs.builtSeconds.toFixed(0)}s`})` : ''}`,
    result.legacy.instanceId
      ? `legacy bot          ${result.legacy.instanceId} healthy on http://127.0.0.1:${result.legacy.healthPort}/health`
      : 'bots                none healthy (see ydeploy sandbox status)',
    `state               ${state.dir}`,
    '',
    `Next: ${result.next}`,
  ].join('\n');
}

export interface SandboxView {
  state: SandboxState;
  health: Record<DaemonName, DaemonHealth>;
  instances: HostedInstance[];
}

/** The sandbox in `dir`: each program with its health, port and PID, then the instances it hosts. */
export function renderSandboxStatus(dir: string, view: SandboxView | undefined): string {
  if (!view) return `The sandbox has never been started here (${dir}).\nStart it: ydeploy sandbox up`;
  const { state, health, instances } = view;
  const lines = [`state ${dir}`, `instances boot in ${instancesMode(state)}`, ''];
  for (const name of DAEMONS) {
    const record = state.daemons[name];
    const where = name === 'host' ? 'EC2 watcher' : `127.0.0.1:${state.ports[name]}`;
    lines.push(`${name.padEnd(8)} ${health[name].padEnd(14)} ${where.padEnd(18)} ${record ? `pid ${record.pid}` : ''}`);
  }
  lines.push('');
  if (!instances.length) lines.push('no instance is running');
  for (const i of instances) lines.push(instanceLine(i));
  if (!state.provisioned) lines.push('', 'the starting point is not provisioned: ydeploy sandbox up');
  return lines.join('\n');
}

function instancesMode(state: SandboxState): string {
  return state.instances === 'systemd'
    ? 'systemd mode: containers running systemd and the real user data'
    : 'process mode: the bot and health server run as processes of this machine';
}

function instanceLine(i: HostedInstance): string {
  const bot = `bot ${i.units.bot.status}${i.units.bot.restarts ? ` (${i.units.bot.restarts} restarts)` : ''}`;
  const what = `${i.id}  ${i.kind.padEnd(8)} release ${i.release.padEnd(12)} ${i.botRole.padEnd(7)}`;
  return `${what} health 127.0.0.1:${i.healthPort}  ${bot}  health-server ${i.units.health.status}`;
}

export function renderCommandAnswer(answer: CommandAnswer): string {
  const delivered = answer.deliveredTo.length ? answer.deliveredTo.join(', ') : 'no connected bot';
  const lines = [`/${answer.name} delivered to ${delivered}`];
  if (answer.answered) {
    const more = answer.answeredBy.length > 1 ? ' (more than one instance answered)' : '';
    lines.push(`answered by ${answer.answeredBy.join(', ')} in ${answer.latencyMs} ms${more}`);
    if (answer.content) lines.push(answer.content);
  } else lines.push('no answer');
  return lines.join('\n');
}
