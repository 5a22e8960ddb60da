// `status`: everything an operator looks at, gathered concurrently. Each section is read on
// its own: one that fails (or an instance SSM cannot reach) is reported, never fatal, and its
// value is left undefined — unknown, never read as empty, free or none. Missing or rejected AWS
// credentials are the exception: every section fails the same way, so they are one error.
import { readNetworkConfiguration } from './network.js';
import type { Alarm, Instance, LogStore } from '../ports.js';
import type { Context } from '../core/context.js';
import { CredentialsError } from '../errors.js';
import { readLock } from '../core/lock/lock.js';
import { listJournal } from '../core/journal/journal.js';
import { notRunning, probeAll, type HealthProbe } from './health.js';
import { logGroupName } from '../config/names.js';
import { parseStreamName } from './logs/streams.js';
import { releaseInfo, type ReleaseInfo } from './release-info.js';
import { fleetStatus, readFleet, type FleetInstance, type FleetStatus } from './fleet.js';
import { groupOf } from './shards.js';

/**
 * `releases` (the release bucket) adds each instance's bot name@version and commit; `secrets` and
 * `discord` a fleet's identify budget.
 */
export type StatusDeps = Pick<Context, 'env' | 'instances' | 'remote' | 'logs' | 'store' | 'alarms' | 'clock'> &
  Partial<Pick<Context, 'signal' | 'releases' | 'secrets' | 'discord'>>;

export interface InstanceStatus extends ReleaseInfo {
  id: string;
  kind: Instance['kind'];
  state: Instance['state'];
  subnet: 'private' | 'public' | 'unknown';
  subnetId?: string;
  privateIp?: string;
  publicIp?: string;
  release?: string;
  launchTime?: string;
  uptimeSeconds?: number;
  health: HealthProbe;
  /** A sharded fleet's instance: its shards of how many, and its group ("s0-1of4"). */
  shards?: number[];
  shardCount?: number;
  group?: string;
}

export interface StreamStatus {
  name: string;
  instanceId: string;
  kind: string;
  lastEventAt?: string;
  ageSeconds?: number;
  lastMessage?: string;
}

export interface LockStatus {
  holder: string;
  command: string;
  since: string;
  expiresAt: string;
  expired: boolean;
}

export interface DeploymentSummary {
  id: string;
  command: string;
  who: string;
  started: string;
  ended?: string;
  outcome: string;
  error?: string;
}

/**
 * Each section is undefined when it could not be read (unknown; its reason is in `errors`), so
 * `lock: null` always means "free", `alarms: []` "none", and never "we could not tell".
 */
export interface StatusReport {
  environment: string;
  at: string;
  tookMs: number;
  instances?: InstanceStatus[];
  /** terraform's network_configuration output; null when there is none (nothing applied yet). */
  network?: unknown;
  streams?: StreamStatus[];
  alarms?: Pick<Alarm, 'name' | 'state' | 'reason'>[];
  lock?: LockStatus | null;
  lastDeployment?: DeploymentSummary | null;
  /** A sharded fleet's groups and identify budget; absent when the desired state runs no fleet. */
  fleet?: FleetStatus;
  /** Sections that could not be read, and why. */
  errors: Record<string, string>;
}

/** The sections of a report that could not be read (shown as unknown). */
export const unknownSections = (report: Pick<StatusReport, 'errors'>): string[] => Object.keys(report.errors);

export interface StatusOptions {
  /** Budget of each health probe through SSM. */
  probeTimeoutMs?: number;
  /** Budget of every other section. */
  sectionTimeoutMs?: number;
}

export async function gatherStatus(deps: StatusDeps, options: StatusOptions = {}): Promise<StatusReport> {
  const { probeTimeoutMs = 2_500, sectionTimeoutMs = 2_800 } = options;
  const started = deps.clock.now();
  const errors: Record<string, string> = {};
  let credentials: CredentialsError | undefined;
  const section = async <T>(
    name: string,
    read: () => Promise<T>,
    budget = sectionTimeoutMs,
  ): Promise<T | undefined> => {
    try {
      return await within(budget, read());
    } catch (error) {
      if (deps.signal?.aborted) throw deps.signal.reason;
      if (error instanceof CredentialsError) credentials ??= error;
      errors[name] = (error as Error).message;
      return undefined;
    }
  };
  const [instances, network, streams, alarms, lock, lastDeployment, fleet] = await Promise.all([
    section('instances', () => readInstances(deps, probeTimeoutMs), sectionTimeoutMs + probeTimeoutMs),
    section('network', () => readNetwork(deps)),
    section('streams', () => readStreams(deps)),
    section('alarms', async () =>
      (await deps.alarms.list(alarmPrefix(deps.env))).map(({ name, state, reason }) => ({ name, state, reason })),
    ),
    section('lock', () => readLockStatus(deps)),
    section('lastDeployment', () => readLastDeployment(deps)),
    // desired.json, then (on a fleet) the identify budget, each within a section's time.
    section('fleet', () => readFleet(deps, (work) => within(sectionTimeoutMs, work)), 2 * sectionTimeoutMs),
  ]);
  if (credentials) throw credentials.about(`cannot read the status of ${deps.env.name}`);
  const now = deps.clock.now();
  return {
    environment: deps.env.name,
    at: new Date(now).toISOString(),
    tookMs: now - started,
    instances,
    network,
    streams,
    alarms,
    lock,
    lastDeployment,
    ...(fleet ? { fleet: fleetStatus(fleet, instances?.map(fleetInstance)) } : {}),
    errors,
  };
}

function fleetInstance(i: InstanceStatus): FleetInstance {
  return { ...i, launchTime: i.launchTime ? new Date(i.launchTime) : undefined };
}

/** CloudWatch alarm names are prefixed `<project>-<env>-` by the terraform module. */
export const alarmPrefix = (env: Pick<Context['env'], 'project' | 'name'>): string => `${env.project}-${env.name}-`;

async function readInstances(deps: StatusDeps, probeTimeoutMs: number): Promise<InstanceStatus[]> {
  const list = await deps.instances.list(deps.env.name);
  const running = list.filter((i) => i.state === 'running');
  // The probes (SSM round trips) and the release manifests (S3) need only the list: read together.
  const [probes, infos] = await Promise.all([
    probeAll(deps.remote, running, {
      port: deps.env.health.port,
      path: deps.env.health.path,
      timeoutMs: probeTimeoutMs,
      signal: deps.signal,
      now: deps.clock.now,
    }),
    releaseInfos(deps, list),
  ]);
  const byId = new Map(probes.map((p) => [p.instanceId, p]));
  const now = deps.clock.now();
  const order = { legacy: 0, enhanced: 1 };
  return list
    .map((i): InstanceStatus => ({
      id: i.id,
      kind: i.kind,
      state: i.state,
      subnet: i.privateSubnet === undefined ? 'unknown' : i.privateSubnet ? 'private' : 'public',
      subnetId: i.subnetId,
      privateIp: i.privateIp,
      publicIp: i.publicIp,
      release: i.release,
      ...(i.release ? infos.get(i.release) : {}),
      launchTime: i.launchTime?.toISOString(),
      uptimeSeconds:
        i.launchTime && i.state === 'running'
          ? Math.max(0, Math.round((now - i.launchTime.getTime()) / 1000))
          : undefined,
      health: byId.get(i.id) ?? notRunning(i, now),
      ...(groupOf(i) ? { shards: i.shards, shardCount: i.shardCount, group: groupOf(i) } : {}),
    }))
    .sort((a, b) => order[a.kind] - order[b.kind] || (a.launchTime ?? '').localeCompare(b.launchTime ?? ''));
}

/** Each release's manifest facts (cached per release); none without the release bucket. */
async function releaseInfos(deps: StatusDeps, list: Instance[]): Promise<Map<string, ReleaseInfo | undefined>> {
  const releases = deps.releases;
  const versions = [...new Set(list.map((i) => i.release).filter((r): r is string => Boolean(r)))];
  if (!releases) return new Map();
  return new Map(await Promise.all(versions.map(async (v) => [v, await releaseInfo(releases, v)] as const)));
}

function readNetwork(deps: StatusDeps): Promise<unknown> {
  return readNetworkConfiguration(deps.store, deps.env.name);
}

async function readStreams(deps: StatusDeps): Promise<StreamStatus[]> {
  const group = logGroupName(deps.env);
  const streams = (await deps.logs.streams(group)).filter((s) => parseStreamName(s.name));
  const now = deps.clock.now();
  return Promise.all(
    streams.map(async (s): Promise<StreamStatus> => {
      const { instanceId, kind } = parseStreamName(s.name)!;
      const status: StreamStatus = { name: s.name, instanceId, kind };
      if (s.lastEventTimestamp === undefined) return status;
      status.lastEventAt = new Date(s.lastEventTimestamp).toISOString();
      status.ageSeconds = Math.max(0, Math.round((now - s.lastEventTimestamp) / 1000));
      status.lastMessage = await lastMessage(deps.logs, group, s.name, s.lastEventTimestamp, deps.signal).catch(
        () => undefined,
      );
      return status;
    }),
  );
}

/** The stream's newest event: CloudWatch may report lastEventTimestamp late, so read past it (a few pages at most). */
async function lastMessage(
  logs: LogStore,
  group: string,
  stream: string,
  from: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  let last: string | undefined;
  let pages = 0;
  for await (const page of logs.pages({ group, streams: [stream], start: from, pageSize: 1000, signal })) {
    if (page.length) last = page[page.length - 1].message;
    if (++pages >= 3) break;
  }
  return last;
}

async function readLockStatus(deps: StatusDeps): Promise<LockStatus | null> {
  const current = await readLock({ store: deps.store, env: deps.env, clock: deps.clock });
  if (!current) return null;
  const { holder, command, since } = current.body;
  // The expiry judged on S3's clock, shown on ours: the holder's own expiresAt may be skewed.
  return { holder, command, since, expiresAt: current.expiresAt, expired: current.expired };
}

async function readLastDeployment(deps: StatusDeps): Promise<DeploymentSummary | null> {
  const [entry] = await listJournal({ store: deps.store, env: deps.env }, 1);
  if (!entry) return null;
  const { id, command, who, started, ended, outcome, error } = entry;
  return { id, command, who, started, ended, outcome, error };
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** `status --watch`: a report every interval until Ctrl-C (which ends the watch, not as an error). */
export async function watchStatus(
  deps: StatusDeps & Pick<Context, 'signal'>,
  intervalMs: number,
  show: (report: StatusReport) => void,
): Promise<void> {
  while (!deps.signal.aborted) {
    let report: StatusReport;
    try {
      report = await gatherStatus(deps);
    } catch (error) {
      if (deps.signal.aborted) return;
      throw error;
    }
    show(report);
    try {
      await deps.clock.sleep(intervalMs, deps.signal);
    } catch {
      return;
    }
  }
}
