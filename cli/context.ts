// The one wiring point: every adapter is constructed here and nowhere else. A command opens its
// context in two visible moves — the environment (and, for `--env sandbox`, the sandbox brought
// up first), then the wiring, which only builds objects: each adapter loads its SDK client on
// first use, so a command pays only for what it calls.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CommandInput } from './command.js';
import { loadEnvironment, type ResolvedEnvironment } from './config/load.js';
import { DEFAULT_PLUGIN_DIR } from './config/sandbox.js';
import type { Context, ReleasePublisher } from './core/context.js';
import type { BotBuildOptions } from './release/build.js';
import { backendConfig } from './core/storage.js';
import { Meter, meterPorts, meterReporter } from './core/metrics/meter.js';
import type { Ports, Reporter, TerraformVars } from './ports.js';
import { CloudWatchAlarms } from './adapters/aws/alarms.js';
import { usesCustomEndpoint, type AwsSettings } from './adapters/aws/config.js';
import { Ec2Instances } from './adapters/aws/ec2.js';
import { CloudWatchLogStore } from './adapters/aws/logs.js';
import { CloudWatchMetrics } from './adapters/aws/metrics.js';
import { Ec2Network } from './adapters/aws/network.js';
import { SsmParameters } from './adapters/aws/parameters.js';
import { S3ObjectStore } from './adapters/aws/s3.js';
import { S3BucketSettings } from './adapters/aws/s3-buckets.js';
import { SsmRemoteExec } from './adapters/aws/ssm-run.js';
import { StsIdentity } from './adapters/aws/sts.js';
import { AwsPriceList } from './adapters/aws/pricing.js';
import { CloudWatchUsage } from './adapters/aws/usage.js';
import { systemClock } from './adapters/clock.js';
import { DiscordRest } from './adapters/discord.js';
import { EmulatorCommandProbe } from './adapters/discord-emulator.js';
import { DiscordWebhook } from './adapters/discord-webhook.js';
import { ShellHooks } from './adapters/hooks.js';
import { TerraformRunner } from './adapters/terraform/runner.js';

export interface WiringOptions {
  env: ResolvedEnvironment;
  /** What the SDK and terraform see: credentials, region, and (sandbox) the emulators' endpoints. */
  processEnv: NodeJS.ProcessEnv;
  reporter: Reporter;
  cwd: string;
}

/** A context a command opened; `dispose` removes its temporary var files. */
export type OpenedContext = Context & { dispose(): Promise<void> };

/** Every port of one environment. Building them does no I/O. */
export function createPorts({ env, processEnv, reporter, cwd }: WiringOptions): Ports {
  const aws: AwsSettings = { region: env.region, profile: env.profile, env: processEnv };
  const control = processEnv.YDEPLOY_DISCORD_CONTROL;
  return {
    terraform: createTerraform(env, processEnv, reporter, workDir(env, processEnv, cwd)),
    instances: new Ec2Instances(aws, env.project),
    remote: new SsmRemoteExec(aws),
    logs: new CloudWatchLogStore(aws),
    store: new S3ObjectStore(aws, env.stateBucket),
    releases: new S3ObjectStore(aws, env.releaseBucket),
    buckets: new S3BucketSettings(aws),
    secrets: new SsmParameters(aws),
    alarms: new CloudWatchAlarms(aws),
    metrics: new CloudWatchMetrics(aws),
    usage: new CloudWatchUsage(aws),
    ...(livePricesReachable(env, processEnv) ? { prices: new AwsPriceList(aws) } : {}),
    identity: new StsIdentity(aws),
    network: new Ec2Network(aws),
    discord: new DiscordRest(env.discordApi),
    clock: systemClock,
    ...(control ? { commandProbe: new EmulatorCommandProbe(control) } : {}),
    webhook: new DiscordWebhook(),
    hooks: new ShellHooks(processEnv),
  };
}

/**
 * Who runs ydeploy here, as the lock, the journal and the notifications name them: the OS
 * account (os.userInfo, which works where $USER is unset: cron, containers, CI) at this host.
 * Only an account with no passwd entry (an arbitrary container uid) falls back to the
 * environment, then to the uid.
 */
export function localUser(
  processEnv: NodeJS.ProcessEnv,
  os: { userInfo(): { username: string; uid: number }; hostname(): string } = { userInfo, hostname },
): string {
  let name: string | undefined;
  let uid: number | undefined;
  try {
    const info = os.userInfo();
    name = info.username || undefined;
    uid = info.uid;
  } catch {
    // no passwd entry for this uid
  }
  name ??=
    processEnv.USER || processEnv.USERNAME || processEnv.LOGNAME || (uid !== undefined ? `uid${uid}` : 'unknown');
  return `${name}@${os.hostname()}`;
}

/**
 * Whether to wire the AWS Price List API: not in the sandbox, nor wherever every AWS call goes to
 * another endpoint (an emulator serves no real prices) unless pricing has an endpoint of its own.
 */
function livePricesReachable(env: ResolvedEnvironment, processEnv: NodeJS.ProcessEnv): boolean {
  if (env.sandbox) return false;
  return Boolean(processEnv.AWS_ENDPOINT_URL_PRICING) || !processEnv.AWS_ENDPOINT_URL;
}

/**
 * The environment a command acts on. For `--env sandbox` this is the command's first step: the
 * sandbox is brought up when it is not running, and its endpoints join the process environment.
 */
export async function openEnvironment(
  input: CommandInput,
): Promise<{ env: ResolvedEnvironment; processEnv: NodeJS.ProcessEnv }> {
  const { globals } = input;
  const env = await loadEnvironment({
    config: globals.config,
    env: globals.env,
    region: globals.region,
    profile: globals.profile,
    cwd: input.cwd,
    environment: input.env,
  });
  if (!env.sandbox) return { env, processEnv: { ...input.env } };
  const { ensureSandbox } = await import('./sandbox/control/ensure.js');
  const endpoints = await ensureSandbox({
    cwd: input.cwd,
    env: input.env,
    reporter: input.reporter,
    signal: input.signal,
  });
  // The emulator serves Discord's REST API beside its control API: bots and checks use it.
  const discordApi = `${new URL(endpoints.YDEPLOY_DISCORD_CONTROL!).origin}/api`;
  return { env: { ...env, discordApi }, processEnv: { ...input.env, ...endpoints } };
}

/** The context over one environment: ports, intent, and where var files and releases go. No I/O. */
export function wireContext(
  input: CommandInput,
  env: ResolvedEnvironment,
  processEnv: NodeJS.ProcessEnv,
): OpenedContext {
  const unmetered = createPorts({ env, processEnv, reporter: input.reporter, cwd: input.cwd });
  // The command's time starts here: every port call from now on is timed (core/metrics).
  const meter = new Meter(unmetered.clock);
  const ports: Ports = { ...unmetered, ...meterPorts(unmetered, meter) };
  const varFiles = temporaryVarFiles();
  const source = typeof input.options.source === 'string' ? input.options.source : undefined;
  return {
    ...ports,
    meter,
    env,
    reporter: meterReporter(input.reporter, meter),
    signal: input.signal,
    killSignal: input.killSignal,
    user: localUser(processEnv),
    // The sandbox is disposable: nothing in it is worth a prompt, so its main job runs as one
    // command (README) with or without a terminal.
    yes: input.globals.yes || env.sandbox,
    backend: backendConfig(env, { pathStyle: usesCustomEndpoint(processEnv, 's3') }),
    writeVarFile: varFiles.write,
    publisher: releasePublisher(ports, env, { source, cwd: input.cwd }),
    dispose: varFiles.dispose,
  };
}

export interface OpenOptions {
  /** Initialise terraform's backend. */
  terraform?: boolean;
  /** Refuse (exit 5) when another run holds the deployment lock, before anything else runs. */
  lockFree?: boolean;
}

/**
 * openEnvironment, then wireContext; with `lockFree`, the deployment lock is checked first; with
 * `terraform`, terraform's backend is initialised too.
 */
export async function openContext(input: CommandInput, options: OpenOptions = {}): Promise<OpenedContext> {
  const { env, processEnv } = await openEnvironment(input);
  const ctx = wireContext(input, env, processEnv);
  await prepareContext(ctx, options);
  return ctx;
}

/**
 * What a command needs before its own work, in order: the lock check reads one S3 object and
 * needs no terraform, so a second deployment is refused before `terraform init` (which can take
 * a while) and before preflight.
 */
export async function prepareContext(ctx: Context, options: OpenOptions): Promise<void> {
  if (options.lockFree) {
    const { assertLockFree } = await import('./core/lock/lock.js');
    await assertLockFree(ctx);
  }
  if (options.terraform) await initTerraform(ctx);
}

async function initTerraform(ctx: Context): Promise<void> {
  const handle = ctx.reporter.step('terraform init', { step: 'terraform-init' });
  try {
    await ctx.terraform.init({ backendConfig: ctx.backend, signal: ctx.signal });
    handle.succeed();
  } catch (error) {
    handle.fail((error as Error).message.split('\n')[0]);
    throw error;
  }
}

/**
 * terraform's working files live in the project's `.ydeploy/<env>/`; the sandbox says where its
 * own folder is (YDEPLOY_SANDBOX_DIR), so `sandbox down --purge` takes them too.
 */
function workDir(env: ResolvedEnvironment, processEnv: NodeJS.ProcessEnv, cwd: string): string {
  if (env.sandbox && processEnv.YDEPLOY_SANDBOX_DIR) return processEnv.YDEPLOY_SANDBOX_DIR;
  return resolve(cwd, '.ydeploy', env.name);
}

function createTerraform(
  env: ResolvedEnvironment,
  processEnv: NodeJS.ProcessEnv,
  reporter: Reporter,
  dir: string,
): TerraformRunner {
  const { terraform } = env;
  return new TerraformRunner({
    binary: terraform.binary,
    dir: terraform.dir,
    env: processEnv,
    cliConfig: terraform.cliConfig,
    pluginDir: terraform.cliConfig ? undefined : pluginDirFor(env, processEnv),
    reporter,
    environment: env.name,
    stateDir: dir,
    dataDir: join(dir, 'terraform'),
  });
}

/** The configured mirror; the sandbox (never online) falls back to this machine's mirror. */
function pluginDirFor(env: ResolvedEnvironment, processEnv: NodeJS.ProcessEnv): string | undefined {
  if (env.terraform.pluginDir) return env.terraform.pluginDir;
  if (processEnv.YDEPLOY_TF_PLUGIN_DIR) return processEnv.YDEPLOY_TF_PLUGIN_DIR;
  return env.sandbox && existsSync(DEFAULT_PLUGIN_DIR) ? DEFAULT_PLUGIN_DIR : undefined;
}

/** Var files in a private temporary folder, made on the first write and removed by dispose. */
function temporaryVarFiles(): { write(vars: TerraformVars): Promise<string>; dispose(): Promise<void> } {
  let dir: string | undefined;
  let count = 0;
  return {
    async write(vars) {
      dir ??= await mkdtemp(join(tmpdir(), 'ydeploy-'));
      const file = join(dir, `desired-${++count}.tfvars.json`);
      await writeFile(file, `${JSON.stringify(vars, null, 2)}\n`, { mode: 0o600 });
      return file;
    },
    async dispose() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** deploy's build (a temporary folder) and build + upload: the configured bot, or --source. */
function releasePublisher(
  ports: Pick<Ports, 'releases'>,
  env: ResolvedEnvironment,
  o: { source?: string; cwd: string },
): ReleasePublisher {
  const bot: BotBuildOptions = {
    ...env.bot,
    configDir: env.configDir ?? (env.configFile ? dirname(env.configFile) : o.cwd),
    configFile: env.configFile,
    cwd: o.cwd,
    ...(o.source !== undefined ? { source: o.source } : {}),
  };
  const build = async (version: string, signal: AbortSignal) => {
    const { buildRelease } = await import('./release/build.js');
    const outDir = await mkdtemp(join(tmpdir(), `ydeploy-release-${version}-`));
    return buildRelease({ version, outDir, bot, signal });
  };
  return {
    build,
    async publish(version, signal) {
      const { uploadRelease } = await import('./release/upload.js');
      const { dir, manifest } = await build(version, signal);
      try {
        await uploadRelease(ports.releases, dir, version);
        return { files: Object.keys(manifest.files), manifest };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
