// `monitor`: the guide's post-deployment watch. Health is probed every interval; alarms are
// read each time. Alerts fire at the guide's thresholds. CPU, memory and NAT come from the
// CloudWatch alarms the terraform module creates (their state is what CloudWatch evaluated).
import type { Alarm } from '../ports.js';
import type { Context } from '../core/context.js';
import { CredentialsError } from '../errors.js';
import { probeAll, type HealthProbe } from './health.js';
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
  /** Rounds whose instances or alarms could not be read: what they would have shown is unknown. */
  unreadRounds: number;
}

/** The thresholds' memory: pure, fed by each round's probes and alarms. */
export class MonitorState {
  private readonly tallies = new Map<string, InstanceTally>();
  private readonly alarmStates = new Map<string, { state: Alarm['state']; kind: AlertKind }>();
  private emptyRounds: number[] = [];
  private emptyAlerted = false;
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
    };
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

function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]);
}

export type MonitorDeps = Pick<Context, 'env' | 'instances' | 'remote' | 'alarms' | 'clock'> &
  Partial<Pick<Context, 'signal'>>;

export interface MonitorHooks {
  onRound?(round: { probes: HealthProbe[]; alarms: Alarm[]; at: number }): void;
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
  for (let round = 0; ; round++) {
    if (deps.signal?.aborted) {
      interrupted = true;
      break;
    }
    const at = deps.clock.now();
    let unread = false;
    try {
      const [probes, alarms] = await Promise.all([
        deps.instances.list(deps.env.name).then((list) =>
          probeAll(
            deps.remote,
            list.filter((i) => i.state === 'running'),
            {
              port: deps.env.health.port,
              path: deps.env.health.path,
              timeoutMs,
              signal: deps.signal,
              now: deps.clock.now,
            },
          ),
        ),
        deps.alarms.list(alarmPrefix(deps.env)).catch((error: unknown) => {
          fatal(error);
          hooks.onError?.('cannot read alarms', error);
          unread = true;
          return [] as Alarm[];
        }),
      ]);
      const fired = [...state.observeProbes(probes, at), ...state.observeAlarms(alarms, at)];
      hooks.onRound?.({ probes, alarms, at });
      for (const alert of fired) hooks.onAlert?.(alert);
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

async function sleepQuietly(deps: MonitorDeps, ms: number): Promise<void> {
  try {
    await deps.clock.sleep(ms, deps.signal);
  } catch {
    /* Ctrl-C: the loop sees the aborted signal */
  }
}
