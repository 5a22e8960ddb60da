// systemctl / journalctl as seen from inside a sandbox instance: the unit state comes from the
// instance host's instances.json, the journal from each unit's journal file.
import { readFile } from 'node:fs/promises';
import {
  readJson,
  type HostedInstance,
  type InstancesState,
  type UnitName,
  type UnitRecord,
} from '../../../state-files.js';

type Write = (text: string) => void;

const UNITS: Record<string, UnitName> = { 'discord-bot': 'bot', 'discord-health': 'health' };
/** Agents the sandbox stands in for: always running while the instance is. */
const AGENTS = new Set(['amazon-ssm-agent', 'amazon-cloudwatch-agent']);

export async function runUnitTool(
  tool: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  out: Write,
  err: Write,
): Promise<number> {
  const file = env.YDEPLOY_SANDBOX_INSTANCES;
  const id = env.INSTANCE_ID;
  if (!file || !id) {
    err(`${tool}: not inside a sandbox instance (INSTANCE_ID / YDEPLOY_SANDBOX_INSTANCES unset)\n`);
    return 1;
  }
  const instance = (await readJson<InstancesState>(file))?.instances[id];
  if (tool === 'systemctl') return systemctl(args, instance, out, err);
  if (tool === 'journalctl') return journalctl(args, instance, out, err);
  err(`unknown tool ${tool}\n`);
  return 1;
}

function unitName(arg: string): string {
  return arg.replace(/\.service$/, '');
}

function lookup(instance: HostedInstance | undefined, arg: string): UnitRecord | 'agent' | undefined {
  const name = unitName(arg);
  if (AGENTS.has(name)) return instance ? 'agent' : undefined;
  const unit = UNITS[name];
  return unit && instance ? instance.units[unit] : undefined;
}

function activeState(record: UnitRecord | 'agent' | undefined): string {
  if (record === 'agent') return 'active';
  return record?.status ?? 'inactive';
}

async function systemctl(
  args: string[],
  instance: HostedInstance | undefined,
  out: Write,
  err: Write,
): Promise<number> {
  const flags = args.filter((a) => a.startsWith('-'));
  const [verb, ...units] = args.filter(
    (a, i) => !a.startsWith('-') && !(i > 0 && (args[i - 1] === '-p' || args[i - 1] === '--property')),
  );
  switch (verb) {
    case 'is-active': {
      const states = units.map((u) => activeState(lookup(instance, u)));
      if (!flags.includes('--quiet') && !flags.includes('-q')) out(states.map((s) => `${s}\n`).join(''));
      return states.every((s) => s === 'active') ? 0 : 3;
    }
    case 'is-failed': {
      const states = units.map((u) => activeState(lookup(instance, u)));
      out(states.map((s) => `${s}\n`).join(''));
      return states.some((s) => s === 'failed') ? 0 : 1;
    }
    case 'status': {
      let code = 0;
      for (const u of units) {
        const record = lookup(instance, u);
        const state = activeState(record);
        if (state !== 'active') code = 3;
        const name = `${unitName(u)}.service`;
        if (!record && !UNITS[unitName(u)] && !AGENTS.has(unitName(u))) {
          err(`Unit ${name} could not be found.\n`);
          code = 4;
          continue;
        }
        const sub =
          state === 'active'
            ? 'running'
            : state === 'failed'
              ? 'failed'
              : state === 'activating'
                ? 'auto-restart'
                : 'dead';
        const since =
          record && record !== 'agent' && record.since ? ` since ${new Date(record.since).toUTCString()}` : '';
        out(`${state === 'active' ? '●' : '○'} ${name}\n`);
        out(`     Loaded: loaded (/etc/systemd/system/${name}; enabled; preset: disabled)\n`);
        out(`     Active: ${state} (${sub})${since}\n`);
        if (record && record !== 'agent') {
          if (record.pid && state === 'active') out(`   Main PID: ${record.pid} (node)\n`);
          if (record.lastExit)
            out(
              `  Last exit: ${record.lastExit.signal ?? `code=${record.lastExit.code}`} at ${record.lastExit.at}; restarts: ${record.restarts}\n`,
            );
          out('\n');
          for (const line of await journal(record, 10)) out(`${shortLine(line, unitName(u))}\n`);
        }
      }
      return code;
    }
    case 'show': {
      const wanted = propertyList(args);
      for (const u of units) {
        const record = lookup(instance, u);
        const unit = record && record !== 'agent' ? record : undefined;
        const state = activeState(record);
        const props: Record<string, string> = {
          Id: `${unitName(u)}.service`,
          ActiveState: state,
          SubState: state === 'active' ? 'running' : state === 'failed' ? 'failed' : 'dead',
          MainPID: String(state === 'active' ? (unit?.pid ?? 0) : 0),
          NRestarts: String(unit?.restarts ?? 0),
          ExecMainStatus: String(unit?.lastExit?.code ?? 0),
          Restart: 'on-failure',
        };
        for (const [key, value] of Object.entries(props)) if (!wanted || wanted.includes(key)) out(`${key}=${value}\n`);
      }
      return 0;
    }
    default:
      err(`systemctl ${verb ?? ''}: not available in the ydeploy sandbox (is-active, is-failed, status, show are)\n`);
      return 1;
  }
}

function propertyList(args: string[]): string[] | undefined {
  const list: string[] = [];
  args.forEach((arg, i) => {
    if (arg === '-p' || arg === '--property') list.push(...(args[i + 1] ?? '').split(','));
    else if (arg.startsWith('--property=')) list.push(...arg.slice(11).split(','));
    else if (arg.startsWith('-p') && arg.length > 2) list.push(...arg.slice(2).split(','));
  });
  return list.length ? list : undefined;
}

async function journalctl(
  args: string[],
  instance: HostedInstance | undefined,
  out: Write,
  err: Write,
): Promise<number> {
  const units: string[] = [];
  let lines = Number.POSITIVE_INFINITY;
  let cat = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-u' || arg === '--unit') units.push(args[++i] ?? '');
    else if (arg.startsWith('--unit=')) units.push(arg.slice(7));
    else if (arg === '-n' || arg === '--lines') lines = Number(args[++i]);
    else if (arg.startsWith('--lines=')) lines = Number(arg.slice(8));
    else if (/^-n\d+$/.test(arg)) lines = Number(arg.slice(2));
    else if (arg === '-o' || arg === '--output') cat = args[++i] === 'cat';
    else if (arg === '-ocat' || arg === '--output=cat') cat = true;
  }
  if (!units.length) {
    err('journalctl: the sandbox keeps journals per unit; pass -u discord-bot or -u discord-health\n');
    return 1;
  }
  for (const u of units) {
    const record = lookup(instance, u);
    if (!record || record === 'agent') {
      out('-- No entries --\n');
      continue;
    }
    for (const line of await journal(record, Number.isFinite(lines) ? lines : 100_000))
      out(`${cat ? line.split(' ').slice(2).join(' ') : shortLine(line, unitName(u))}\n`);
  }
  return 0;
}

async function journal(record: UnitRecord, last: number): Promise<string[]> {
  const text = await readFile(record.log, 'utf8').catch(() => '');
  const lines = text.split('\n').filter(Boolean);
  return last <= 0 ? [] : lines.slice(-last);
}

/** journalctl's short format: "Nov 26 10:20:01 sandbox discord-bot[1234]: message". */
function shortLine(line: string, unit: string): string {
  const [iso, pid, ...rest] = line.split(' ');
  const date = new Date(iso);
  const stamp = Number.isNaN(date.getTime())
    ? iso
    : `${date.toUTCString().slice(8, 11)} ${date.toUTCString().slice(5, 7)} ${date.toISOString().slice(11, 19)}`;
  return `${stamp} sandbox ${unit}[${pid}]: ${rest.join(' ')}`;
}
