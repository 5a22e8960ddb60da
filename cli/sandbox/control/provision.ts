// The guide's starting point, provisioned into moto by `sandbox up`: the state and release
// buckets, the token parameter, release legacy-1, and a real `terraform apply` of the module with
// the legacy instance in the public subnet. desired.json is the exact variable map applied.
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedEnvironment } from '../../config/load.js';
import type { Reporter, TerraformVars } from '../../ports.js';
import { UserError } from '../../errors.js';
import { sandboxEnv } from './env.js';
import { LEGACY_RELEASE } from '../layout.js';
import { readJson } from '../state-files.js';
import type { InstancesState, SandboxState } from '../state-files.js';
import { sandboxFiles } from '../layout.js';

export const STATE_PREFIX = 'ydeploy/sandbox/';
export const HEALTH_TIMEOUT_MS = 60_000;

export interface ProvisionOptions {
  state: SandboxState;
  environment: ResolvedEnvironment;
  reporter: Reporter;
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  killSignal?: AbortSignal;
}

/** The variables of the starting point: legacy only, in the public subnet. */
export function startingPointVars(state: SandboxState, environment: ResolvedEnvironment): TerraformVars {
  return {
    ...(environment.terraform.vars as TerraformVars),
    project: state.project,
    environment: 'sandbox',
    region: state.region,
    use_private_subnet: false,
    enable_legacy_instance: true,
    enable_enhanced_instance: false,
    release_bucket: state.releaseBucket,
    release_version: LEGACY_RELEASE,
    legacy_release_version: LEGACY_RELEASE,
    candidate_release_version: null,
    instance_type: environment.instanceType,
    discord_token_parameter: state.tokenParameter,
    health_port: environment.health.port,
    // moto: path-style S3, no credential/region/metadata checks.
    aws_compat_endpoint: true,
    // One AZ: the sandbox needs one public and one private subnet, and applies faster.
    availability_zone_count: 1,
    log_retention_days: 1,
  };
}

export async function provisionStartingPoint(o: ProvisionOptions): Promise<{ instanceId: string; healthPort: number; seconds: number }> {
  const started = performance.now();
  const { state, reporter } = o;
  const aws = { region: state.region, endpoint: state.endpoints.aws, credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey }, maxAttempts: 3 };
  const s3 = new S3Client({ ...aws, forcePathStyle: true });

  await step(reporter, `Create buckets ${state.stateBucket} and ${state.releaseBucket}`, async () => {
    for (const bucket of new Set([state.stateBucket, state.releaseBucket])) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: Error) => {
        if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
      });
    }
  });

  await step(reporter, `Store the sandbox Discord token in SSM ${state.tokenParameter} (SecureString)`, async () => {
    const ssm = new SSMClient(aws);
    await ssm.send(new PutParameterCommand({ Name: state.tokenParameter, Type: 'SecureString', Value: state.discordToken, Overwrite: true }));
  });

  await step(reporter, `Build and upload release ${LEGACY_RELEASE}`, async (handle) => {
    const exists = await s3.send(new HeadObjectCommand({ Bucket: state.releaseBucket, Key: `releases/${LEGACY_RELEASE}/manifest.json` })).then(
      () => true,
      () => false,
    );
    if (exists) return handle.skip(`s3://${state.releaseBucket}/releases/${LEGACY_RELEASE}/ exists`);
    const { publishRelease } = await import('./release-step.js');
    await publishRelease({ state, version: LEGACY_RELEASE, workDir: join(state.dir, 'build') });
  });

  const vars = startingPointVars(state, o.environment);
  const desiredFile = join(state.dir, 'desired.json');
  await mkdir(state.dir, { recursive: true });
  await writeFile(desiredFile, `${JSON.stringify(vars, null, 2)}\n`);
  await s3.send(new PutObjectCommand({ Bucket: state.stateBucket, Key: `${STATE_PREFIX}desired.json`, Body: JSON.stringify(vars, null, 2), ContentType: 'application/json' }));

  const { createTerraform } = await import('../../adapters/terraform/index.js');
  const terraform = createTerraform(o.environment, { reporter, env: { ...o.env, ...sandboxEnv(state) }, cwd: o.cwd });
  await step(reporter, 'terraform init (S3 backend in the sandbox state bucket)', () =>
    terraform.init({
      backendConfig: {
        bucket: state.stateBucket,
        key: `${STATE_PREFIX}terraform.tfstate`,
        region: state.region,
        use_lockfile: 'true',
        use_path_style: 'true',
      },
      reconfigure: true,
      signal: o.signal,
    }),
  );
  await step(reporter, 'terraform apply: the legacy instance in the public subnet', async (handle) => {
    const result = await terraform.apply({ varFiles: [...o.environment.terraform.varFiles, desiredFile], signal: o.signal, killSignal: o.killSignal });
    handle.succeed(`${result.add} added, ${result.change} changed, ${result.remove} destroyed`);
  });

  const legacy = await step(reporter, 'Wait for the legacy bot to be healthy', async (handle) => {
    const found = await waitForHealthy(state, 'legacy', HEALTH_TIMEOUT_MS, o.signal, (text) => handle.update(text));
    handle.succeed(`${found.instanceId} healthy on 127.0.0.1:${found.healthPort}`);
    return found;
  });
  return { ...legacy, seconds: (performance.now() - started) / 1000 };
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
  role: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
  progress?: (text: string) => void,
): Promise<{ instanceId: string; healthPort: number; health: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'the instance host has not booted it yet';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    const instances = await readJson<InstancesState>(sandboxFiles(state.dir).instances);
    const instance = Object.values(instances?.instances ?? {}).find((i) => !role || i.role === role);
    if (instance) {
      try {
        const res = await fetch(`http://127.0.0.1:${instance.healthPort}/health`, { signal: AbortSignal.timeout(2000) });
        const health = (await res.json()) as Record<string, unknown>;
        if (res.status === 200 && health.status === 'healthy') return { instanceId: instance.id, healthPort: instance.healthPort, health };
        last = `${instance.id}: ${health.status}${health.reason ? ` (${health.reason})` : ''}`;
      } catch (error) {
        last = `${instance.id}: health server not answering (${(error as Error).message})`;
      }
    } else if (instances?.lastError) last = instances.lastError;
    progress?.(last);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new UserError(`the ${role ?? 'sandbox'} bot did not become healthy within ${timeoutMs / 1000}s`, last, {
    fix: `look at ${sandboxFiles(state.dir).daemonLog('host')} and ${sandboxFiles(state.dir).dir}/instances/*/bot.log, then rerun ydeploy sandbox up`,
  });
}
