// The instance host: what EC2 would boot, booted here. It polls moto's EC2 for the sandbox's
// running bot instances and runs each one's release (bot + health server) as real processes,
// each instance with its own health port, readiness file and control socket. Instances that are
// terminated get their processes stopped (SIGTERM: they shut down gracefully); instances that are
// stopping or stopped get theirs killed at once (SIGKILL), since on EC2 "stopped" means the OS
// has halted and nothing runs: the handoff's short wait after fencing relies on it. A moto outage
// changes nothing: it retries. What CloudWatch would measure of each instance (its processes' CPU
// and memory, the metrics its logs embed) is published to moto's CloudWatch.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  EC2Client,
  type Instance as Ec2Instance,
} from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { controlSocketPath, ENVIRONMENT, sandboxFiles } from '../../layout.js';
import { isSameProcess, stopProcess } from '../../process.js';
import {
  readJson,
  writeJson,
  type HostedInstance,
  type InstancesState,
  type UnitName,
  type UnitRecord,
} from '../../state-files.js';
import type { MachineHost } from '../machine/machine-host.js';
import { reapMachine } from '../machine/machine.js';
import { LogShipper } from './log-shipper.js';
import { MetricPublisher, ProcessSampler, type SampledInstance } from './metrics.js';
import { fetchRelease, pinnedManifestSha256 } from './release.js';
import { Unit } from './unit.js';

/** How often EC2 is read (from the start of one poll to the next): a stopped instance's bot dies within this. */
export const POLL_MS = 500;
/** States in which EC2 has halted (or is halting) the instance's OS: its processes are killed, not stopped. */
const HALTED = new Set(['stopping', 'stopped']);
/** An instance missing from two polls in a row is gone (moto reset, or terminated and purged). */
const ABSENT_POLLS = 2;

export interface HostOptions {
  dir: string;
  project: string;
  region: string;
  motoEndpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  releaseBucket: string;
  tokenParameter: string;
  logGroup: string;
  /** The environment's own metric namespace, given to the health server (METRIC_NAMESPACE). */
  metricNamespace: string;
  discordApi: string;
  healthPortBase: number;
  /** Environment the bot processes inherit (PATH, HOME, ...) before their own variables. */
  baseEnv: Record<string, string>;
  /** systemd mode: each instance boots as a container (machine/); process mode without one. */
  machines?: MachineHost;
  log(message: string): void;
}

type Hosted =
  | { facts: HostedInstance; units: Record<UnitName, Unit>; machine?: undefined }
  | { facts: HostedInstance; units?: undefined; machine: { units?: Record<UnitName, UnitRecord> } };

/** Unit states are read from a systemd-mode instance's systemctl every this many polls. */
const MACHINE_UNIT_POLLS = 2;

export class InstanceHost {
  private readonly ec2: EC2Client;
  private readonly s3: S3Client;
  private readonly shipper: LogShipper;
  private readonly metrics: MetricPublisher;
  private readonly files: ReturnType<typeof sandboxFiles>;
  private readonly hosted = new Map<string, Hosted>();
  private readonly starting = new Set<string>();
  private readonly failedReleases = new Map<string, string>();
  private readonly absent = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastPollAt?: string;
  private lastError?: string;
  private writing = Promise.resolve();
  private polls = 0;
  /** Graceful unhosts under way, so stop() waits for them while polls go on. */
  private readonly unhosting = new Set<Promise<void>>();

  constructor(private readonly options: HostOptions) {
    const aws = {
      region: options.region,
      endpoint: options.motoEndpoint,
      credentials: options.credentials,
      maxAttempts: 1,
    };
    this.ec2 = new EC2Client(aws);
    this.s3 = new S3Client({ ...aws, forcePathStyle: true });
    this.shipper = new LogShipper(new CloudWatchLogsClient(aws), options.logGroup);
    this.metrics = new MetricPublisher(new CloudWatchClient(aws), new ProcessSampler(), () => this.sampled());
    this.files = sandboxFiles(options.dir);
  }

  async start(): Promise<void> {
    await this.reapPrevious();
    await this.save();
    await this.options.machines?.start();
    this.shipper.start();
    this.metrics.start();
    const loop = async () => {
      if (this.stopped) return;
      const started = Date.now();
      await this.poll();
      if (!this.stopped) this.timer = setTimeout(loop, Math.max(0, POLL_MS - (Date.now() - started)));
    };
    await loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.hosted.keys()].map((id) => this.unhost(id, 'the instance host is stopping')));
    await Promise.all([...this.unhosting]);
    await this.shipper.stop().catch(() => undefined);
    await this.metrics.stop().catch(() => undefined);
    await this.options.machines?.stop();
    await this.save();
  }

  async poll(): Promise<void> {
    let instances: Ec2Instance[];
    try {
      instances = await this.describe();
      this.lastPollAt = new Date().toISOString();
      if (this.lastError) this.options.log(`EC2 reachable again at ${this.options.motoEndpoint}`);
      this.lastError = undefined;
    } catch (error) {
      const message = `${(error as Error).name}: ${(error as Error).message}`;
      if (message !== this.lastError)
        this.options.log(`cannot describe instances (retrying every ${POLL_MS} ms): ${message}`);
      this.lastError = message;
      await this.save();
      return;
    }
    const seen = new Set<string>();
    for (const instance of instances) {
      const id = instance.InstanceId!;
      const state = instance.State?.Name;
      const role = tag(instance, 'Role');
      if (!role) continue;
      seen.add(id);
      if (state === 'running' || state === 'pending') {
        if (!this.hosted.has(id) && !this.starting.has(id)) void this.host(instance);
        else if (this.hosted.get(id)?.machine) await this.refreshMachine(id, instance);
      } else if (this.hosted.has(id) && HALTED.has(state ?? '')) {
        await this.unhost(id, `the instance is ${state}`, { kill: true });
      } else if (this.hosted.has(id)) {
        // A graceful stop takes seconds: the polls (and kills of stopped instances) go on meanwhile.
        const work = this.unhost(id, `the instance is ${state}`);
        this.unhosting.add(work);
        void work.finally(() => this.unhosting.delete(work));
      }
    }
    for (const id of this.hosted.keys()) {
      if (seen.has(id)) {
        this.absent.delete(id);
        continue;
      }
      const misses = (this.absent.get(id) ?? 0) + 1;
      this.absent.set(id, misses);
      if (misses >= ABSENT_POLLS) await this.unhost(id, 'the instance no longer exists in EC2');
    }
    await this.save();
  }

  private async describe(): Promise<Ec2Instance[]> {
    const out: Ec2Instance[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'tag:Environment', Values: [ENVIRONMENT] },
            { Name: 'tag:Project', Values: [this.options.project] },
          ],
          NextToken,
        }),
      );
      for (const reservation of page.Reservations ?? []) out.push(...(reservation.Instances ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  private async host(instance: Ec2Instance): Promise<void> {
    const id = instance.InstanceId!;
    const release = tag(instance, 'Release');
    const failure = `${id}@${release}`;
    if (!release) return this.once(failure, `instance ${id} has no Release tag: nothing to run`);
    this.starting.add(id);
    if (this.options.machines) return this.hostMachine(instance, this.options.machines, release);
    try {
      const base = this.files.instanceDir(id);
      const releaseDir = join(base, 'release');
      await mkdir(base, { recursive: true });
      try {
        const pinned = pinnedManifestSha256(await this.userData(id));
        await fetchRelease(this.s3, this.options.releaseBucket, release, releaseDir, pinned);
      } catch (error) {
        return this.once(failure, `instance ${id}: cannot fetch release ${release}: ${(error as Error).message}`);
      }
      if (this.stopped) return;
      const controlSocket = controlSocketPath(this.options.dir, id);
      await mkdir(dirname(controlSocket), { recursive: true });
      await rm(controlSocket, { force: true });
      const facts: HostedInstance = {
        id,
        kind: tag(instance, 'Role')!,
        release,
        tags: Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        privateIp: instance.PrivateIpAddress,
        healthPort: await this.freeHealthPort(),
        readyFile: join(base, 'bot-ready'),
        controlSocket,
        releaseDir,
        // The BotRole tag terraform sets, as on EC2 (run.sh); without one the bot stands by, as
        // an instance whose role cannot be read never answers (the handoff activates it).
        botRole: bootRole(tag(instance, 'BotRole')) ?? 'standby',
        startedAt: new Date().toISOString(),
        units: {} as HostedInstance['units'],
      };
      await rm(facts.readyFile, { force: true });
      const units = {
        bot: this.unit(facts, 'bot', 'bot.mjs', await nodeOptions(releaseDir)),
        health: this.unit(facts, 'health', 'health.mjs'),
      };
      this.hosted.set(id, { facts, units });
      units.health.start();
      units.bot.start();
      this.options.log(
        `instance ${id} (${facts.kind}, release ${release}) booted: health on 127.0.0.1:${facts.healthPort}, bot ${facts.botRole}`,
      );
      await this.save();
    } finally {
      this.starting.delete(id);
    }
  }

  /** Boots a systemd-mode instance: its user data does the rest, as on EC2. */
  private async hostMachine(instance: Ec2Instance, machines: MachineHost, release: string): Promise<void> {
    const id = instance.InstanceId!;
    try {
      const base = this.files.instanceDir(id);
      await mkdir(base, { recursive: true });
      const userData = await this.userData(id);
      if (!userData) return this.once(`${id}@${release}`, `instance ${id} has no user data: nothing to boot`);
      if (this.stopped) return;
      const tags = Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      const booted = await machines.boot(base, {
        id,
        userData,
        privateIp: instance.PrivateIpAddress,
        instanceType: instance.InstanceType,
        imageId: instance.ImageId,
        availabilityZone: instance.Placement?.AvailabilityZone,
        tags,
        metadata: {
          httpTokens: instance.MetadataOptions?.HttpTokens === 'optional' ? 'optional' : 'required',
          httpEndpoint: instance.MetadataOptions?.HttpEndpoint === 'disabled' ? 'disabled' : 'enabled',
          hopLimit: instance.MetadataOptions?.HttpPutResponseHopLimit ?? 1,
          tags: instance.MetadataOptions?.InstanceMetadataTags === 'enabled',
        },
        iamRole: await this.roleOf(instance.IamInstanceProfile?.Arn),
        profileArn: instance.IamInstanceProfile?.Arn,
        hostHealthPort: await this.freeHealthPort(),
      });
      const inactive: UnitRecord = { status: 'inactive', restarts: 0, log: '' };
      const facts: HostedInstance = {
        ...booted,
        kind: tag(instance, 'Role')!,
        release,
        tags,
        botRole: bootRole(tag(instance, 'BotRole')) ?? 'standby',
        startedAt: new Date().toISOString(),
        units: { bot: inactive, health: inactive },
      };
      this.hosted.set(id, { facts, machine: {} });
      this.options.log(
        `instance ${id} (${facts.kind}, release ${release}) booting systemd in its container: health on 127.0.0.1:${facts.healthPort}`,
      );
      await this.save();
    } catch (error) {
      this.once(`${id}@${release}`, `instance ${id}: cannot boot its container: ${(error as Error).message}`);
    } finally {
      this.starting.delete(id);
    }
  }

  /**
   * The role behind an instance profile, as IMDS names it (iam/security-credentials/<role>): IAM's
   * GetInstanceProfile on moto (which routes by the credential scope's service and checks no
   * signature), else the profile's own name.
   */
  private async roleOf(profileArn: string | undefined): Promise<string | undefined> {
    const profile = profileArn?.split('/').pop();
    if (!profile) return undefined;
    try {
      const res = await fetch(this.options.motoEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `AWS4-HMAC-SHA256 Credential=${this.options.credentials.accessKeyId}/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: new URLSearchParams({
          Action: 'GetInstanceProfile',
          InstanceProfileName: profile,
          Version: '2010-05-08',
        }),
        signal: AbortSignal.timeout(5000),
      });
      return /<RoleName>([^<]+)<\/RoleName>/.exec(await res.text())?.[1] ?? profile;
    } catch {
      return profile;
    }
  }

  /** A running systemd-mode instance: its tags (for IMDS) and, every few polls, its units. */
  private async refreshMachine(id: string, instance: Ec2Instance): Promise<void> {
    const hosted = this.hosted.get(id);
    const machines = this.options.machines;
    if (!hosted?.machine || !machines) return;
    const tags = Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    hosted.facts.tags = tags;
    const profileArn = instance.IamInstanceProfile?.Arn;
    const known = machines.roleOf(id);
    const iamRole = profileArn === known.profileArn ? known.role : await this.roleOf(profileArn);
    await machines.updateFacts(id, { tags, iamRole, profileArn });
    if (++this.polls % MACHINE_UNIT_POLLS === 0)
      hosted.machine.units = (await machines.units(id)) ?? hosted.machine.units;
  }

  /** The instance's user data as terraform rendered it (EC2 DescribeInstanceAttribute). */
  private async userData(id: string): Promise<string | undefined> {
    const out = await this.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
    const value = out.UserData?.Value;
    return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
  }

  private unit(facts: HostedInstance, name: UnitName, file: string, extraEnv: Record<string, string> = {}): Unit {
    const stream = `${facts.id}-${name}`;
    const o = this.options;
    return new Unit({
      name,
      command: [process.execPath, join(facts.releaseDir, file)],
      cwd: facts.releaseDir,
      journal: join(this.files.instanceDir(facts.id), `${name}.log`),
      env: {
        ...o.baseEnv,
        NODE_ENV: 'production',
        AWS_ENDPOINT_URL: o.motoEndpoint,
        AWS_ACCESS_KEY_ID: o.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: o.credentials.secretAccessKey,
        AWS_REGION: o.region,
        AWS_DEFAULT_REGION: o.region,
        DISCORD_TOKEN_PARAMETER: o.tokenParameter,
        DISCORD_API: o.discordApi,
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(facts.healthPort),
        READY_FILE: facts.readyFile,
        CONTROL_SOCKET: facts.controlSocket,
        INSTANCE_ID: facts.id,
        RELEASE_VERSION: facts.release,
        BOT_ROLE: facts.botRole,
        // A sharded instance's shards, from its tags as run.sh reads them from IMDS (empty: shard 0 of 1).
        BOT_SHARDS: facts.tags.Shards ?? '',
        BOT_SHARD_COUNT: facts.tags.ShardCount ?? '',
        METRIC_NAMESPACE: o.metricNamespace,
        ...extraEnv,
      },
      onLine: (line, timestamp) => {
        this.shipper.push(stream, line, timestamp);
        this.metrics.line(line);
      },
      onChange: () => void this.save(),
    });
  }

  /** Each hosted instance with the pids of its units that run now: what the sampler measures. */
  private sampled(): SampledInstance[] {
    return [...this.hosted.values()].map(({ facts, units }) => ({
      id: facts.id,
      // A systemd-mode instance is all the processes of its container, as EC2 sees a VM.
      pids: units
        ? [units.bot.record(), units.health.record()].filter((r) => r.status === 'active' && r.pid).map((r) => r.pid!)
        : (this.options.machines?.pids(facts.id) ?? []),
    }));
  }

  /** Stops an instance's processes: gracefully (bot first, as systemd does), or `kill`ed at once (a power-off). */
  private async unhost(id: string, why: string, options: { kill?: boolean } = {}): Promise<void> {
    const hosted = this.hosted.get(id);
    if (!hosted) return;
    this.hosted.delete(id);
    this.absent.delete(id);
    if (hosted.machine) {
      this.options.log(
        options.kill
          ? `instance ${id}: powering its container off (${why}: its OS has halted)`
          : `instance ${id}: shutting its container down (${why})`,
      );
      await (options.kill ? this.options.machines?.kill(id) : this.options.machines?.poweroff(id));
      await this.save();
      return;
    }
    if (options.kill) {
      this.options.log(`instance ${id}: killing its bot and health server (${why}: its OS has halted)`);
      await Promise.all([hosted.units.bot.kill(), hosted.units.health.kill()]);
    } else {
      this.options.log(`instance ${id}: stopping its bot and health server (${why})`);
      // systemd stops units in reverse order of start: the bot first, then its health server.
      await hosted.units.bot.stop();
      await hosted.units.health.stop();
    }
    await rm(hosted.facts.controlSocket, { force: true });
    void this.shipper.flush();
    await this.save();
  }

  private async freeHealthPort(): Promise<number> {
    const used = new Set([...this.hosted.values()].map((h) => h.facts.healthPort));
    for (let port = this.options.healthPortBase; port < this.options.healthPortBase + 500; port++) {
      if (!used.has(port) && (await isFree(port))) return port;
    }
    throw new Error(`no free health port from ${this.options.healthPortBase}`);
  }

  /** Log a failure once per instance and release, not on every poll. */
  private once(key: string, message: string): void {
    if (this.failedReleases.get(key) === message) return;
    this.failedReleases.set(key, message);
    this.options.log(message);
  }

  /** Processes a previous host left behind (it was killed) are stopped before anything starts. */
  private async reapPrevious(): Promise<void> {
    const previous = await readJson<InstancesState>(this.files.instances);
    for (const instance of Object.values(previous?.instances ?? {})) {
      // A container a killed host left running is powered off: its instance boots again, once.
      if (instance.machine) await reapMachine(this.files.instanceDir(instance.id), instance.machine.leader);
      for (const unit of Object.values(instance.units ?? {})) {
        if (unit.pid && isSameProcess({ pid: unit.pid, startTime: unit.startTime }))
          await stopProcess({ pid: unit.pid, startTime: unit.startTime });
      }
    }
  }

  /** instances.json, written in order (the shim and the systemctl shim read it). */
  private save(): Promise<void> {
    this.writing = this.writing
      .then(() => writeJson(this.files.instances, this.snapshot(), 0o644))
      .catch((error) => this.options.log(`cannot write ${this.files.instances}: ${(error as Error).message}`));
    return this.writing;
  }

  snapshot(): InstancesState {
    const instances: Record<string, HostedInstance> = {};
    for (const [id, hosted] of this.hosted) {
      const units = hosted.machine
        ? (hosted.machine.units ?? hosted.facts.units)
        : { bot: hosted.units.bot.record(), health: hosted.units.health.record() };
      instances[id] = { ...hosted.facts, units };
    }
    return {
      hostPid: process.pid,
      mode: this.options.machines ? 'systemd' : 'process',
      updatedAt: new Date().toISOString(),
      lastPollAt: this.lastPollAt,
      lastError:
        this.lastError ??
        (this.shipper.lastError ? `CloudWatch Logs: ${this.shipper.lastError}` : undefined) ??
        (this.metrics.lastError ? `CloudWatch metrics: ${this.metrics.lastError}` : undefined),
      instances,
    };
  }
}

function bootRole(value: string | undefined): 'active' | 'standby' | undefined {
  return value === 'active' || value === 'standby' ? value : undefined;
}

function tag(instance: Ec2Instance, key: string): string | undefined {
  return instance.Tags?.find((t) => t.Key === key)?.Value;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The release's Node options for the bot (its node-options file), as run.sh passes them. */
async function nodeOptions(releaseDir: string): Promise<Record<string, string>> {
  const text = await readFile(join(releaseDir, 'node-options'), 'utf8').catch(() => '');
  const line = text.split('\n')[0].trim();
  return line ? { NODE_OPTIONS: line } : {};
}
