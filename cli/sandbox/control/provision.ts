// The guide's starting point, provisioned into moto by `sandbox up`: the state and release
// buckets, the token parameter, the notification webhook's URL (the emulator's), release legacy-1 (the project's bot when it configures one), and a
// real `terraform apply` of the module with the legacy instance in the public subnet. desired.json
// is the exact variable map applied. With sandbox.legacy false there is no legacy instance: the
// desired state runs nothing, so the first deploy starts the first enhanced instance.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedEnvironment } from '../../config/load.js';
import { emptyDesired, saveDesired, type DesiredState } from '../../core/desired/state.js';
import { hardenBucket } from '../../core/buckets.js';
import { backendConfig, keys } from '../../core/storage.js';
import type { ObjectStore, Ports, Reporter } from '../../ports.js';
import { UserError } from '../../errors.js';
import type { CommandDefinition } from '../../../bot/contracts/commands.js';
import type { ReleaseManifest } from '../../release/manifest.js';
import { LEGACY_RELEASE, sandboxFiles, sandboxWebhook } from '../layout.js';
import { webhookParameter } from '../../config/names.js';
import { readJson, type InstancesState, type SandboxState } from '../state-files.js';

const HEALTH_TIMEOUT_MS = 60_000;

/** What provisioning runs against: ports from the wiring point, over the sandbox's endpoints. */
export type ProvisionPorts = Pick<Ports, 'store' | 'releases' | 'secrets' | 'terraform' | 'buckets'>;

export interface ProvisionOptions {
  state: SandboxState;
  environment: ResolvedEnvironment;
  ports: ProvisionPorts;
  reporter: Reporter;
  signal?: AbortSignal;
  killSignal?: AbortSignal;
}

/** Whether the starting point has a legacy instance (sandbox.legacy, default true). */
export function withLegacy(environment: ResolvedEnvironment): boolean {
  return environment.sandboxSettings?.legacy ?? true;
}

/** The desired state of the starting point: legacy only, in the public subnet; or nothing running. */
function startingPointVars(state: SandboxState, environment: ResolvedEnvironment): DesiredState {
  const sandbox = {
    ...emptyDesired(environment),
    project: state.project,
    region: state.region,
    release_bucket: state.releaseBucket,
    discord_token_parameter: state.tokenParameter,
    // The instances' bots talk to the emulator (the user data writes it into their environment).
    discord_api: state.endpoints.discordApi,
    // moto: path-style S3, no credential/region/metadata checks.
    aws_compat_endpoint: true,
    // One AZ: the sandbox needs one public and one private subnet, and applies faster.
    availability_zone_count: 1,
    log_retention_days: 1,
  };
  if (!withLegacy(environment)) return sandbox;
  return {
    ...sandbox,
    use_private_subnet: false,
    enable_legacy_instance: true,
    release_version: LEGACY_RELEASE,
    legacy_release_version: LEGACY_RELEASE,
  };
}

export async function provisionStartingPoint(
  o: ProvisionOptions,
): Promise<{ instanceId: string; healthPort: number; seconds: number }> {
  const started = performance.now();
  const { state, reporter, ports } = o;

  await step(reporter, `Create buckets ${ports.store.bucket} and ${ports.releases.bucket}`, async () => {
    await createBuckets(state.endpoints.aws, [ports.store.bucket, ports.releases.bucket]);
    // Protected as `ydeploy init --harden-bucket` protects a real one, so preflight's checks pass
    // here too; no TLS-only policy: moto is plain http and enforces it.
    if (ports.buckets)
      for (const bucket of new Set([ports.store.bucket, ports.releases.bucket]))
        await hardenBucket(ports.buckets, bucket, state.region, { create: false, tlsOnly: false });
  });

  await step(reporter, `Store the sandbox Discord token in SSM ${state.tokenParameter} (SecureString)`, () =>
    ports.secrets.putSecure(state.tokenParameter, state.discordToken, { overwrite: true }),
  );

  const webhook = webhookParameter(o.environment);
  await step(reporter, `Store the emulator's notification webhook in SSM ${webhook} (SecureString)`, () =>
    ports.secrets.putSecure(webhook, sandboxWebhook(state).url, { overwrite: true }),
  );

  if (!withLegacy(o.environment)) {
    // Nothing to apply yet: the first deploy applies the module with its first enhanced instance.
    await step(reporter, 'Save an empty desired state (sandbox.legacy is false: no legacy instance)', () =>
      saveStartingPoint(state, o.environment, ports.store),
    );
    return { instanceId: '', healthPort: 0, seconds: (performance.now() - started) / 1000 };
  }

  await step(reporter, `Build and upload release ${LEGACY_RELEASE}`, async (handle) => {
    if (await ports.releases.get(keys.manifest(LEGACY_RELEASE))) {
      return handle.skip(`s3://${ports.releases.bucket}/${keys.releaseDir(LEGACY_RELEASE)} exists`);
    }
    const { publishRelease } = await import('./release-step.js');
    await publishRelease({
      releases: ports.releases,
      version: LEGACY_RELEASE,
      workDir: join(state.dir, 'build'),
      environment: o.environment,
    });
  });

  const desiredFile = await saveStartingPoint(state, o.environment, ports.store);
  await step(reporter, 'terraform init (S3 backend in the sandbox state bucket)', () =>
    ports.terraform.init({
      backendConfig: backendConfig(o.environment, { pathStyle: true }),
      reconfigure: true,
      signal: o.signal,
    }),
  );
  await step(reporter, 'terraform apply: the legacy instance in the public subnet', async (handle) => {
    const varFiles = [...o.environment.terraform.varFiles, desiredFile];
    const result = await ports.terraform.apply({ varFiles, signal: o.signal, killSignal: o.killSignal });
    handle.succeed(`${result.add} added, ${result.change} changed, ${result.remove} destroyed`);
  });

  const legacy = await step(reporter, 'Wait for the legacy bot to be healthy', async (handle) => {
    const found = await waitForHealthy(state, 'legacy', HEALTH_TIMEOUT_MS, o.signal, (text) => handle.update(text));
    handle.succeed(`${found.instanceId} healthy on 127.0.0.1:${found.healthPort}`);
    return found;
  });
  await step(reporter, `Register the slash commands of ${LEGACY_RELEASE}`, async (handle) => {
    const object = await ports.releases.get(keys.manifest(LEGACY_RELEASE));
    const commands = object ? (JSON.parse(object.body) as ReleaseManifest).commands : undefined;
    if (!commands) return handle.skip(`${LEGACY_RELEASE} carries no command definitions`);
    const scope = await registerCommands(state, commands, o.environment.guild);
    handle.succeed(`${commands.map((c) => `/${c.name}`).join(', ') || 'none'} (${scope})`);
  });
  return { ...legacy, seconds: (performance.now() - started) / 1000 };
}

/**
 * moto starts empty, and no port creates buckets (every real environment's exist before ydeploy
 * runs): they are seeded with S3's CreateBucket by path, which moto accepts unsigned. A bucket
 * that exists already is fine.
 */
async function createBuckets(motoEndpoint: string, buckets: string[]): Promise<void> {
  for (const bucket of new Set(buckets)) {
    const res = await fetch(`${motoEndpoint}/${encodeURIComponent(bucket)}`, {
      method: 'PUT',
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok && !/BucketAlreadyOwnedByYou/.test(text)) {
      throw new Error(`cannot create bucket ${bucket} in moto: HTTP ${res.status} ${text.slice(0, 200)}`);
    }
  }
}

/**
 * A legacy bot registered its own commands when it started; the bots ydeploy deploys leave that
 * to the deploy, so the starting point registers legacy-1's in the emulator (one bulk overwrite,
 * as a deploy does), through its REST API with the sandbox's bot token.
 */
async function registerCommands(state: SandboxState, commands: CommandDefinition[], guild?: string): Promise<string> {
  const api = state.endpoints.discordApi;
  const headers = { authorization: `Bot ${state.discordToken}`, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as { id?: string };
  };
  const app = await call('GET', '/applications/@me');
  const path = guild ? `/applications/${app.id}/guilds/${guild}/commands` : `/applications/${app.id}/commands`;
  await call('PUT', path, commands);
  return guild ? `guild ${guild}` : 'global';
}

/**
 * desired.json twice: in the state bucket where core keeps it (so migrate starts from it), and as
 * a local var file for this first apply.
 */
async function saveStartingPoint(
  state: SandboxState,
  environment: ResolvedEnvironment,
  store: ObjectStore,
): Promise<string> {
  const desired = startingPointVars(state, environment);
  const file = join(state.dir, 'desired.json');
  await mkdir(state.dir, { recursive: true });
  await writeFile(file, `${JSON.stringify(desired, null, 2)}\n`);
  await saveDesired({ store, env: environment }, desired);
  return file;
}

type Handle = ReturnType<Reporter['step']>;

async function step<T>(reporter: Reporter, title: string, work: (handle: Handle) => Promise<T>): Promise<T> {
  const handle = reporter.step(title);
  try {
    const value = await work(handle);
    handle.succeed();
    return value;
  } catch (error) {
    handle.fail((error as Error).message.split('\n')[0]);
    throw error;
  }
}

export async function waitForHealthy(
  state: SandboxState,
  /** undefined: any hosted instance. */
  kind: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
  progress?: (text: string) => void,
): Promise<{ instanceId: string; healthPort: number; health: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'the instance host has not booted it yet';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    const instances = await readJson<InstancesState>(sandboxFiles(state.dir).instances);
    const instance = Object.values(instances?.instances ?? {}).find((i) => !kind || i.kind === kind);
    if (instance) {
      try {
        const res = await fetch(`http://127.0.0.1:${instance.healthPort}/health`, {
          signal: AbortSignal.timeout(2000),
        });
        const health = (await res.json()) as Record<string, unknown>;
        if (res.status === 200 && health.status === 'healthy')
          return { instanceId: instance.id, healthPort: instance.healthPort, health };
        last = `${instance.id}: ${health.status}${health.reason ? ` (${health.reason})` : ''}`;
      } catch (error) {
        last = `${instance.id}: health server not answering (${(error as Error).message})`;
      }
    } else if (instances?.lastError) last = instances.lastError;
    progress?.(last);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new UserError(`the ${kind ?? 'sandbox'} bot did not become healthy within ${timeoutMs / 1000}s`, last, {
    fix: `look at ${sandboxFiles(state.dir).daemonLog('host')} and ${sandboxFiles(state.dir).dir}/instances/*/bot.log, then rerun ydeploy sandbox up`,
  });
}
