// The guide's troubleshooting commands, as data, run on the instance in one SSM Run Command.
// Each probe's output is framed by a marker line carrying its exit code, so one round trip
// answers all of them. Instance-local facts come from variables with defaults (shared
// contract), so the same script runs on EC2 and in the sandbox.
import { READY_FILE_DEFAULT } from '../../bot/contracts/readiness.js';
import { shellQuote } from '../core/shell.js';

export interface Probe {
  id: string;
  /** A shell command; its stdout+stderr and exit code are captured. */
  command: string;
  /** Characters of output kept (SSM returns at most 24,000 in all). */
  keep: number;
}

export interface ProbeResult {
  id: string;
  exitCode: number;
  output: string;
  /** The tool it needs is not on the instance (exit 127, or systemd not running). */
  unavailable: boolean;
}

const MARK = '@@ydeploy-doctor';
const PORT = '${YDEPLOY_HEALTH_PORT:-3000}';
const READY = `\${YDEPLOY_READY_FILE:-${READY_FILE_DEFAULT}}`;

export interface ProbeTargets {
  /** Discord's REST base as configured (https://discord.com/api, or the emulator's). */
  discordApi: string;
  /** Hostnames the bot must resolve. */
  dnsNames: string[];
}

export function probes(targets: ProbeTargets): Probe[] {
  const gateway = `${targets.discordApi.replace(/\/+$/, '')}/v10/gateway`;
  return [
    ...unit('bot', 'discord-bot'),
    ...unit('health', 'discord-health'),
    { id: 'port', command: `ss -Hltnp "( sport = :${PORT} )"`, keep: 1000 },
    {
      id: 'health-endpoint',
      command: `curl -sS -m 5 -w '\\n%{http_code}' "http://127.0.0.1:${PORT}/health"`,
      keep: 1000,
    },
    { id: 'ready-file', command: `cat "${READY}"`, keep: 1500 },
    { id: 'clock', command: 'date +%s', keep: 50 },
    { id: 'dns', command: targets.dnsNames.map((name) => `getent hosts ${shellQuote(name)}`).join(' && '), keep: 500 },
    { id: 'outbound', command: `curl -sS -m 8 -o /dev/null -w '%{http_code}' ${shellQuote(gateway)}`, keep: 500 },
  ];
}

function unit(id: string, name: string): Probe[] {
  return [
    { id: `${id}-active`, command: `systemctl is-active ${name}`, keep: 200 },
    { id: `${id}-show`, command: `systemctl show -p ActiveState,SubState,NRestarts ${name}`, keep: 300 },
    { id: `${id}-logs`, command: `journalctl -u ${name} -n 20 --no-pager`, keep: 3000 },
  ];
}

/** One script: every probe, each framed by `@@ydeploy-doctor <id> <exit code>@@`. */
export function script(list: Probe[]): string[] {
  return list.map(
    (p) =>
      `out=$( { ${p.command}; } 2>&1 ); rc=$?; printf '%s %s %s@@\\n' '${MARK}' '${p.id}' "$rc"; printf '%s\\n' "$out" | tail -c ${p.keep}`,
  );
}

export function parseProbes(stdout: string): Map<string, ProbeResult> {
  const results = new Map<string, ProbeResult>();
  const pattern = new RegExp(`^${MARK} (\\S+) (\\d+)@@$`, 'gm');
  const marks = [...stdout.matchAll(pattern)];
  marks.forEach((mark, i) => {
    const start = mark.index! + mark[0].length + 1;
    const end = i + 1 < marks.length ? marks[i + 1]!.index! : stdout.length;
    const output = stdout.slice(start, end).replace(/\n+$/, '');
    const exitCode = Number(mark[2]);
    results.set(mark[1]!, { id: mark[1]!, exitCode, output, unavailable: isUnavailable(exitCode, output) });
  });
  return results;
}

function isUnavailable(exitCode: number, output: string): boolean {
  if (exitCode === 0) return false;
  return (
    exitCode === 127 ||
    /command not found|System has not been booted with systemd|Failed to connect to bus|not inside a sandbox instance/.test(
      output,
    )
  );
}
