// In-memory fakes of every port in cli/ports.ts, plus a small simulated world that ties them
// together (terraform apply creates and terminates instances whose bots answer /health, botctl
// and slash commands), so core can be tested without AWS, terraform or Discord.
import {
  PreconditionFailed,
  type Alarm,
  type Alarms,
  type ApplyResult,
  type BucketSettings,
  type DiscordAccount,
  type Clock,
  type CommandDefinition,
  type CommandProbe,
  type CommandResult,
  type Identity,
  type Instance,
  type InstanceKind as InstanceRole,
  type Instances,
  type LogEvent,
  type LogQuery,
  type LogStore,
  type LogStream,
  type MetricPoint,
  type MetricQuery,
  type Metrics,
  type ObjectStore,
  type Parameter,
  type PublicAccessBlock,
  type PingStatus,
  type PlanResult,
  type RegisteredCommand,
  type RemoteExec,
  type Reporter,
  type ReporterEvent,
  type Secrets,
  type StepHandle,
  type StoredObject,
  type Terraform,
  type TerraformRunOptions,
  type TerraformVars,
} from '../../cli/ports.js';
import type { Context } from '../../cli/core/context.js';
import type { ResolvedEnvironment } from '../../cli/config/load.js';
import { environmentSchema } from '../../cli/config/schema.js';
import { backendConfig, keys } from '../../cli/core/storage.js';
import type { ShardGroupState } from '../../cli/core/desired/state.js';
import { bootRole, type BootRoleInputs, type InstanceKind } from '../../bot/contracts/roles.js';

/* ---------- Clock: virtual time that advances only when everything waits ---------- */

interface Timer {
  at: number;
  seq: number;
  resolve(): void;
}

export class FakeClock implements Clock {
  private t: number;
  private timers: Timer[] = [];
  private seq = 0;
  private scheduled = false;

  constructor(start = Date.parse('2026-11-26T10:00:00.000Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  }

  /** Fire the earliest timer once the event loop has gone quiet (fakes settle in microtasks). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    let turns = 0;
    const tick = () => {
      if (++turns < 4) return void setImmediate(tick);
      this.scheduled = false;
      if (!this.timers.length) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
      if (this.timers.length) this.schedule();
    };
    setImmediate(tick);
  }
}

/* ---------- S3 ---------- */

export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>();
  private etags = 0;
  /** Every write, in order: "put key" / "delete key". */
  readonly writes: string[] = [];

  /** `exists: false` answers HeadBucket as a missing bucket. */
  constructor(
    readonly bucket = 'fake-bucket',
    public exists = true,
  ) {}

  /**
   * S3's own clock. Unset, the store cannot tell the time (no `serverTime` on reads, as a store
   * without an HTTP Date would); coreContext wires the world's clock, and `skewMs` moves S3's
   * clock away from it, so a test sees the local clock and S3's disagree.
   */
  serverClock?: () => number;
  /** How far S3's clock runs ahead of `serverClock` (negative: behind). */
  skewMs = 0;
  /** Return an error to make a put of that key fail (a network that drops the write). */
  failPut?: (key: string) => Error | undefined;

  /** What S3's clock says now. */
  serverNow(): number {
    return (this.serverClock?.() ?? Date.now()) + this.skewMs;
  }

  /**
   * Put an object in place without recording a write (test set-up); `ageMs`: written that long
   * ago by S3's clock.
   */
  seed(key: string, body: string, options: { ageMs?: number } = {}): void {
    this.objects.set(key, {
      body,
      etag: `"etag-${++this.etags}"`,
      lastModified: new Date(this.serverNow() - (options.ageMs ?? 0)),
    });
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const object = this.objects.get(key);
    if (!object) return undefined;
    return this.serverClock ? { ...object, serverTime: new Date(this.serverNow()) } : { ...object };
  }

  async put(
    key: string,
    body: string | Uint8Array,
    options: { ifNoneMatch?: '*'; ifMatch?: string } = {},
  ): Promise<{ etag: string; serverTime?: Date }> {
    const failure = this.failPut?.(key);
    if (failure) throw failure;
    const current = this.objects.get(key);
    if (options.ifNoneMatch === '*' && current) throw new PreconditionFailed(key);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw new PreconditionFailed(key);
    const etag = `"etag-${++this.etags}"`;
    const now = this.serverNow();
    this.objects.set(key, {
      body: typeof body === 'string' ? body : Buffer.from(body).toString('utf8'),
      etag,
      lastModified: new Date(now),
    });
    this.writes.push(`put ${key}`);
    return this.serverClock ? { etag, serverTime: new Date(now) } : { etag };
  }

  async delete(key: string, options: { ifMatch?: string } = {}): Promise<void> {
    const current = this.objects.get(key);
    if (options.ifMatch !== undefined && current && current.etag !== options.ifMatch) throw new PreconditionFailed(key);
    this.objects.delete(key);
    this.writes.push(`delete ${key}`);
  }

  async list(prefix: string) {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((key) => ({ key }));
  }

  async reachable(): Promise<boolean> {
    return this.exists;
  }

  json<T = Record<string, unknown>>(key: string): T | undefined {
    const object = this.objects.get(key);
    return object ? (JSON.parse(object.body) as T) : undefined;
  }
}

/** Buckets' own settings, in memory: what init sets and preflight reads. */
export class MemoryBuckets implements BucketSettings {
  readonly buckets = new Map<
    string,
    {
      region: string;
      versioning?: 'Enabled' | 'Suspended';
      encryption?: string;
      publicAccessBlock?: PublicAccessBlock;
      policy?: string;
    }
  >();
  /** Every change, in order: "create b", "versioning b", ... */
  readonly calls: string[] = [];

  /** A bucket with every protection (hardened) or none. */
  add(bucket: string, hardened: boolean): this {
    this.buckets.set(
      bucket,
      hardened
        ? {
            region: 'us-east-1',
            versioning: 'Enabled',
            encryption: 'AES256',
            publicAccessBlock: {
              blockPublicAcls: true,
              ignorePublicAcls: true,
              blockPublicPolicy: true,
              restrictPublicBuckets: true,
            },
            policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'DenyInsecureTransport',
                  Effect: 'Deny',
                  Principal: '*',
                  Action: 's3:*',
                  Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                },
              ],
            }),
          }
        : { region: 'us-east-1' },
    );
    return this;
  }

  private of(bucket: string) {
    const found = this.buckets.get(bucket);
    if (!found) throw new Error(`NoSuchBucket: ${bucket}`);
    return found;
  }
  async versioning(bucket: string) {
    return this.of(bucket).versioning;
  }
  async encryption(bucket: string) {
    return this.of(bucket).encryption;
  }
  async publicAccessBlock(bucket: string) {
    const block = this.of(bucket).publicAccessBlock;
    return block && { ...block };
  }
  async policy(bucket: string) {
    return this.of(bucket).policy;
  }
  async create(bucket: string, region: string) {
    if (this.buckets.has(bucket)) return false;
    this.calls.push(`create ${bucket} ${region}`);
    this.buckets.set(bucket, { region });
    return true;
  }
  async enableVersioning(bucket: string) {
    this.calls.push(`versioning ${bucket}`);
    this.of(bucket).versioning = 'Enabled';
  }
  async enableEncryption(bucket: string) {
    this.calls.push(`encryption ${bucket}`);
    this.of(bucket).encryption = 'AES256';
  }
  async blockPublicAccess(bucket: string) {
    this.calls.push(`public-access-block ${bucket}`);
    this.of(bucket).publicAccessBlock = {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    };
  }
  async putPolicy(bucket: string, policy: string) {
    this.calls.push(`policy ${bucket}`);
    this.of(bucket).policy = policy;
  }
}

/* ---------- The simulated world: terraform, EC2, SSM, logs, Discord ---------- */

export type BotFault =
  | 'never-healthy'
  | 'unhealthy'
  | 'bad-body'
  | 'no-discord'
  | 'no-logs'
  | 'unreachable'
  | 'no-answer'
  /** EC2 accepts StopInstances but the instance never gets past "stopping". */
  | 'stop-hangs'
  /** botctl activate is refused (the bot cannot take over). */
  | 'refuse-activate';

export interface SimBot {
  instance: Instance;
  key: string;
  role: 'active' | 'standby';
  /** Virtual ms after launch: Online in SSM, health server answering, healthy. */
  onlineAfter: number;
  answeringAfter: number;
  healthyAfter: number;
  faults: Set<BotFault>;
  lastEventAt?: string;
  /** When StopInstances was accepted (virtual ms): "stopping" until stopMs later, then "stopped". */
  stopRequestedAt?: number;
  /** A bot whose step-down does not take (it still reports active). */
  stuckActive?: boolean;
}

/** An instance terraform's variables ask for. */
interface Wanted {
  role: InstanceRole;
  release?: string;
  shards?: number[];
  shardCount?: number;
  botRole?: 'active' | 'standby';
}

/** The shards a bot runs: its tags, or shard 0 of 1. */
function shardsOf(bot: SimBot): number[] {
  return bot.instance.shards ?? [0];
}

/** Whether a bot gets a guild routed to `route` ((guild_id >> 22) = route): route % its count is one of its shards. */
function covers(bot: SimBot, route: number): boolean {
  return shardsOf(bot).includes(route % (bot.instance.shardCount ?? 1));
}

/** Terraform's variables as the boot-role rule reads them (an unset flag reads false). */
function bootRoleInputs(vars: TerraformVars): BootRoleInputs {
  return {
    legacyEnabled: Boolean(vars.enable_legacy_instance),
    enhancedEnabled: Boolean(vars.enable_enhanced_instance),
    serving: (vars.serving_role ?? null) as InstanceKind | null,
    release: (vars.release_version ?? null) as string | null,
  };
}

/* ---------- Discord's application commands ---------- */

/** The example bot's slash commands (bot/example): what a release carries unless a test says otherwise. */
export const EXAMPLE_COMMANDS: CommandDefinition[] = [
  { name: 'ping', description: 'Replies with pong and the instance that answered' },
  { name: 'status', description: 'Shows the bot instance, role and version' },
];

/** A release manifest as the build writes it (only what the flows and inspection read); null: no commands recorded. */
export function fakeManifest(version: string, commands: CommandDefinition[] | null = EXAMPLE_COMMANDS): string {
  const manifest = { name: 'ydeploy-bot', version, builtAt: '2026-11-26T09:00:00.000Z', node: '>=20', files: {} };
  return JSON.stringify({ ...manifest, ...(commands ? { commands } : {}) });
}

/**
 * Discord's REST API for one application: registered commands per scope ("global" or a guild
 * id), bulk overwrites recorded (and, with a log, written to the world's timeline as
 * "commands <scope> <names>"). `failNext` makes the next overwrite throw it.
 */
export class FakeDiscord implements DiscordAccount {
  readonly appId = '100000000000000001';
  readonly registered = new Map<string, RegisteredCommand[]>();
  readonly overwrites: { scope: string; names: string[] }[] = [];
  /** Tokens each call used (to check the one from SSM was used). */
  readonly tokens: string[] = [];
  failNext?: Error;
  /** GET /gateway/bot's session_start_limit; `gatewayError` makes every read of it throw. */
  sessionStartLimit = { total: 1000, remaining: 1000, resetAfter: 0, maxConcurrency: 1 };
  gatewayError?: Error;
  private version = 1;

  constructor(private readonly log?: string[]) {}

  async botUser(token: string) {
    this.tokens.push(token);
    return { id: '200000000000000002', username: 'fake-bot' };
  }
  async gatewayBot(token: string) {
    this.tokens.push(token);
    if (this.gatewayError) throw this.gatewayError;
    return { url: 'wss://fake', shards: 1, sessionStartLimit: { ...this.sessionStartLimit } };
  }
  async application(token: string) {
    this.tokens.push(token);
    return { id: this.appId };
  }
  async commands(token: string, appId: string, guild?: string): Promise<RegisteredCommand[]> {
    this.tokens.push(token);
    this.checkApp(appId);
    return structuredClone(this.registered.get(guild ?? 'global') ?? []);
  }
  async overwriteCommands(
    token: string,
    appId: string,
    defs: CommandDefinition[],
    guild?: string,
  ): Promise<RegisteredCommand[]> {
    this.tokens.push(token);
    this.checkApp(appId);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    const scope = guild ?? 'global';
    // Discord echoes each definition with its ids and fills in the defaults.
    const registered = defs.map((d, i) => ({
      type: 1,
      options: [],
      nsfw: false,
      default_member_permissions: null,
      ...structuredClone(d),
      id: `${this.version}${i}`,
      application_id: appId,
      version: String(this.version),
      ...(guild ? { guild_id: guild } : {}),
    }));
    this.version++;
    this.registered.set(scope, registered);
    const names = defs.map((d) => d.name);
    this.overwrites.push({ scope, names });
    this.log?.push(`commands ${scope} ${names.join(',')}`.trim());
    return registered;
  }
  /** Commands registered before the test (by an earlier deployment): no overwrite recorded. */
  seed(defs: CommandDefinition[], scope = 'global'): void {
    this.registered.set(
      scope,
      defs.map((d, i) => ({ type: 1, ...structuredClone(d), id: `0${i}`, application_id: this.appId, version: '0' })),
    );
  }
  private checkApp(appId: string): void {
    if (appId !== this.appId) throw new Error(`unknown application ${appId}`);
  }
}

export interface WorldOptions {
  clock?: FakeClock;
  /** Virtual ms an apply takes (abortable). */
  applyMs?: number;
  env?: string;
}

export class FakeWorld {
  readonly clock: FakeClock;
  readonly bots = new Map<string, SimBot>();
  readonly varFiles = new Map<string, TerraformVars>();
  /** What happened, in order: "apply", "launch i-2 enhanced v1 standby", "terminate i-1", "healthy i-2", ... */
  readonly timeline: string[] = [];
  /** Moments the invariant broke: an active bot terminated with no healthy successor. */
  readonly violations: string[] = [];
  readonly applies: TerraformVars[] = [];
  readonly plans: TerraformVars[] = [];
  /** Faults for the next instance launched with this release (or "legacy"). */
  readonly faultsFor = new Map<string, BotFault[]>();
  /** The release bucket: the manifests releases carry (withLegacy and the fake publisher write them). */
  readonly releases = new MemoryStore('fake-releases');
  /** Discord: registered commands; overwrites land in the timeline. */
  readonly discord = new FakeDiscord(this.timeline);
  /** Slash commands a published release carries (default: the example bot's; null: none recorded). */
  readonly commandsFor = new Map<string, CommandDefinition[] | null>();
  /** Every command the gate's probe sent, by name. */
  readonly probed: string[] = [];
  /** Make the next applies throw. */
  failApplies = 0;
  applyMs: number;
  healthyAfter = 8000;
  /** Virtual ms from StopInstances to "stopped". */
  stopMs = 15_000;
  private nextId = 1;
  private nextVar = 1;
  readonly env: string;

  constructor(options: WorldOptions = {}) {
    this.clock = options.clock ?? new FakeClock();
    this.applyMs = options.applyMs ?? 20_000;
    this.env = options.env ?? 'test';
  }

  /** A legacy deployment, as `sandbox up` leaves it. */
  withLegacy(release = 'v0'): SimBot {
    this.withRelease(release);
    const commands = this.commandsFor.get(release);
    if (commands !== null) this.discord.seed(commands ?? EXAMPLE_COMMANDS);
    const bot = this.launch('legacy', 'legacy', release);
    bot.onlineAfter = bot.answeringAfter = bot.healthyAfter = 0;
    this.timeline.length = 0;
    return bot;
  }

  /** An uploaded release: its manifest in the release bucket (commands from commandsFor, else the example's). */
  withRelease(release: string): void {
    this.releases.seed(keys.manifest(release), fakeManifest(release, this.commandsFor.get(release)));
  }

  running(): SimBot[] {
    return [...this.bots.values()].filter((b) => b.instance.state === 'running');
  }

  byRole(role: InstanceRole, release?: string): SimBot | undefined {
    return this.running().find(
      (b) => b.instance.kind === role && (release === undefined || b.instance.release === release),
    );
  }

  active(): SimBot[] {
    return this.running().filter((b) => b.role === 'active' && this.healthy(b));
  }

  healthy(bot: SimBot): boolean {
    const age = this.clock.now() - bot.instance.launchTime!.getTime();
    return (
      bot.instance.state === 'running' &&
      age >= bot.healthyAfter &&
      !bot.faults.has('never-healthy') &&
      !bot.faults.has('unhealthy') &&
      !bot.faults.has('bad-body')
    );
  }

  writeVarFile = async (vars: TerraformVars): Promise<string> => {
    const path = `/fake/desired-${this.nextVar++}.tfvars.json`;
    this.varFiles.set(path, structuredClone(vars));
    return path;
  };

  private launch(
    key: string,
    role: InstanceRole,
    release: string | undefined,
    vars?: TerraformVars,
    want?: Wanted,
  ): SimBot {
    const id = `i-${String(this.nextId++).padStart(4, '0')}`;
    const bot: SimBot = {
      key,
      instance: {
        id,
        kind: role,
        state: 'running',
        environment: this.env,
        release,
        launchTime: new Date(this.clock.now()),
        privateSubnet: role === 'enhanced',
        ...(want?.shards ? { shards: want.shards, shardCount: want.shardCount } : {}),
      },
      // The BotRole tag terraform gives a new instance, so bots boot as on EC2.
      role: want?.botRole ?? (vars ? bootRole(role, release, bootRoleInputs(vars)) : 'active'),
      onlineAfter: 1000,
      answeringAfter: 1500,
      healthyAfter: this.healthyAfter,
      faults: new Set(this.faultsFor.get(role === 'legacy' ? 'legacy' : (release ?? '')) ?? []),
    };
    this.bots.set(id, bot);
    this.timeline.push(`launch ${id} ${role} ${release ?? ''} ${bot.role}`.replace(/\s+/g, ' ').trim());
    return bot;
  }

  private terminate(bot: SimBot): void {
    if (bot.role === 'active' && this.healthy(bot)) {
      // Every shard the serving bot answered for must be answered by another active bot.
      const successor = shardsOf(bot).every((shard) =>
        this.running().some((b) => b !== bot && this.healthy(b) && b.role === 'active' && covers(b, shard)),
      );
      if (!successor)
        this.violations.push(
          `${bot.instance.id} (serving) terminated with no healthy active successor at ${this.clock.now()}`,
        );
    }
    bot.instance.state = 'terminated';
    this.timeline.push(`terminate ${bot.instance.id}`);
  }

  /** Which instances the variables ask for, by key. */
  private wanted(vars: TerraformVars): Map<string, Wanted> {
    const wanted = new Map<string, Wanted>();
    if (vars.enable_legacy_instance)
      wanted.set('legacy', {
        role: 'legacy',
        release: (vars.legacy_release_version ?? vars.release_version ?? undefined) as string | undefined,
      });
    const groups = Object.entries((vars.shard_groups ?? {}) as Record<string, ShardGroupState>);
    if (groups.length) {
      // terraform's shard_groups: exactly these enhanced instances, by key (a bare release key is
      // the single-instance layout's instance, kept).
      for (const [key, g] of groups)
        wanted.set(`enhanced:${key}`, {
          role: 'enhanced',
          release: g.release,
          shards: g.shards,
          shardCount: g.shard_count,
          botRole: g.role,
        });
    } else if (vars.enable_enhanced_instance) {
      for (const release of [vars.release_version, vars.candidate_release_version]) {
        if (typeof release === 'string') wanted.set(`enhanced:${release}`, { role: 'enhanced', release });
      }
    }
    return wanted;
  }

  private varsOf(options: TerraformRunOptions = {}): TerraformVars {
    const files = options.varFiles ?? [];
    const merged: TerraformVars = {};
    for (const file of files) Object.assign(merged, this.varFiles.get(file) ?? {});
    return { ...merged, ...(options.vars ?? {}) };
  }

  readonly terraform: Terraform = {
    version: async () => '1.11.0',
    init: async () => {},
    validate: async () => [],
    output: async () => ({}),
    withReporter: () => this.terraform,
    plan: async (options) => {
      const vars = this.varsOf(options);
      this.plans.push(vars);
      const diff = this.diff(vars);
      return {
        changed: diff.add.length + diff.remove.length > 0,
        add: diff.add.length,
        change: 0,
        remove: diff.remove.length,
        changes: [
          ...diff.add.map((k) => ({ address: `aws_instance.${k}`, action: 'create' as const })),
          ...diff.remove.map((b) => ({ address: `aws_instance.${b.key}`, action: 'delete' as const })),
        ],
      } satisfies PlanResult;
    },
    apply: async (options) => {
      const vars = this.varsOf(options);
      this.timeline.push('apply');
      if (this.failApplies > 0) {
        this.failApplies--;
        throw new Error('terraform apply failed: Error: creating EC2 Instance: InsufficientInstanceCapacity');
      }
      const started = this.clock.now();
      // terraform creates the instance early and then waits for it to be running (~10 s each)
      await this.clock.sleep((this.applyMs * 3) / 4, options?.signal);
      const diff = this.diff(vars);
      const wanted = this.wanted(vars);
      for (const key of diff.add)
        this.launch(key, wanted.get(key)!.role, wanted.get(key)!.release, vars, wanted.get(key));
      // Tags change in place: an instance kept under the same key gets its shard tags.
      for (const bot of this.running()) {
        const want = wanted.get(bot.key);
        if (want?.shards) Object.assign(bot.instance, { shards: want.shards, shardCount: want.shardCount });
      }
      await this.clock.sleep(this.applyMs / 4, options?.signal);
      for (const bot of diff.remove) this.terminate(bot);
      this.applies.push(vars);
      return {
        add: diff.add.length,
        change: 0,
        remove: diff.remove.length,
        seconds: (this.clock.now() - started) / 1000,
      } satisfies ApplyResult;
    },
    destroy: async () => ({ add: 0, change: 0, remove: 0, seconds: 0 }),
  };

  private diff(vars: TerraformVars): { add: string[]; remove: SimBot[] } {
    const wanted = this.wanted(vars);
    const have = new Map(this.running().map((b) => [b.key, b]));
    return {
      add: [...wanted.keys()].filter((k) => !have.has(k)),
      remove: [...have.values()].filter((b) => !wanted.has(b.key)),
    };
  }

  readonly instances: Instances = {
    list: async (environment) =>
      this.running()
        .filter((b) => b.instance.environment === environment)
        .map((b) => ({ ...b.instance })),
    describe: async (ids) =>
      ids
        .map((id) => this.bots.get(id))
        .filter((b): b is SimBot => Boolean(b))
        .map((b) => {
          this.settleStop(b);
          return { ...b.instance };
        }),
    stop: async (id) => {
      const bot = this.bots.get(id);
      if (!bot) throw new Error(`InvalidInstanceID.NotFound: ${id}`);
      if (bot.instance.state !== 'running') return;
      // A stopping instance's OS is shutting down: its bot no longer answers.
      bot.instance.state = 'stopping';
      bot.stopRequestedAt = this.clock.now();
      this.timeline.push(`stop ${id}`);
    },
  };

  /** A stop EC2 accepted completes stopMs later (unless the instance hangs in "stopping"). */
  private settleStop(bot: SimBot): void {
    if (bot.instance.state !== 'stopping' || bot.stopRequestedAt === undefined || bot.faults.has('stop-hangs')) return;
    if (this.clock.now() - bot.stopRequestedAt < this.stopMs) return;
    bot.instance.state = 'stopped';
    this.timeline.push(`stopped ${bot.instance.id}`);
  }

  /** Every script run through Run Command, with its instance. */
  readonly commands: { instanceId: string; script: string }[] = [];

  readonly remote: RemoteExec = {
    online: async (ids) => {
      const map = new Map<string, PingStatus>();
      for (const id of ids) {
        const bot = this.bots.get(id);
        const age = bot ? this.clock.now() - bot.instance.launchTime!.getTime() : -1;
        map.set(
          id,
          bot && bot.instance.state === 'running' && age >= bot.onlineAfter && !bot.faults.has('unreachable')
            ? 'Online'
            : bot
              ? 'ConnectionLost'
              : 'Unknown',
        );
      }
      return map;
    },
    run: async (instanceId, commands) => {
      this.checkOneActive();
      const script = commands.join('\n');
      this.commands.push({ instanceId, script });
      const bot = this.bots.get(instanceId);
      const result = (stdout: string, status: CommandResult['status'] = 'Success', stderr = ''): CommandResult => ({
        instanceId,
        status,
        exitCode: status === 'Success' ? 0 : 1,
        stdout,
        stderr,
      });
      if (!bot || bot.instance.state !== 'running' || bot.faults.has('unreachable'))
        return result('', 'Undeliverable', 'instance not reachable');
      const age = this.clock.now() - bot.instance.launchTime!.getTime();
      if (script.includes('/health')) return result(this.healthOutput(bot, age));
      if (script.includes('/v10/gateway')) return result(bot.faults.has('no-discord') ? '000' : '200');
      if (script.includes('step-down')) {
        bot.role = 'standby';
        this.timeline.push(`step-down ${instanceId}`);
        return result(
          JSON.stringify({
            ok: true,
            role: 'standby',
            lastEventAt: null,
            lastInteractionId: bot.lastEventAt ?? null,
            after: bot.lastEventAt ?? '0',
          }),
        );
      }
      if (script.includes(' activate')) {
        if (bot.faults.has('refuse-activate'))
          return result(
            JSON.stringify({ ok: false, error: 'refused', message: 'this bot cannot take over' }),
            'Failed',
          );
        if (script.includes('--peer-active') && !script.includes('--force')) {
          return result(
            JSON.stringify({
              ok: false,
              error: 'refused',
              message: 'another instance still reports active: step it down first',
            }),
            'Failed',
          );
        }
        bot.role = 'active';
        this.timeline.push(`activate ${instanceId}${script.includes('--force') ? ' --force' : ''}`);
        return result(
          JSON.stringify({ ok: true, role: 'active', replayed: [], expired: 0, skipped: 0, alreadyActive: false }),
        );
      }
      if (script.includes('botctl.mjs" status'))
        return result(JSON.stringify({ ok: true, role: bot.stuckActive ? 'active' : bot.role }));
      return result('', 'Failed', `fake world does not know: ${script}`);
    },
  };

  /** Two healthy bots answering at once is the other way to break "exactly one answers". */
  private checkOneActive(): void {
    const active = this.active();
    // Per shard (a guild routed to shard r of the active bots' own counts): at most one answers.
    const routes = new Set(active.flatMap((b) => shardsOf(b)));
    for (const r of routes) {
      const answering = active.filter((b) => covers(b, r)).map((b) => b.instance.id);
      const note = `two bots answer: ${answering.join(', ')}`;
      if (answering.length > 1 && !this.violations.includes(note)) this.violations.push(note);
    }
  }

  private healthOutput(bot: SimBot, age: number): string {
    const ts = new Date(this.clock.now()).toISOString();
    if (bot.faults.has('bad-body')) return '<html>It works!</html>\n200 0.002';
    if (age < bot.answeringAfter) return '\n000 0.000';
    if (bot.faults.has('unhealthy'))
      return `${JSON.stringify({ status: 'unhealthy', timestamp: ts, reason: 'Discord rejected the token (4004)' })}\n503 0.003`;
    if (age < bot.healthyAfter || bot.faults.has('never-healthy'))
      return `${JSON.stringify({ status: 'starting', timestamp: ts })}\n503 0.003`;
    if (!this.timeline.includes(`healthy ${bot.instance.id}`)) this.timeline.push(`healthy ${bot.instance.id}`);
    // The bot process starts when the health server first answers, and is ready when healthy.
    const launched = bot.instance.launchTime!.getTime();
    const startedAt = new Date(launched + bot.answeringAfter).toISOString();
    const readyAt = new Date(launched + bot.healthyAfter).toISOString();
    return `${JSON.stringify({ status: 'healthy', timestamp: ts, uptime: age / 1000, role: bot.role, instanceId: bot.instance.id, version: bot.instance.release, startedAt, readyAt, discord: { ready: true, ping: 40, guilds: 1 } })}\n200 0.004`;
  }

  readonly logs: LogStore = {
    streams: async () =>
      this.running().flatMap(
        (b) => [{ name: `${b.instance.id}-bot` }, { name: `${b.instance.id}-health` }] as LogStream[],
      ),
    pages: (query: LogQuery) => this.logPages(query),
  };

  private async *logPages(query: LogQuery): AsyncIterable<LogEvent[]> {
    const events: LogEvent[] = [];
    for (const stream of query.streams ?? []) {
      const bot = this.bots.get(stream.replace(/-(bot|health)$/, ''));
      if (!bot || bot.faults.has('no-logs')) continue;
      const age = this.clock.now() - bot.instance.launchTime!.getTime();
      if (age >= bot.answeringAfter)
        events.push({
          id: `${stream}-1`,
          timestamp: bot.instance.launchTime!.getTime() + bot.answeringAfter,
          stream,
          message: '{"msg":"started"}',
        });
    }
    yield events;
  }

  /** The emulator: every healthy active bot answers (so two actives answer twice). */
  readonly commandProbe: CommandProbe = {
    send: async (command, options) => {
      this.probed.push(options?.shard ? `${command}@${options.shard.id}/${options.shard.count}` : command);
      // A guild on shard r of a count: each bot gets it on shard r % its own count.
      const route = options?.shard?.id ?? 0;
      const answeredBy = this.running()
        .filter((b) => b.role === 'active' && this.healthy(b) && !b.faults.has('no-answer') && covers(b, route))
        .map((b) => b.instance.id);
      return { answeredBy, content: 'pong', latencyMs: 12 };
    },
    interact: async (command) => {
      const delivered = this.running().filter((b) => this.healthy(b));
      const { answeredBy, content, latencyMs } = await this.commandProbe.send(command);
      const deliveredTo = delivered.map((b) => b.instance.id);
      const answered = answeredBy.length > 0;
      return {
        id: 'fake-interaction',
        name: command.replace(/^\//, ''),
        answeredBy,
        deliveredTo,
        content,
        latencyMs,
        answered,
      };
    },
  };
}

/* ---------- Reporter ---------- */

export class FakeReporter implements Reporter {
  readonly json = false;
  readonly verbose = false;
  readonly lines: string[] = [];
  readonly events: ReporterEvent[] = [];
  readonly results: Record<string, unknown>[] = [];
  readonly questions: string[] = [];

  constructor(
    readonly interactive = false,
    private answer = true,
  ) {}

  step(title: string): StepHandle {
    this.lines.push(`• ${title}`);
    return {
      update: () => {},
      succeed: (detail) => this.lines.push(`✔ ${title}${detail ? ` — ${detail}` : ''}`),
      fail: (detail) => this.lines.push(`✖ ${title}${detail ? ` — ${detail}` : ''}`),
      skip: (reason) => this.lines.push(`↷ ${title}${reason ? ` — ${reason}` : ''}`),
    };
  }
  info(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(`⚠ ${message}`);
  }
  debug(): void {}
  event(event: ReporterEvent): void {
    this.events.push(event);
  }
  data(text: string): void {
    this.lines.push(text);
  }
  result(value: Record<string, unknown>): void {
    this.results.push(value);
  }
  async confirm(question: string): Promise<boolean> {
    this.questions.push(question);
    if (!this.interactive) throw new Error(`asked without a terminal: ${question}`);
    return this.answer;
  }
  async prompt(question: string): Promise<string> {
    this.questions.push(question);
    return '';
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/* ---------- The rest of the ports ---------- */

export class FakeSecrets implements Secrets {
  readonly values = new Map<string, Parameter>();
  /** `initial`: SecureString parameters by name. */
  constructor(initial: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(initial)) this.values.set(name, { name, type: 'SecureString', value });
  }
  async get(name: string): Promise<Parameter | undefined> {
    return this.values.get(name);
  }
  async putSecure(name: string, value: string, options: { overwrite?: boolean } = {}): Promise<void> {
    if (this.values.has(name) && !options.overwrite) throw new Error(`ParameterAlreadyExists: ${name}`);
    this.values.set(name, { name, type: 'SecureString', value });
  }
  async delete(name: string): Promise<boolean> {
    return this.values.delete(name);
  }
}

export class FakeAlarms implements Alarms {
  constructor(readonly alarms: Alarm[] = []) {}
  async list(prefix: string): Promise<Alarm[]> {
    return this.alarms.filter((a) => a.name.startsWith(prefix));
  }
}

/**
 * CloudWatch metrics in memory: raw samples put by a test, read back per query as the statistic
 * of each period (periods aligned to the epoch, as CloudWatch aligns them). Each read is one call.
 */
export class FakeMetrics implements Metrics {
  readonly samples: {
    namespace: string;
    metric: string;
    dimensions: Record<string, string>;
    at: number;
    value: number;
  }[] = [];
  readonly reads: { queries: MetricQuery[]; start: Date; end: Date }[] = [];
  natFound?: { type: 'gateway' | 'instance'; id: string };
  natLookups: string[] = [];

  put(namespace: string, metric: string, dimensions: Record<string, string>, at: number, value: number): void {
    this.samples.push({ namespace, metric, dimensions, at, value });
  }

  async read(queries: MetricQuery[], start: Date, end: Date) {
    this.reads.push({ queries, start, end });
    const series = new Map<string, MetricPoint[]>();
    for (const q of queries) {
      const periodMs = q.periodSeconds * 1000;
      const buckets = new Map<number, number[]>();
      for (const s of this.samples) {
        if (s.namespace !== q.namespace || s.metric !== q.metric) continue;
        if (JSON.stringify(sorted(s.dimensions)) !== JSON.stringify(sorted(q.dimensions))) continue;
        if (s.at < start.getTime() || s.at >= end.getTime()) continue;
        const at = Math.floor(s.at / periodMs) * periodMs;
        buckets.set(at, [...(buckets.get(at) ?? []), s.value]);
      }
      const stat = (v: number[]) =>
        q.stat === 'Sum'
          ? v.reduce((a, b) => a + b, 0)
          : q.stat === 'Maximum'
            ? Math.max(...v)
            : q.stat === 'Minimum'
              ? Math.min(...v)
              : v.reduce((a, b) => a + b, 0) / v.length;
      series.set(
        q.id,
        [...buckets].sort(([a], [b]) => a - b).map(([at, values]) => ({ at, value: stat(values) })),
      );
    }
    return { series, cost: { calls: 1, queries: queries.length } };
  }

  async nat(name: string) {
    this.natLookups.push(name);
    return this.natFound;
  }
}

function sorted(dimensions: Record<string, string>): [string, string][] {
  return Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b));
}

export const fakeIdentity: Identity = {
  whoami: async () => ({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/tester', userId: 'AIDATESTER' }),
};

/* ---------- A core context over the world ---------- */

export function testEnv(name = 'test'): ResolvedEnvironment {
  const base = environmentSchema.parse({
    region: 'us-east-1',
    stateBucket: 'fake-state',
    releaseBucket: 'fake-releases',
    tokenParameter: '/ydeploy/test/discord-token',
    instanceType: 't3.micro',
    lockTtl: '2m',
    health: { pollInterval: '500ms', gateTimeout: '90s', onlineTimeout: '60s', logsTimeout: '30s' },
  });
  return {
    ...base,
    terraform: { ...base.terraform, dir: '/fake/terraform' },
    name,
    project: 'ydeploy',
    sandbox: false,
    releaseBucket: 'fake-releases',
  };
}

/** A port no test of this kind should reach: any call fails loudly, naming it. */
export function unreachable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, key) => () =>
      Promise.reject(new Error(`${name}.${String(key)} was called, but this test does not fake it`)),
  });
}

export interface TestContext extends Context {
  reporter: FakeReporter;
  store: MemoryStore;
  releases: MemoryStore;
  abort: AbortController;
}

export function coreContext(
  world: FakeWorld,
  overrides: Partial<TestContext> & { interactive?: boolean; answer?: boolean } = {},
): TestContext {
  const abort = overrides.abort ?? new AbortController();
  const releases = overrides.releases ?? world.releases;
  const { interactive, answer, ...rest } = overrides;
  const env = testEnv(world.env);
  return {
    env,
    reporter: new FakeReporter(interactive ?? false, answer ?? true),
    terraform: world.terraform,
    instances: world.instances,
    remote: world.remote,
    logs: world.logs,
    store: Object.assign(new MemoryStore('fake-state'), { serverClock: () => world.clock.now() }),
    releases,
    identity: fakeIdentity,
    secrets: new FakeSecrets({ [env.tokenParameter]: 'fake-bot-token' }),
    alarms: new FakeAlarms(),
    metrics: new FakeMetrics(),
    network: unreachable('network'),
    discord: world.discord,
    backend: backendConfig({ name: world.env, stateBucket: 'fake-state', region: 'us-east-1' }, { pathStyle: false }),
    commandProbe: world.commandProbe,
    clock: world.clock,
    signal: abort.signal,
    killSignal: new AbortController().signal,
    abort,
    user: 'tester@laptop',
    yes: true,
    writeVarFile: world.writeVarFile,
    publisher: {
      build: async (version) => ({
        dir: `/fake/build/${version}`,
        manifest: JSON.parse(fakeManifest(version, world.commandsFor.get(version))),
        bytes: { 'bot.mjs': 1000 },
      }),
      publish: async (version) => {
        const manifest = fakeManifest(version, world.commandsFor.get(version));
        await releases.put(keys.manifest(version), manifest);
        return { files: ['manifest.json', 'bot.mjs', 'health.mjs', 'botctl.mjs'], manifest: JSON.parse(manifest) };
      },
    },
    tuning: { unreachableOldGraceMs: 10_000 },
    ...rest,
  };
}
