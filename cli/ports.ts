// The narrow interfaces core needs. Core imports only this file; adapters implement it;
// unit tests use in-memory fakes (test/_helpers/fakes.ts).

/* ---------- Reporter: every word ydeploy says goes through here ---------- */

export interface StepHandle {
  /** Replace the step's live text (spinner text on a TTY). */
  update(text: string): void;
  succeed(detail?: string): void;
  fail(detail?: string): void;
  skip(reason?: string): void;
}

/** A structured event: NDJSON line in --json mode, a human line otherwise. */
export interface ReporterEvent {
  type: string;
  [field: string]: unknown;
}

export interface Reporter {
  readonly json: boolean;
  readonly interactive: boolean;
  readonly verbose: boolean;
  /**
   * Start a step: spinner with elapsed time on a TTY, plain lines otherwise. `fields.nested`
   * marks a sub-step (a resource inside an apply): in plain mode only its outcome is printed.
   */
  step(title: string, fields?: Record<string, unknown>): StepHandle;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Shown only with --verbose. */
  debug(message: string, fields?: Record<string, unknown>): void;
  event(event: ReporterEvent): void;
  /** Human data on stdout (tables, log lines). Suppressed in --json mode. */
  data(text: string): void;
  /** The command's result: one JSON object on stdout in --json mode; ignored otherwise. */
  result(value: Record<string, unknown>): void;
  /** Ask yes/no. Throws a UsageError when not interactive (the caller should have checked --yes). */
  confirm(question: string, options?: { default?: boolean }): Promise<boolean>;
  /** Ask for text; `secret` does not echo. */
  prompt(question: string, options?: { secret?: boolean; default?: string }): Promise<string>;
}

/* ---------- Time ---------- */

export interface Clock {
  now(): number;
  /** Resolves after ms, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/* ---------- Terraform ---------- */

export type TerraformValue = string | number | boolean | null | TerraformValue[] | { [key: string]: TerraformValue };
export type TerraformVars = Record<string, TerraformValue>;

export interface TerraformDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  address?: string;
}

export interface PlannedChange {
  address: string;
  action: 'create' | 'update' | 'delete' | 'replace' | 'read' | 'noop';
}

export interface PlanResult {
  /** -detailed-exitcode said 2. */
  changed: boolean;
  add: number;
  change: number;
  remove: number;
  changes: PlannedChange[];
}

export interface ApplyResult {
  add: number;
  change: number;
  remove: number;
  /** Wall seconds spent inside terraform. */
  seconds: number;
}

export interface TerraformRunOptions {
  varFiles?: string[];
  vars?: TerraformVars;
  /** First abort: terraform gets SIGINT once and stops gracefully. */
  signal?: AbortSignal;
  /** Second abort: terraform is killed. */
  killSignal?: AbortSignal;
}

export interface Terraform {
  version(): Promise<string>;
  init(options?: {
    backendConfig?: Record<string, string>;
    reconfigure?: boolean;
    signal?: AbortSignal;
  }): Promise<void>;
  validate(): Promise<TerraformDiagnostic[]>;
  plan(options?: TerraformRunOptions & { destroy?: boolean }): Promise<PlanResult>;
  apply(options?: TerraformRunOptions): Promise<ApplyResult>;
  destroy(options?: TerraformRunOptions): Promise<ApplyResult>;
  output(): Promise<Record<string, unknown>>;
  /** The same terraform reporting through another reporter (preflight keeps its steps quiet). */
  withReporter(reporter: Reporter): Terraform;
}

/* ---------- EC2 ---------- */

/** The guide's two kinds of instance: legacy (public subnet) and enhanced (private subnet). */
export type { InstanceKind } from '../bot/contracts/roles.js';
import type { InstanceKind } from '../bot/contracts/roles.js';
export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface Instance {
  id: string;
  /** Read from the instance's `Role` tag (the module's name for it). */
  kind: InstanceKind;
  state: InstanceState;
  environment: string;
  release?: string;
  subnetId?: string;
  /** True when the subnet is tagged Tier=private. */
  privateSubnet?: boolean;
  privateIp?: string;
  publicIp?: string;
  launchTime?: Date;
  /**
   * A sharded fleet's instance: the shard ids its bot runs (tag Shards, "0,1") of how many in
   * all (tag ShardCount); absent on a single-shard instance (its bot runs shard 0 of 1).
   */
  shards?: number[];
  shardCount?: number;
}

export interface Instances {
  /** Instances of the environment (tag Environment), terminated ones excluded. */
  list(environment: string): Promise<Instance[]>;
  describe(ids: string[]): Promise<Instance[]>;
  /**
   * Ask EC2 to stop an instance (StopInstances); resolves once EC2 accepted the request, not when
   * the instance is stopped: `describe` tells that. The handoff fences an old instance it cannot
   * reach this way, so its bot cannot answer beside the new one.
   */
  stop(id: string): Promise<void>;
}

/* ---------- SSM Run Command ---------- */

export type PingStatus = 'Online' | 'ConnectionLost' | 'Inactive' | 'Unknown';

export interface CommandResult {
  instanceId: string;
  status:
    | 'Success'
    | 'Failed'
    | 'TimedOut'
    | 'Cancelled'
    | 'Undeliverable'
    | 'Terminated'
    | 'InvalidPlatform'
    | 'AccessDenied';
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RemoteExec {
  /** SSM agent status of each instance; ids SSM does not know are 'Unknown'. */
  online(instanceIds: string[]): Promise<Map<string, PingStatus>>;
  /** Run a shell script (AWS-RunShellScript) on one instance and wait for its result. */
  run(
    instanceId: string,
    commands: string[],
    options?: { timeoutSeconds?: number; comment?: string; signal?: AbortSignal },
  ): Promise<CommandResult>;
}

/* ---------- CloudWatch Logs ---------- */

export interface LogEvent {
  /** CloudWatch's eventId: the only safe de-duplication key. */
  id: string;
  timestamp: number;
  ingestionTime?: number;
  stream: string;
  message: string;
}

export interface LogStream {
  name: string;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}

export interface LogQuery {
  group: string;
  streams?: string[];
  start?: number;
  end?: number;
  filterPattern?: string;
  /** Events per API page (the API's maximum, 10,000, by default). */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface LogStore {
  /** Matching events, interleaved by time, one API page at a time (bounded memory). */
  pages(query: LogQuery): AsyncIterable<LogEvent[]>;
  streams(group: string): Promise<LogStream[]>;
}

/* ---------- S3 (the environment's state bucket) ---------- */

/** A conditional write lost: the object exists (If-None-Match) or changed (If-Match). */
export class PreconditionFailed extends Error {
  constructor(key: string) {
    super(`precondition failed for ${key}`);
    this.name = 'PreconditionFailed';
  }
}

export interface StoredObject {
  body: string;
  etag: string;
  /** The server's clock when the object was last written. */
  lastModified?: Date;
  /**
   * The server's clock when it answered this read (its HTTP Date). With `lastModified` it gives
   * the object's age on one clock, whatever the local clock says.
   */
  serverTime?: Date;
}

export interface ObjectStore {
  readonly bucket: string;
  get(key: string): Promise<StoredObject | undefined>;
  /**
   * Throws PreconditionFailed when `ifNoneMatch` or `ifMatch` does not hold (with `ifMatch`, also
   * when the object is gone). `serverTime`: the server's clock when it answered.
   */
  put(
    key: string,
    body: string | Uint8Array,
    options?: { ifNoneMatch?: '*'; ifMatch?: string; contentType?: string },
  ): Promise<{ etag: string; serverTime?: Date }>;
  delete(key: string, options?: { ifMatch?: string }): Promise<void>;
  list(prefix: string): Promise<{ key: string; lastModified?: Date; size?: number }[]>;
  /** HeadBucket: does the bucket exist and may we use it. */
  reachable(): Promise<boolean>;
}

/* ---------- S3 bucket settings ---------- */

/** A bucket's public access block: all four true blocks every kind of public access. */
export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/** How a bucket protects what it holds (the state bucket: terraform state, lock, journal). */
export interface BucketSettings {
  /**
   * S3 is reached over plain http on this machine (an emulator such as moto): a TLS-only policy
   * would refuse every request, so it cannot be required there.
   */
  readonly plainHttpLoopback?: boolean;
  /** GetBucketVersioning's status; undefined when versioning was never enabled. */
  versioning(bucket: string): Promise<'Enabled' | 'Suspended' | undefined>;
  /** The default encryption's algorithm (AES256, aws:kms, aws:kms:dsse); undefined when none is set. */
  encryption(bucket: string): Promise<string | undefined>;
  /** undefined when the bucket has no public access block of its own. */
  publicAccessBlock(bucket: string): Promise<PublicAccessBlock | undefined>;
  /** The bucket policy's JSON; undefined when the bucket has none. */
  policy(bucket: string): Promise<string | undefined>;
  /** CreateBucket in `region`; false when this account owns it already. */
  create(bucket: string, region: string): Promise<boolean>;
  enableVersioning(bucket: string): Promise<void>;
  /** Default encryption with S3-managed keys (SSE-S3, AES256). */
  enableEncryption(bucket: string): Promise<void>;
  blockPublicAccess(bucket: string): Promise<void>;
  putPolicy(bucket: string, policy: string): Promise<void>;
}

/* ---------- SSM Parameter Store ---------- */

export interface Parameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
}

export interface Secrets {
  get(name: string, options?: { decrypt?: boolean }): Promise<Parameter | undefined>;
  putSecure(name: string, value: string, options?: { overwrite?: boolean }): Promise<void>;
  /** DeleteParameter; false when there was no such parameter. */
  delete(name: string): Promise<boolean>;
}

/* ---------- CloudWatch alarms and metrics ---------- */

export interface Alarm {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason?: string;
  updated?: Date;
  metric?: string;
  threshold?: number;
}

export interface Alarms {
  list(prefix: string): Promise<Alarm[]>;
}

/** One metric to read: CloudWatch's MetricStat, named by `id` in the answer. */
export interface MetricQuery {
  /** Unique within one read; CloudWatch wants it to start with a lower-case letter. */
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: 'Average' | 'Sum' | 'Maximum' | 'Minimum';
  periodSeconds: number;
}

/** One datapoint: the start of its period (epoch ms) and the statistic's value. */
export interface MetricPoint {
  at: number;
  value: number;
}

/** What one read cost: the API calls made (GetMetricData, pages included) and the queries sent. */
export interface MetricReadCost {
  calls: number;
  queries: number;
}

export interface Metrics {
  /**
   * Every query's datapoints in [start, end), oldest first, keyed by query id (a query with no
   * data maps to []). As few GetMetricData calls as CloudWatch allows: 500 queries per call, and
   * the pages NextToken asks for.
   */
  read(
    queries: MetricQuery[],
    start: Date,
    end: Date,
  ): Promise<{ series: Map<string, MetricPoint[]>; cost: MetricReadCost }>;
  /** The environment's NAT, found by its Name tag: the live NAT gateway, else the running NAT instance. */
  nat(name: string): Promise<{ type: 'gateway' | 'instance'; id: string } | undefined>;
}

/* ---------- What CloudWatch measured (ydeploy cost) ---------- */

export interface UsageMeter {
  /** Bytes a log group holds now (DescribeLogGroups' storedBytes); undefined: no such group. */
  storedBytes(group: string): Promise<number | undefined>;
  /** A metric's Sum over [start, end), one-day periods added up; undefined: no data points. */
  metricSum(
    namespace: string,
    metric: string,
    dimensions: Record<string, string>,
    start: Date,
    end: Date,
  ): Promise<number | undefined>;
  /** The id of the live NAT gateway tagged Name=`name`; undefined: none. */
  natGatewayId(name: string): Promise<string | undefined>;
}

/* ---------- Live prices (ydeploy cost, the cost of a plan) ---------- */

/** What an estimate needs priced in one region; only these are looked up. */
export interface LivePriceQuery {
  region: string;
  /** EC2 instance types (the bots', a NAT instance's), Linux on-demand per hour. */
  instanceTypes: string[];
  ebsGp3: boolean;
  natGateway: boolean;
  publicIpv4: boolean;
}

/** Prices read from the AWS Price List API, USD; a key left out was not found. */
export interface LivePriceList {
  instanceHour: Record<string, number>;
  ebsGp3GbMonth?: number;
  natGatewayHour?: number;
  natGatewayGb?: number;
  publicIpv4Hour?: number;
}

export interface LivePrices {
  /** Rejects when nothing could be read (no credentials, AccessDenied, network, `signal` aborted). */
  lookup(query: LivePriceQuery, signal: AbortSignal): Promise<LivePriceList>;
}

/* ---------- STS ---------- */

export interface Identity {
  whoami(): Promise<{ account: string; arn: string; userId: string }>;
}

/* ---------- Discord (a slash command sent through the emulator; sandbox only) ---------- */

export interface CommandAnswer {
  id: string;
  name: string;
  /** Every instance that tried to answer (two means the command was answered twice). */
  answeredBy: string[];
  /** The instances the emulator delivered it to (connected sessions). */
  deliveredTo: string[];
  content?: string;
  latencyMs?: number;
  answered: boolean;
}

export interface CommandProbe {
  /** Send a slash command and report which instances answered it. */
  send(
    command: string,
    options?: { timeoutMs?: number; shard?: { id: number; count: number } },
  ): Promise<{ answeredBy: string[]; content?: string; latencyMs?: number }>;
  /** The full picture: who got it, who answered, what. */
  interact(command: string, options?: { timeoutMs?: number }): Promise<CommandAnswer>;
}

/* ---------- EC2 network (doctor: NAT, routes, security groups) ---------- */

export interface InstanceNetwork {
  instanceId: string;
  vpcId: string;
  vpcCidrs: string[];
  subnetId: string;
  securityGroupIds: string[];
}

export interface NatGateway {
  id: string;
  state: 'pending' | 'failed' | 'available' | 'deleting' | 'deleted';
  subnetId?: string;
  failureMessage?: string;
}

export interface Route {
  destination: string;
  /** nat-…, igw-…, local, or whatever else the route targets. */
  target: string;
  state: 'active' | 'blackhole';
}

export interface RouteTable {
  id: string;
  /** The VPC's main table (used by subnets with no explicit association). */
  main: boolean;
  routes: Route[];
}

export interface SecurityGroupRule {
  direction: 'ingress' | 'egress';
  /** "tcp", "udp", "icmp" or "-1" (all). */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  sourceGroups: string[];
}

export interface SecurityGroup {
  id: string;
  name?: string;
  rules: SecurityGroupRule[];
}

export interface Network {
  /** Where an instance sits: VPC (and its CIDRs), subnet, security groups. */
  ofInstance(instanceId: string): Promise<InstanceNetwork | undefined>;
  natGateways(vpcId: string): Promise<NatGateway[]>;
  /** The route table a subnet uses: its explicit association, else the VPC's main table. */
  routeTable(subnetId: string, vpcId: string): Promise<RouteTable | undefined>;
  securityGroups(ids: string[]): Promise<SecurityGroup[]>;
}

/* ---------- Discord REST (preflight: is the bot token good; deploys: the slash commands) ---------- */

export type { CommandDefinition } from '../bot/contracts/commands.js';
import type { CommandDefinition } from '../bot/contracts/commands.js';

/** A registered command as Discord returns it: the definition plus the ids Discord adds. */
export type RegisteredCommand = CommandDefinition & { id?: string; application_id?: string; version?: string };

export interface DiscordAccount {
  /** GET /users/@me with the bot token. */
  botUser(token: string, signal?: AbortSignal): Promise<{ id: string; username: string }>;
  /** GET /gateway/bot: where to connect and how many session starts remain. */
  gatewayBot(
    token: string,
    signal?: AbortSignal,
  ): Promise<{
    url: string;
    shards: number;
    sessionStartLimit: { total: number; remaining: number; resetAfter: number; maxConcurrency: number };
  }>;
  /** GET /applications/@me: the bot's application (its id scopes the commands). */
  application(token: string, signal?: AbortSignal): Promise<{ id: string }>;
  /** GET /applications/:id/commands, or the guild's (/applications/:id/guilds/:guild/commands). */
  commands(token: string, appId: string, guild?: string, signal?: AbortSignal): Promise<RegisteredCommand[]>;
  /** Bulk overwrite (PUT): afterwards exactly `defs` are registered, globally or in the guild. */
  overwriteCommands(
    token: string,
    appId: string,
    defs: CommandDefinition[],
    guild?: string,
    signal?: AbortSignal,
  ): Promise<RegisteredCommand[]>;
}

/* ---------- Deployment notifications (a Discord webhook) ---------- */

/** An embed as Discord's webhook API takes it (only the fields ydeploy sends). */
export interface WebhookEmbed {
  title: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
  timestamp?: string;
}

/** The JSON body of Execute Webhook. */
export interface WebhookMessage {
  content?: string;
  username?: string;
  embeds?: WebhookEmbed[];
  /** `{ parse: [] }`: nothing in the message pings anyone. */
  allowed_mentions?: { parse: string[] };
}

export interface WebhookSender {
  /**
   * POST {url}?wait=true. Rejects on a refused URL, an HTTP error (a 429 is retried once after
   * its retry_after when that fits in `timeoutMs`) or when `timeoutMs` passes; the message never
   * names the URL (its token is a secret).
   */
  execute(
    url: string,
    message: WebhookMessage,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<{ messageId?: string; attempts: number }>;
}

/* ---------- Hooks (the team's shell commands around a deployment) ---------- */

export interface HookRun {
  /** undefined when it was killed (timeout, Ctrl-C) or could not start. */
  exitCode?: number;
  timedOut: boolean;
  /** The last lines of its stdout and stderr, interleaved as they came. */
  tail: string[];
  seconds: number;
  /** Why it could not start, or was killed. */
  error?: string;
}

export interface HookRunner {
  /** Runs `command` in a shell; every output line goes to `onLine` as it comes. */
  run(
    command: string,
    options: {
      env: Record<string, string>;
      cwd: string;
      timeoutMs: number;
      signal?: AbortSignal;
      onLine(line: string): void;
    },
  ): Promise<HookRun>;
}

/* ---------- Every adapter a command can use, built in one place (cli/context.ts) ---------- */

export interface Ports {
  terraform: Terraform;
  instances: Instances;
  remote: RemoteExec;
  logs: LogStore;
  /** The state bucket: terraform's state, lock.json, desired.json, journal/ (cli/core/storage.ts). */
  store: ObjectStore;
  /** The release bucket: releases/<version>/. */
  releases: ObjectStore;
  /** The buckets' own settings (versioning, encryption, public access, policy): init and preflight. */
  buckets?: BucketSettings;
  secrets: Secrets;
  alarms: Alarms;
  /** CloudWatch metrics over time (monitor's charts and thresholds). */
  metrics: Metrics;
  /** CloudWatch's measurements of the environment's data volumes (ydeploy cost). */
  usage?: UsageMeter;
  /** The AWS Price List API (ydeploy cost); absent in the sandbox, which has none. */
  prices?: LivePrices;
  identity: Identity;
  network: Network;
  discord: DiscordAccount;
  clock: Clock;
  /** Sending a real slash command: only where an emulator's control API is known (the sandbox). */
  commandProbe?: CommandProbe;
  /** Deployment notifications; absent: none are sent. */
  webhook?: WebhookSender;
  /** The config's hooks; absent: none run. */
  hooks?: HookRunner;
}
