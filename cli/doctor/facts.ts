// What doctor learned about one instance, read into plain facts the rules reason about.
import type { Instance, InstanceNetwork, NatGateway, RouteTable, SecurityGroup } from '../ports.js';
import type { ProbeResult } from './probes.js';

export interface NetworkFacts {
  network: InstanceNetwork;
  natGateways: NatGateway[];
  routeTable?: RouteTable;
  securityGroups: SecurityGroup[];
}

export interface DoctorFacts {
  instance: Instance;
  healthPort: number;
  sandbox: boolean;
  /** Why the on-instance script gave nothing (SSM failed); undefined when it ran. */
  remoteError?: string;
  probes: Map<string, ProbeResult>;
  /** Why the EC2 API facts are missing; undefined when they were read. */
  networkError?: string;
  net?: NetworkFacts;
}

const SYSTEMD_STATES = new Set([
  'active',
  'inactive',
  'failed',
  'activating',
  'deactivating',
  'reloading',
  'maintenance',
]);

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop()?.trim().slice(0, 200) ?? 'no output';
}

export interface UnitFacts {
  name: string;
  available: boolean;
  /** systemctl ran but said nothing that is a unit state (its last line). */
  unreadable?: string;
  active: string;
  subState?: string;
  restarts: number;
  logLines: string[];
}

export function unitFacts(facts: DoctorFacts, id: 'bot' | 'health', name: string): UnitFacts | undefined {
  const active = facts.probes.get(`${id}-active`);
  if (!active) return undefined;
  const show = parseProperties(facts.probes.get(`${id}-show`)?.output ?? '');
  const said = active.output.trim().split('\n')[0] ?? '';
  const state = SYSTEMD_STATES.has(said)
    ? said
    : SYSTEMD_STATES.has(show.ActiveState ?? '')
      ? show.ActiveState!
      : undefined;
  return {
    name,
    available: !active.unavailable && state !== undefined,
    unreadable: state === undefined && !active.unavailable ? lastLine(active.output) : undefined,
    active: state ?? 'unknown',
    subState: show.SubState,
    restarts: Number(show.NRestarts ?? 0) || 0,
    logLines: logLines(facts.probes.get(`${id}-logs`)),
  };
}

export function logLines(probe: ProbeResult | undefined): string[] {
  if (!probe || probe.unavailable) return [];
  return probe.output
    .split('\n')
    .filter((line) => line.trim() && !/^-- No entries --$|^No journal files were found/.test(line.trim()));
}

function parseProperties(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => /^(\w+)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
}

export interface Readiness {
  pid?: number;
  heartbeatAt?: number;
  state?: string;
  discordReady?: boolean;
}

export function readiness(
  facts: DoctorFacts,
): { present: boolean; parsed?: Readiness; invalid?: boolean; ageMs?: number } | undefined {
  const probe = facts.probes.get('ready-file');
  if (!probe) return undefined;
  if (probe.exitCode !== 0) return { present: false };
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(probe.output) as Record<string, unknown>;
  } catch {
    return { present: true, invalid: true };
  }
  const discord = (raw.discord ?? {}) as Record<string, unknown>;
  const parsed: Readiness = {
    pid: typeof raw.pid === 'number' ? raw.pid : undefined,
    heartbeatAt:
      typeof raw.heartbeatAt === 'number' ? raw.heartbeatAt : Date.parse(String(raw.heartbeatAt ?? '')) || undefined,
    state: typeof raw.state === 'string' ? raw.state : undefined,
    discordReady: typeof discord.ready === 'boolean' ? discord.ready : undefined,
  };
  const now = Number(facts.probes.get('clock')?.output.trim()) * 1000;
  const ageMs =
    parsed.heartbeatAt && Number.isFinite(now) && now > 0 ? Math.max(0, now - parsed.heartbeatAt) : undefined;
  return { present: true, parsed, ageMs };
}

/** `curl -w '\n%{http_code}'`: the body, then the status (000 when nothing answered). */
export function httpProbe(
  probe: ProbeResult | undefined,
): { status: number; body: string; error?: string } | undefined {
  if (!probe || probe.unavailable) return undefined;
  const lines = probe.output.split('\n');
  const status = Number(lines.pop()?.trim() ?? '0') || 0;
  const body = lines
    .filter((l) => !l.startsWith('curl: ('))
    .join('\n')
    .trim();
  const error = lines.find((l) => l.startsWith('curl: ('))?.replace(/^curl: \(\d+\)\s*/, '');
  return { status, body, error };
}
