// The wiring the orchestration commands (migrate, deploy, rollback, lock) share: a command's
// context becomes core's context. Not a command itself (main only loads registered names).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandInput } from '../command.js';
import { createContext, type Context } from '../context.js';
import type { CoreContext, ReleasePublisher } from '../core/context.js';
import type { TerraformVars } from '../ports.js';

export interface Orchestration {
  core: CoreContext;
  context: Context;
  /** Removes the temporary var files. */
  dispose(): Promise<void>;
}

export async function orchestration(input: CommandInput, options: { terraform?: boolean } = {}): Promise<Orchestration> {
  const context = await createContext(input);
  const { env, ports, processEnv } = context;
  let dir: string | undefined;
  let count = 0;
  const core: CoreContext = {
    ...ports,
    env,
    reporter: context.reporter,
    signal: context.signal,
    killSignal: context.killSignal,
    user: `${processEnv.USER ?? processEnv.USERNAME ?? 'someone'}@${hostname()}`,
    // The sandbox is disposable: nothing in it is worth a prompt, so its main job runs as one
    // command (README) with or without a terminal.
    yes: input.globals.yes || context.env.sandbox,
    writeVarFile: async (vars: TerraformVars) => {
      dir ??= await mkdtemp(join(tmpdir(), 'ydeploy-'));
      const file = join(dir, `desired-${++count}.tfvars.json`);
      await writeFile(file, `${JSON.stringify(vars, null, 2)}\n`, { mode: 0o600 });
      return file;
    },
    publisher: releasePublisher(context, input.options.source as string | undefined),
  };
  if (options.terraform) await initTerraform(context);
  return { core, context, dispose: async () => void (dir && (await rm(dir, { recursive: true, force: true }))) };
}

/** The S3 backend in the environment's state bucket, with terraform's own lock file. */
export function backendConfig(context: Pick<Context, 'env' | 'prefix' | 'processEnv'>): Record<string, string> {
  const config: Record<string, string> = {
    bucket: context.env.stateBucket,
    key: `${context.prefix}terraform.tfstate`,
    region: context.env.region,
    use_lockfile: 'true',
  };
  // Emulators (moto, the sandbox) answer S3 path-style only.
  if (context.processEnv.AWS_ENDPOINT_URL || context.processEnv.AWS_ENDPOINT_URL_S3) config.use_path_style = 'true';
  return config;
}

async function initTerraform(context: Context): Promise<void> {
  const handle = context.reporter.step('terraform init', { step: 'terraform-init' });
  try {
    await context.ports.terraform.init({ backendConfig: backendConfig(context), signal: context.signal });
    handle.succeed();
  } catch (error) {
    handle.fail((error as Error).message.split('\n')[0]);
    throw error;
  }
}

function releasePublisher(context: Context, sourceDir: string | undefined): ReleasePublisher {
  return {
    async publish(version) {
      const [{ buildRelease }, { uploadRelease }] = await Promise.all([import('../release/build.js'), import('../release/upload.js')]);
      const outDir = await mkdtemp(join(tmpdir(), `ydeploy-release-${version}-`));
      try {
        const { dir, manifest } = await buildRelease({ version, outDir, ...(sourceDir ? { sourceDir } : {}) });
        await uploadRelease(context.ports.releases, dir, version);
        return { files: Object.keys(manifest.files) };
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    },
  };
}

/** migrate/deploy run the pre-deployment checklist first unless told not to. */
export async function preflightFirst(context: Context, options: { skip?: boolean; skipTests: boolean }): Promise<void> {
  if (options.skip) return;
  const { runPreflight } = await import('../preflight/run.js');
  await runPreflight(context, { skipTests: options.skipTests });
}

/** One result shape for --json: what ran, where, and the journal id. */
export function summarize(result: { deploymentId?: string; state: object; dryRun?: unknown }, env: string): Record<string, unknown> {
  return { ok: true, environment: env, ...(result.deploymentId ? { deploymentId: result.deploymentId } : {}), ...(result.dryRun ? { dryRun: result.dryRun } : {}), state: result.state };
}
