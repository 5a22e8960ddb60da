// Tables and screens for status, health, history and monitor: data for stdout, built here so
// nothing else in cli/ formats for the terminal.
import Table from 'cli-table3';
import ms from 'ms';
import type { Paint } from './paint.js';
import { parsePino } from './logline.js';
import type { StatusReport, InstanceStatus } from '../inspect/status.js';
import type { HealthProbe, HealthState } from '../inspect/health.js';
import type { HistoryEntry } from '../inspect/history.js';
import type { Alert, MonitorSummary } from '../inspect/monitor.js';
import type { ReleaseInfo } from '../inspect/release-info.js';
import type { FleetStatus } from '../inspect/fleet.js';
import { shardsOfBody, shardSummary } from '../inspect/shards.js';
import { resetIn } from '../core/budget.js';
import { metricsText, outlierText, trendSection, type TrendOptions } from './history-metrics.js';

function table(head: string[], p: Paint): InstanceType<typeof Table> {
  return new Table({ head: head.map((h) => p.bold(h)), style: { head: [], border: [], compact: true } });
}

export function duration(msValue: number | undefined): string {
  if (msValue === undefined || !Number.isFinite(msValue)) return '—';
  if (msValue < 1000) return `${Math.round(msValue)}ms`;
  return ms(Math.round(msValue));
}

export function healthText(probe: Pick<HealthProbe, 'state' | 'botRole'>, p: Paint): string {
  const colour: Record<HealthState, (t: string) => string> = {
    healthy: p.green,
    starting: p.yellow,
    stopping: p.yellow,
    unhealthy: p.red,
    down: p.red,
    invalid: p.red,
    unreachable: p.red,
  };
  return colour[probe.state](probe.state) + (probe.botRole ? ` (${probe.botRole})` : '');
}

function ip(i: Pick<InstanceStatus, 'privateIp' | 'publicIp'>): string {
  return [i.privateIp, i.publicIp].filter(Boolean).join(' / ') || '—';
}

/** "dice-bot@1.2.0 3f9c2ab (dirty)": what a release is, from its manifest; undefined when it records neither. */
export function releaseText(info: ReleaseInfo): string | undefined {
  const parts = [
    info.bot ? `${info.bot.name}@${info.bot.version}` : '',
    info.commit ? `${info.commit.slice(0, 7)}${info.dirty ? ' (dirty)' : ''}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}

function kindText(kind: string, p: Paint): string {
  return kind === 'legacy' ? p.magenta(kind) : kind === 'enhanced' ? p.cyan(kind) : kind;
}

/** What a section that could not be read shows: never empty, free or none. */
const UNKNOWN = 'unknown (could not be read)';

export function renderStatus(report: StatusReport, p: Paint): string {
  const out: string[] = [];
  const unknown = p.yellow(UNKNOWN);
  out.push(`${p.bold(`ydeploy status — ${report.environment}`)} ${p.dim(`${report.at} (${duration(report.tookMs)})`)}`);
  out.push('', p.bold('Instances'));
  if (!report.instances) out.push(`  ${unknown}`);
  else if (report.instances.length) {
    const t = table(['kind', 'instance', 'state', 'subnet', 'ip', 'release', 'bot', 'uptime', 'health'], p);
    for (const i of report.instances) {
      t.push([
        kindText(i.kind, p),
        i.id,
        i.state,
        i.subnet,
        ip(i),
        i.release ?? '—',
        releaseText(i) ?? '—',
        duration(i.uptimeSeconds === undefined ? undefined : i.uptimeSeconds * 1000),
        healthText(i.health, p),
      ]);
    }
    out.push(t.toString());
    for (const i of report.instances)
      if (i.health.reason && i.health.state !== 'healthy') out.push(p.dim(`  ${i.id}: ${i.health.reason}`));
  } else out.push(p.dim('  none'));
  if (report.fleet) out.push('', ...fleetSection(report.fleet, p));

  out.push('', p.bold('Network (network_configuration)'));
  if (report.network === undefined) out.push(`  ${unknown}`);
  else if (report.network === null) out.push(p.dim('  not available (nothing applied yet)'));
  else out.push(...flatten(report.network).map(([k, v]) => `  ${k}: ${v}`));

  out.push('', p.bold('Logs (last event per stream)'));
  if (!report.streams) out.push(`  ${unknown}`);
  else if (report.streams.length) {
    const kinds = new Map((report.instances ?? []).map((i) => [i.id, i.kind as string]));
    const t = table(['kind', 'stream', 'last event', 'message'], p);
    for (const s of report.streams) {
      // Without the instance list, a stream's instance is not known to be gone.
      const kind = kinds.get(s.instanceId) ?? (report.instances ? 'gone' : 'unknown');
      const age = s.ageSeconds === undefined ? '—' : `${duration(s.ageSeconds * 1000)} ago`;
      t.push([kindText(kind, p), s.name, age, truncate(messageText(s.lastMessage), 60)]);
    }
    out.push(t.toString());
  } else out.push(p.dim('  no streams'));

  out.push('', p.bold('Alarms'));
  if (!report.alarms) out.push(`  ${unknown}`);
  else if (report.alarms.length) {
    for (const a of report.alarms) {
      const state =
        a.state === 'OK' ? p.green('OK') : a.state === 'ALARM' ? p.red('ALARM') : p.yellow('INSUFFICIENT_DATA');
      out.push(`  ${state}${' '.repeat(Math.max(1, 18 - a.state.length))}${a.name}`);
    }
  } else out.push(p.dim('  none'));

  out.push('', `${p.bold('Lock')}  ${lockText(report, p)}`);
  const d = report.lastDeployment;
  const last =
    d === undefined
      ? unknown
      : d
        ? `${d.command} ${d.id} by ${d.who}, ${d.started} — ${outcomeText(d.outcome, p)}${d.error ? ` (${d.error})` : ''}`
        : p.dim('none');
  out.push(`${p.bold('Last deployment')}  ${last}`);
  const errors = Object.entries(report.errors);
  if (errors.length) out.push('', p.yellow('Could not read:'), ...errors.map(([k, v]) => `  ${k}: ${v}`));
  return out.join('\n');
}

/** A fleet's groups, one row each, and the identify budget the next rollout spends. */
function fleetSection(fleet: FleetStatus, p: Paint): string[] {
  const groups = fleet.groups.length;
  const out = [p.bold(`Shard groups (${fleet.shardCount} shards, ${groups} group${groups === 1 ? '' : 's'})`)];
  const t = table(['group', 'release', 'role', 'instance', 'state', 'health', 'shards'], p);
  for (const g of fleet.groups) {
    const state = g.state === 'missing' ? p.red('missing') : g.state === 'unknown' ? p.yellow('unknown') : g.state;
    t.push([
      g.name,
      g.release,
      g.role ?? p.dim('retiring'),
      g.instanceId ?? '—',
      state,
      g.health ? healthText({ state: g.health, botRole: g.botRole }, p) : '—',
      shardSummary(g.shardHealth) ?? '—',
    ]);
  }
  out.push(t.toString());
  for (const g of fleet.groups) if (g.reason) out.push(p.dim(`  ${g.name} ${g.instanceId}: ${g.reason}`));
  const b = fleet.budget;
  const budget = b
    ? `${b.remaining} of ${b.total} session starts left, max_concurrency ${b.maxConcurrency}, resets at ${b.resetAt} (${resetIn(b)})`
    : p.yellow(`unknown: ${fleet.budgetError ?? 'not read'}`);
  out.push(`${p.bold('Identify budget')}  ${budget}`);
  return out;
}

function lockText(report: StatusReport, p: Paint): string {
  const l = report.lock;
  if (l === undefined) return p.yellow(UNKNOWN);
  if (!l) return p.green('free');
  const text = `held by ${l.holder} (${l.command}) since ${l.since}, expires ${l.expiresAt}`;
  return l.expired ? p.yellow(`expired — ${text}`) : p.red(text);
}

export function outcomeText(outcome: string, p: Paint): string {
  if (outcome === 'succeeded') return p.green(outcome);
  if (outcome === 'running') return p.cyan(outcome);
  if (outcome === 'skipped') return p.dim(outcome);
  return p.red(outcome);
}

/** Nested terraform output as `a.b.c: value` lines. */
export function flatten(value: unknown, path = ''): [string, string][] {
  if (value === null || value === undefined) return path ? [[path, 'null']] : [];
  if (Array.isArray(value))
    return [
      [
        path,
        value.length ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ') : '[]',
      ],
    ];
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, path ? `${path}.${k}` : k));
  return [[path, String(value)]];
}

/** A pino line's msg, anything else as it is. */
function messageText(message: string | undefined): string {
  if (!message) return '';
  return parsePino(message)?.msg ?? message;
}

function truncate(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** Instances of a sharded fleet (any probe carries a group) add the group and its shards. */
export function renderHealth(probes: HealthProbe[], p: Paint): string {
  const fleet = probes.some((x) => x.group);
  const head = ['kind', 'instance', 'health', 'http', 'version', 'uptime', 'discord', 'probe', 'reason'];
  const t = table(fleet ? ['group', ...head.slice(0, 7), 'shards', ...head.slice(7)] : head, p);
  const ordered = fleet ? [...probes].sort((a, b) => groupOrder(a) - groupOrder(b)) : probes;
  for (const probe of ordered) {
    const b = probe.body;
    const discord = b?.discord
      ? `${b.discord.ready ? 'ready' : 'not ready'}${b.discord.ping !== undefined && b.discord.ping >= 0 ? ` ${b.discord.ping}ms` : ''}`
      : '—';
    const shards = fleet ? [shardSummary(shardsOfBody(b).shards) ?? '—'] : [];
    t.push([
      ...(fleet ? [probe.group ?? '—'] : []),
      kindText(probe.kind, p),
      probe.instanceId,
      healthText(probe, p),
      probe.httpStatus ?? '—',
      b?.version ?? '—',
      b?.uptime !== undefined ? duration(b.uptime * 1000) : '—',
      discord,
      ...shards,
      duration(probe.latencyMs),
      truncate(probe.reason ?? '', 50),
    ]);
  }
  return t.toString();
}

/** Fleet rows in shard order ("s2-3of4" by its first shard); instances of no group last. */
function groupOrder(probe: Pick<HealthProbe, 'group'>): number {
  const first = /^s(\d+)/.exec(probe.group ?? '')?.[1];
  return first === undefined ? Number.MAX_SAFE_INTEGER : Number(first);
}

export function renderHistory(entries: HistoryEntry[], p: Paint, trend: TrendOptions = { width: 80 }): string {
  if (!entries.length) return p.dim('no deployments in the journal yet');
  const chart = trendSection(entries, p, trend);
  const out: string[] = chart.length ? [...chart, ''] : [];
  for (const e of entries) {
    const took = e.seconds !== undefined ? duration(e.seconds * 1000) : 'still running or stopped';
    const about = releaseText(e);
    const release = e.release ? ` ${e.release}${about ? ` (${about})` : ''}` : '';
    out.push(
      `${p.bold(e.id)}  ${e.command}${release} by ${e.who}  ${e.started}  ${took}  ${outcomeText(e.outcome, p)}`,
    );
    if (e.identity) out.push(`  ${p.dim(`as ${e.identity}`)}`);
    if (e.error) out.push(`  ${p.red(e.error)}`);
    out.push(`  ${metricsText(e.metrics, p)}`);
    for (const o of e.outliers ?? []) out.push(`  ${p.yellow(`⚠ ${outlierText(o, e.command)}`)}`);
    for (const s of e.steps) {
      const time = s.seconds !== undefined ? duration(s.seconds * 1000) : '—';
      out.push(
        `  ${time.padStart(7)}  ${outcomeText(s.outcome, p)}${' '.repeat(Math.max(1, 12 - s.outcome.length))}${s.title}${s.detail ? p.dim(` — ${s.detail}`) : ''}`,
      );
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

export function renderMonitorRound(probes: HealthProbe[], at: number, p: Paint): string {
  const time = new Date(at).toISOString().slice(11, 19);
  const parts = probes.length
    ? probes.map((x) => `${kindText(x.kind, p)} ${x.instanceId} ${healthText(x, p)}`)
    : [p.red('no running instance')];
  return `${p.dim(time)}  ${parts.join('  ')}`;
}

export function renderAlert(alert: Alert): string {
  return `ALERT [${alert.kind}] ${alert.message}`;
}

export function renderMonitorSummary(summary: MonitorSummary, p: Paint): string {
  const out: string[] = [];
  const how = summary.interrupted ? 'stopped early' : 'finished';
  out.push(
    p.bold(
      `monitor ${how} after ${duration(summary.seconds * 1000)}: ${summary.rounds} rounds, ${summary.alerts.length} alert(s)`,
    ),
  );
  if (summary.instances.length) {
    const t = table(
      ['kind', 'instance', 'probes', 'healthy', 'availability', 'last', 'probe (median)', 'discord ping (median)'],
      p,
    );
    for (const i of summary.instances) {
      t.push([
        kindText(i.kind, p),
        i.id,
        i.probes,
        i.healthy,
        `${i.availability}%`,
        i.lastState ?? '—',
        duration(i.medianProbeMs),
        i.medianDiscordPingMs === undefined ? '—' : `${i.medianDiscordPingMs}ms`,
      ]);
    }
    out.push(t.toString());
  }
  const lines = summary.metrics?.lines.filter((l) => l.peak !== undefined) ?? [];
  if (lines.length) {
    out.push(
      `  metrics over the last hour (peak / last), ${summary.metrics!.calls} GetMetricData call(s) in ${summary.metrics!.reads} refreshes:`,
    );
    for (const l of lines) out.push(`    ${l.chart} ${l.label}: ${l.peak}${l.unit} / ${l.last}${l.unit}`);
  }
  for (const a of summary.alarms)
    out.push(`  alarm ${a.name} (${a.kind}): ${a.state === 'ALARM' ? p.red(a.state) : a.state}`);
  for (const a of summary.alerts) out.push(p.red(`  ${a.at} ${renderAlert(a)}`));
  if (summary.unreadRounds)
    out.push(
      p.yellow(
        `  ${summary.unreadRounds} round(s) could not read the instances, alarms or metrics: what they would have shown is unknown`,
      ),
    );
  return out.join('\n');
}

/** Cursor home + clear screen: `status --watch` redraws in place on a terminal. */
export function clearScreen(): string {
  return '\x1b[H\x1b[2J';
}
