// The one place ports are wired to adapters: a command's options become a context that core
// runs against. Each adapter loads its SDK client on first use, so a command pays only for what
// it calls.
import type { CommandInput } from './command.js';
import { loadEnvironment, type ResolvedEnvironment } from './config/load.js';
import type { Alarms, Clock, CommandProbe, Identity, Instances, LogStore, ObjectStore, RemoteExec, Reporter, Secrets, Terraform } from './ports.js';
import { Ec2Instances } from './adapters/aws/ec2.js';
import { SsmRemoteExec } from './adapters/aws/ssm-run.js';
import { CloudWatchLogStore } from './adapters/aws/logs.js';
import { S3ObjectStore } from './adapters/aws/s3.js';
import { SsmParameters } from './adapters/aws/parameters.js';
import { CloudWatchAlarms } from './adapters/aws/alarms.js';
import { StsIdentity } from './adapters/aws/sts.js';
import type { AwsSettings } from './adapters/aws/config.js';
import { systemClock } from './adapters/clock.js';

export interface Ports {
  readonly terraform: Terraform;
  readonly instances: Instances;
  readonly remote: RemoteExec;
  readonly logs: LogStore;
  /** The state bucket: lock.json, desired.json, journal/ (keys under `prefix`). */
  readonly store: ObjectStore;
  /** The release bucket: releases/<version>/. */
  readonly releases: ObjectStore;
  readonly secrets: Secrets;
  readonly alarms: Alarms;
  readonly identity: Identity;
  readonly clock: Clock;
  /** Sending a real slash command: only where an emulator's control API is known (the sandbox). */
  readonly commandProbe?: CommandProbe;
}

export interface Context {
  env: ResolvedEnvironment;
  reporter: Reporter;
  /** Key prefix of this environment's objects in the state bucket. */
  prefix: string;
  /** The process environment the SDK and terraform see (the sandbox's endpoints included). */
  processEnv: NodeJS.ProcessEnv;
  ports: Ports;
  signal: AbortSignal;
  killSignal: AbortSignal;
  input: CommandInput;
}

export async function createContext(input: CommandInput): Promise<Context> {
  const { globals, reporter } = input;
  let env = await loadEnvironment({ config: globals.config, env: globals.env, region: globals.region, profile: globals.profile, cwd: input.cwd, environment: input.env });
  const processEnv = { ...input.env };
  if (env.sandbox) {
    const { ensureSandbox } = await import('./sandbox/control/ensure.js');
    Object.assign(processEnv, await ensureSandbox({ cwd: input.cwd, env: input.env, reporter, signal: input.signal }));
    // The emulator serves Discord's REST API beside its control API: bots and checks use it.
    if (processEnv.YDEPLOY_DISCORD_CONTROL) env = { ...env, discordApi: `${new URL(processEnv.YDEPLOY_DISCORD_CONTROL).origin}/api` };
  }
  // The SDK reads endpoints and credentials from process.env; keep it in step with processEnv.
  if (processEnv !== process.env) for (const [key, value] of Object.entries(processEnv)) if (value !== undefined && key.startsWith('AWS_')) process.env[key] = value;
  const settings: AwsSettings = { region: env.region, profile: env.profile, env: processEnv };
  const ports = await buildPorts(env, settings, input, processEnv);
  return { env, reporter, prefix: `ydeploy/${env.name}/`, processEnv, ports, signal: input.signal, killSignal: input.killSignal, input };
}

/** Adapters are cheap to build: each imports its SDK client only on its first call. */
async function buildPorts(env: ResolvedEnvironment, settings: AwsSettings, input: CommandInput, processEnv: NodeJS.ProcessEnv): Promise<Ports> {
  const { createTerraform } = await import('./adapters/terraform/index.js');
  return {
    terraform: createTerraform(env, { reporter: input.reporter, env: processEnv, cwd: input.cwd }),
    instances: new Ec2Instances(settings, env.project),
    remote: new SsmRemoteExec(settings),
    logs: new CloudWatchLogStore(settings),
    store: new S3ObjectStore(settings, env.stateBucket),
    releases: new S3ObjectStore(settings, env.releaseBucket),
    secrets: new SsmParameters(settings),
    alarms: new CloudWatchAlarms(settings),
    identity: new StsIdentity(settings),
    clock: systemClock,
    commandProbe: processEnv.YDEPLOY_DISCORD_CONTROL ? await sandboxProbe(processEnv.YDEPLOY_DISCORD_CONTROL) : undefined,
  };
}

async function sandboxProbe(controlUrl: string): Promise<CommandProbe> {
  const { EmulatorCommandProbe } = await import('./sandbox/command-probe.js');
  return new EmulatorCommandProbe(controlUrl);
}
