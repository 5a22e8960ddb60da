// One /health probe of an instance through SSM Run Command (the port is reachable inside the
// VPC only), for status, health and monitor. The script and the body's contract (DESIGN.md
// §4.1) are the health gate's own (core/gate/probe.ts): one definition of "healthy".
import type { Context } from '../core/context.js';
import { healthScript, parseHealthOutput, type HealthBody } from '../core/gate/probe.js';
import { poll } from '../core/poll.js';
import type { Instance, InstanceKind, RemoteExec } from '../ports.js';
import { matches, type Selector } from './targets.js';
import { groupOf } from './shards.js';

export type { HealthBody };

/**
 * healthy/starting/unhealthy/stopping: what the body said. down: SSM reached the instance but
 * nothing answered on the health port. unreachable: SSM could not run the probe. invalid: an
 * answer that breaks the contract.
 */
export type HealthState = HealthBody['status'] | 'down' | 'unreachable' | 'invalid';

export interface HealthProbe {
  instanceId: string;
  kind: InstanceKind;
  /** A sharded fleet's instance: its group ("s0-1of4"), from its tags. */
  group?: string;
  state: HealthState;
  httpStatus?: number;
  body?: HealthBody;
  /** The bot's role in the active/standby handoff, from the body. */
  botRole?: 'active' | 'standby';
  reason?: string;
  /** The health server's own response time (curl), when it answered. */
  responseMs?: number;
  /** The whole SSM round trip. */
  latencyMs: number;
  at: number;
}

export interface ProbeOptions {
  port: number;
  path: string;
  /** Give up on the SSM round trip after this long (unreachable). */
  timeoutMs: number;
  signal?: AbortSignal;
  now?: () => number;
}

/** What the probe's output says, in the states status and monitor show. */
export function readProbeOutput(
  stdout: string,
): Pick<HealthProbe, 'state' | 'httpStatus' | 'body' | 'botRole' | 'reason' | 'responseMs'> {
  const reading = parseHealthOutput(stdout);
  if (reading.kind === 'unreachable') return { state: 'down', reason: 'nothing answered on the health port' };
  if (reading.kind === 'invalid')
    return { state: 'invalid', httpStatus: reading.code, reason: `HTTP ${reading.code}: ${reading.problem}` };
  const { body } = reading;
  return {
    state: body.status,
    httpStatus: reading.code,
    body,
    botRole: body.role,
    reason: body.reason,
    responseMs: reading.responseMs,
  };
}

/** The instance facts a probe carries: its id and kind, and its shards on a sharded fleet. */
export type Probed = Pick<Instance, 'id' | 'kind'> & Partial<Pick<Instance, 'shards' | 'shardCount'>>;

function probeBase(instance: Probed, at: number): Pick<HealthProbe, 'instanceId' | 'kind' | 'group' | 'at'> {
  const group = groupOf(instance);
  return { instanceId: instance.id, kind: instance.kind, ...(group ? { group } : {}), at };
}

export async function probeHealth(remote: RemoteExec, instance: Probed, options: ProbeOptions): Promise<HealthProbe> {
  const now = options.now ?? Date.now;
  const started = now();
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const base = probeBase(instance, started);
  try {
    const result = await remote.run(instance.id, [healthScript(options.port, options.path)], {
      timeoutSeconds: 30,
      comment: 'ydeploy health probe',
      signal,
    });
    const latencyMs = now() - started;
    if (result.status !== 'Success') {
      return {
        ...base,
        latencyMs,
        state: 'unreachable',
        reason: `SSM command ${result.status}${result.stderr ? `: ${result.stderr.trim().slice(0, 120)}` : ''}`,
      };
    }
    return { ...base, latencyMs, ...readProbeOutput(result.stdout) };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const why = timeout.aborted
      ? `no answer through SSM within ${options.timeoutMs / 1000}s`
      : (error as Error).message;
    return { ...base, latencyMs: now() - started, state: 'unreachable', reason: why };
  }
}

export function probeAll(remote: RemoteExec, instances: Probed[], options: ProbeOptions): Promise<HealthProbe[]> {
  return Promise.all(instances.map((instance) => probeHealth(remote, instance, options)));
}

export const isHealthy = (probe: HealthProbe): boolean => probe.state === 'healthy';

/** One SSM round trip; real SSM takes a few seconds, so this is generous. */
const PROBE_TIMEOUT_MS = 15_000;

type ProbeContext = Pick<Context, 'env' | 'remote' | 'clock' | 'signal'>;

/** Probes the running ones; an instance not running reads "unreachable", its state the reason. */
export async function probeInstances(ctx: ProbeContext, chosen: Instance[]): Promise<HealthProbe[]> {
  const { port, path } = ctx.env.health;
  const running = chosen.filter((i) => i.state === 'running');
  const options = { port, path, timeoutMs: PROBE_TIMEOUT_MS, signal: ctx.signal, now: ctx.clock.now };
  const probes = await probeAll(ctx.remote, running, options);
  const now = ctx.clock.now();
  const idle = chosen.filter((i) => i.state !== 'running').map((i) => notRunning(i, now));
  return [...probes, ...idle];
}

/** What a probe of an instance that is not running reads: unreachable, its state the reason. */
export function notRunning(instance: Probed & Pick<Instance, 'state'>, at: number): HealthProbe {
  return { ...probeBase(instance, at), state: 'unreachable', reason: `instance is ${instance.state}`, latencyMs: 0 };
}

/**
 * `health --wait`: probes the selected instances every poll interval until all are healthy or
 * the timeout (instances that appear meanwhile join in). `progress` hears each round's states.
 */
export async function waitHealthy(
  ctx: ProbeContext & Pick<Context, 'instances'>,
  selector: Selector,
  options: { timeoutMs: number; progress(states: string): void },
): Promise<{ probes: HealthProbe[]; healthy: boolean; states: string }> {
  let last = { probes: [] as HealthProbe[], healthy: false, states: '' };
  const round = async () => {
    const chosen = (await ctx.instances.list(ctx.env.name)).filter((i) => matches(selector, i));
    const probes = await probeInstances(ctx, chosen);
    const states = probes.map((x) => `${x.kind} ${x.state}`).join(', ') || 'no instance yet';
    last = { probes, healthy: probes.length > 0 && probes.every(isHealthy), states };
    if (last.healthy) return last;
    options.progress(states);
    return undefined;
  };
  const { pollInterval } = ctx.env.health;
  return poll(
    { timeoutMs: options.timeoutMs, intervalMs: pollInterval, clock: ctx.clock, signal: ctx.signal },
    round,
    () => last,
  );
}
