// `monitor`: the guide's post-deployment watch. Each refresh probes health, reads the alarms and
// reads every metric of the environment in one batch (CPU, memory, the health server's own
// response time and failures, the NAT). Alerts fire at the guide's thresholds, evaluated here on
// the datapoints (so they work where alarms are never evaluated) and from the alarms' states.
import type { Alarm, Instance, Metrics } from '../ports.js';
import type { Context } from '../core/context.js';
import { metricNamespace } from '../config/names.js';
import { CredentialsError } from '../errors.js';
import { probeAll, type HealthProbe } from './health.js';
import { arrange, evaluate, planQueries, WINDOW_MS, type MetricsReading, type MetricTargets } from './metrics.js';
import { alarmPrefix } from './status.js';

export type AlertKind = 'health' | 'cpu' | 'memory' | 'nat' | 'alarm';

/** The guide's alert thresholds (section "Monitoring"). */
export const THRESHOLDS: Record<AlertKind, string> = {
  health: 'health failures > 3 in 5 minutes',
  cpu: 'CPU > 80% for 10 minutes',
  memory: 'memory > 90% for 5 minutes',
  nat: 'NAT gateway error rate > 1%',
  alarm: 'a CloudWatch alarm of the environment is in ALARM',
};
export const HEALTH_FAILURES = 3;
export const HEALTH_WINDOW_MS = 5 * 60_000;

export interface Alert {
  at: string;
  kind: AlertKind;
  /** Instance id or alarm name. */
  subject: string;
  message: string;
}

export function classifyAlarm(alarm: Pick<Alarm, 'name' | 'metric'>): AlertKind {
  const text = `${alarm.metric ?? ''} ${alarm.name}`.toLowerCase();
  // The NAT instance's alarms (status checks, CPU credits) are about neither the bot's CPU and
  // health nor the NAT gateway's error rate: they are told as themselves.
  if (/nat-instance/.test(text)) return 'alarm';
  if (/cpu/.test(text)) return 'cpu';
  if (/mem/.test(text)) return 'memory';
  if (/nat|portallocation|port-allocation|packetsdrop/.test(text)) return 'nat';
  if (/health|statuscheck|status-check/.test(text)) return 'health';
  return 'alarm';
}

interface InstanceTally {
  id: string;
  kind: string;
  probes: number;
  healthy: number;
  failures: number[];
  alerted: boolean;
  latencies: number[];
  pings: number[];
  last?: HealthProbe;
}

export interface MonitorSummary {
  started: string;
  ended: string;
  seconds: number;
  interrupted: boolean;
  rounds: number;
  instances: {
    id: string;
    kind: string;
    probes: number;
    healthy: number;
    availability: number;
    lastState?: string;
    medianProbeMs?: number;
    medianDiscordPingMs?: number;
  }[];
  alarms: { name: string; kind: AlertKind; state: Alarm['state'] }[];
  alerts: Alert[];
  /** Rounds whose instances, alarms or metrics could not be read: what they would have shown is unknown. */
  unreadRounds: number;
  /** The metric reads: how many, the GetMetricData calls they took, and each line's peak and last value. */
  metrics?: {
    reads: number;
    calls: number;
    lines: { chart: string; subject: string; label: string; unit: string; peak?: number; last?: number }[];
  };
}

/** The thresholds' memory: pure, fed by each round's probes and alarms. */
export class MonitorState {
  private readonly tallies = new Map<string, InstanceTally>();
  private readonly alarmStates = new Map<string, { state: Alarm['state']; kind: AlertKind }>();
  private emptyRounds: number[] = [];
  private emptyAlerted = false;
  /** Thresholds the datapoints cross now, by kind and subject: an alert fires when one starts. */
  private breaching = new Set<string>();
  private metricReads = 0;
  private metricCalls = 0;
  private lastReading?: MetricsReading;
  readonly alerts: Alert[] = [];
  rounds = 0;

  observeProbes(probes: HealthProbe[], now: number): Alert[] {
    this.rounds++;
    const fired: Alert[] = [];
    if (!probes.length) {
      // No running instance at all is the worst health failure there is.
      this.emptyRounds = [...this.emptyRounds.filter((t) => t > now - HEALTH_WINDOW_MS), now];
      if (this.emptyRounds.length > HEALTH_FAILURES && !this.emptyAlerted) {
        this.emptyAlerted = true;
        fired.push(
          this.alert(
            now,
            'health',
            'environment',
            `no running instance in ${this.emptyRounds.length} probes within 5 minutes (${THRESHOLDS.health})`,
          ),
        );
      }
      return fired;
    }
    this.emptyAlerted = false;
    this.emptyRounds = [];
    for (const probe of probes) {
      const t = this.tally(probe);
      t.probes++;
      t.last = probe;
      t.latencies.push(probe.latencyMs);
      if (probe.body?.discord?.ping !== undefined) t.pings.push(probe.body.discord.ping);
      t.failures = t.failures.filter((at) => at > now - HEALTH_WINDOW_MS);
      if (probe.state === 'healthy') t.healthy++;
      else t.failures.push(now);
      if (t.failures.length > HEALTH_FAILURES && !t.alerted) {
        t.alerted = true;
        const why = probe.reason ? `: ${probe.reason}` : '';
        fired.push(
          this.alert(
            now,
            'health',
            probe.instanceId,
            `${probe.kind} ${probe.instanceId}: ${t.failures.length} failed health probes within 5 minutes, last ${probe.state}${why} (${THRESHOLDS.health})`,
          ),
        );
      } else if (t.failures.length <= HEALTH_FAILURES) {
        t.alerted = false;
      }
    }
    return fired;
  }

  observeAlarms(alarms: Pick<Alarm, 'name' | 'state' | 'metric' | 'reason'>[], now: number): Alert[] {
    const fired: Alert[] = [];
    for (const alarm of alarms) {
      const kind = classifyAlarm(alarm);
      const before = this.alarmStates.get(alarm.name)?.state;
      this.alarmStates.set(alarm.name, { state: alarm.state, kind });
      if (alarm.state === 'ALARM' && before !== 'ALARM') {
        fired.push(
          this.alert(
            now,
            kind,
            alarm.name,
            `alarm ${alarm.name} is in ALARM (${THRESHOLDS[kind]})${alarm.reason ? `: ${alarm.reason}` : ''}`,
          ),
        );
      }
    }
    return fired;
  }

  /** A metric reading: each threshold its datapoints cross fires one alert, again only after it cleared. */
  observeMetrics(reading: MetricsReading, now: number): Alert[] {
    this.metricReads++;
    this.metricCalls += reading.cost.calls;
    this.lastReading = reading;
    const fired: Alert[] = [];
    const now_ = new Set<string>();
    for (const breach of evaluate(reading, now)) {
      const key = `${breach.kind}:${breach.subject}`;
      now_.add(key);
      if (this.breaching.has(key)) continue;
      // The probes already told this instance's health failures: one alert for one problem.
      if (breach.kind === 'health' && this.tallies.get(breach.subject)?.alerted) continue;
      fired.push(this.alert(now, breach.kind, breach.subject, `${breach.message} (${THRESHOLDS[breach.kind]})`));
    }
    this.breaching = now_;
    return fired;
  }

  summary(started: number, ended: number, interrupted: boolean, unreadRounds = 0): MonitorSummary {
    return {
      started: new Date(started).toISOString(),
      ended: new Date(ended).toISOString(),
      seconds: Math.round((ended - started) / 1000),
      interrupted,
      rounds: this.rounds,
      instances: [...this.tallies.values()].map((t) => ({
        id: t.id,
        kind: t.kind,
        probes: t.probes,
        healthy: t.healthy,
        availability: t.probes ? Math.round((t.healthy / t.probes) * 10_000) / 100 : 0,
        lastState: t.last?.state,
        medianProbeMs: median(t.latencies),
        medianDiscordPingMs: median(t.pings),
      })),
      alarms: [...this.alarmStates].map(([name, a]) => ({ name, kind: a.kind, state: a.state })),
      alerts: this.alerts,
      unreadRounds,
      ...(this.metricReads ? { metrics: this.metricsSummary() } : {}),
    };
  }

  private metricsSummary(): NonNullable<MonitorSummary['metrics']> {
    const lines = (this.lastReading?.charts ?? []).flatMap((chart) =>
      chart.lines.map((line) => {
        const values = line.points.map((p) => p.value);
        return {
          chart: chart.key,
          subject: line.subject,
          label: line.label,
          unit: chart.unit.trim(),
          ...(values.length ? { peak: round2(Math.max(...values)), last: round2(values[values.length - 1]) } : {}),
        };
      }),
    );
    return { reads: this.metricReads, calls: this.metricCalls, lines };
  }

  private tally(probe: HealthProbe): InstanceTally {
    let t = this.tallies.get(probe.instanceId);
    if (!t) {
      t = {
        id: probe.instanceId,
        kind: probe.kind,
        probes: 0,
        healthy: 0,
        failures: [],
        alerted: false,
        latencies: [],
        pings: [],
      };
      this.tallies.set(probe.instanceId, t);
    }
    return t;
  }

  private alert(now: number, kind: AlertKind, subject: string, message: string): Alert {
    const alert = { at: new Date(now).toISOString(), kind, subject, message };
    this.alerts.push(alert);
    return alert;
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]);
}

export type MonitorDeps = Pick<Context, 'env' | 'instances' | 'remote' | 'alarms' | 'clock'> &
  Partial<Pick<Context, 'signal' | 'metrics'>>;

export interface MonitorHooks {
  /** `metrics` is absent when there is no Metrics port or the read failed (onError said why). */
  onRound?(round: { probes: HealthProbe[]; alarms: Alarm[]; metrics?: MetricsReading; at: number }): void;
  onAlert?(alert: Alert): void;
  /** A round whose alarms could not be read; the watch goes on. */
  onError?(what: string, error: unknown): void;
}

/** Watches until `durationMs` has passed or the signal aborts (Ctrl-C ends it with a summary). */
export async function runMonitor(
  deps: MonitorDeps,
  options: { durationMs: number; intervalMs: number },
  hooks: MonitorHooks = {},
): Promise<MonitorSummary> {
  const state = new MonitorState();
  const started = deps.clock.now();
  const end = started + options.durationMs;
  const timeoutMs = Math.max(2_000, Math.min(options.intervalMs, 15_000));
  let interrupted = false;
  let unreadRounds = 0;
  // Missing or rejected credentials fail every round the same way: they end the watch at once.
  const fatal = (error: unknown) => {
    if (error instanceof CredentialsError) throw error;
  };
  const reader = deps.metrics ? new MetricsReader(deps.metrics, deps.env, deps.clock) : undefined;
  for (let round = 0; ; round++) {
    if (deps.signal?.aborted) {
      interrupted = true;
      break;
    }
    const at = deps.clock.now();
    let unread = false;
    try {
      const running = deps.instances.list(deps.env.name).then((list) => list.filter((i) => i.state === 'running'));
      const [probes, alarms, metrics] = await Promise.all([
        running.then((list) =>
          probeAll(deps.remote, list, {
            port: deps.env.health.port,
            path: deps.env.health.path,
            timeoutMs,
            signal: deps.signal,
            now: deps.clock.now,
          }),
        ),
        deps.alarms.list(alarmPrefix(deps.env)).catch((error: unknown) => {
          fatal(error);
          hooks.onError?.('cannot read alarms', error);
          unread = true;
          return [] as Alarm[];
        }),
        running.then((list) =>
          reader?.read(list, at).catch((error: unknown) => {
            fatal(error);
            hooks.onError?.('cannot read metrics', error);
            unread = true;
            return undefined;
          }),
        ),
      ]);
      const fired = [
        ...state.observeProbes(probes, at),
        ...state.observeAlarms(alarms, at),
        ...(metrics ? state.observeMetrics(metrics, at) : []),
      ];
      // Alerts before the round: a live frame is erased, the alerts written, then the frame redrawn below them.
      for (const alert of fired) hooks.onAlert?.(alert);
      hooks.onRound?.({ probes, alarms, metrics, at });
    } catch (error) {
      if (deps.signal?.aborted) {
        interrupted = true;
        break;
      }
      fatal(error);
      hooks.onError?.('cannot list instances', error);
      unread = true;
    }
    if (unread) unreadRounds++;
    const next = started + (round + 1) * options.intervalMs;
    if (next >= end) {
      if (end > deps.clock.now()) await sleepQuietly(deps, end - deps.clock.now());
      interrupted ||= Boolean(deps.signal?.aborted);
      break;
    }
    await sleepQuietly(deps, Math.max(0, next - deps.clock.now()));
  }
  return state.summary(started, deps.clock.now(), interrupted, unreadRounds);
}

/** How long a NAT that was not found is not looked for again. */
const NAT_RETRY_MS = 10 * 60_000;

/** One refresh's metrics: the queries for the running instances and the NAT, read in one batch. */
class MetricsReader {
  private nat?: MetricTargets['nat'];
  private natCheckedAt = -Infinity;

  constructor(
    private readonly metrics: Metrics,
    private readonly env: MonitorDeps['env'],
    private readonly clock: MonitorDeps['clock'],
  ) {}

  async read(instances: Instance[], now: number): Promise<MetricsReading> {
    const started = this.clock.now();
    const plan = planQueries({
      instances: instances.map(({ id, kind }) => ({ id, kind })),
      nat: await this.findNat(now),
      namespace: metricNamespace(this.env),
    });
    const { series, cost } = await this.metrics.read(plan.queries, new Date(now - WINDOW_MS), new Date(now));
    return { ...arrange(plan, series, now, cost), tookMs: this.clock.now() - started };
  }

  /** The module names its NAT (gateway or instance) `<project>-<environment>-nat`. */
  private async findNat(now: number): Promise<MetricTargets['nat']> {
    if (this.nat || now - this.natCheckedAt < NAT_RETRY_MS) return this.nat;
    this.natCheckedAt = now;
    this.nat = await this.metrics.nat(`${this.env.project}-${this.env.name}-nat`);
    return this.nat;
  }
}

async function sleepQuietly(deps: MonitorDeps, ms: number): Promise<void> {
  try {
    await deps.clock.sleep(ms, deps.signal);
  } catch {
    /* Ctrl-C: the loop sees the aborted signal */
  }
}
