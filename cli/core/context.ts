// What core runs against: the ports, the environment's settings, and the operator's intent.
// Commands build one of these from cli/context.ts; unit tests build one from fakes.
import type { ResolvedEnvironment } from '../config/load.js';
import type { Clock, CommandProbe, Identity, Instances, LogStore, ObjectStore, RemoteExec, Reporter, Terraform, TerraformVars } from '../ports.js';

/** The part of an environment's config core reads. */
export type CoreEnv = Pick<
  ResolvedEnvironment,
  'name' | 'project' | 'region' | 'releaseBucket' | 'tokenParameter' | 'instanceType' | 'discordApi' | 'lockTtl' | 'health' | 'sandbox'
> & { terraform: Pick<ResolvedEnvironment['terraform'], 'varFiles' | 'vars'> };

/** Publishes a release (build + upload) under a version; wired to cli/release in commands. */
export interface ReleasePublisher {
  publish(version: string, signal: AbortSignal): Promise<{ files: string[] }>;
}

export interface CoreContext {
  env: CoreEnv;
  reporter: Reporter;
  terraform: Terraform;
  instances: Instances;
  remote: RemoteExec;
  logs: LogStore;
  /** The state bucket. */
  store: ObjectStore;
  /** The release bucket. */
  releases: ObjectStore;
  identity?: Identity;
  commandProbe?: CommandProbe;
  clock: Clock;
  /** First Ctrl-C. */
  signal: AbortSignal;
  /** Second Ctrl-C. */
  killSignal: AbortSignal;
  /** Who runs this, as the lock and journal name them (USER@host). */
  user: string;
  /** --yes: no prompts. */
  yes: boolean;
  /** Writes variables as a local tfvars.json for -var-file (core does no file I/O). */
  writeVarFile(vars: TerraformVars): Promise<string>;
  /** Build and upload a release (deploy only). */
  publisher?: ReleasePublisher;
  /** Knobs tests and benchmarks turn; defaults in gate/ and handoff/. */
  tuning?: Partial<Tuning>;
}

export interface Tuning {
  /** How long an unreachable old instance is given before the new one activates anyway. */
  unreachableOldGraceMs: number;
  /** Consecutive "unhealthy" probes after which the gate stops waiting. */
  unhealthyProbesToFail: number;
}

export const defaultTuning: Tuning = { unreachableOldGraceMs: 10_000, unhealthyProbesToFail: 5 };

export function tuning(ctx: CoreContext): Tuning {
  return { ...defaultTuning, ...ctx.tuning };
}

/** Keys of this environment's objects in the state bucket (DESIGN.md §4.5). */
export const keys = {
  prefix: (env: string) => `ydeploy/${env}/`,
  lock: (env: string) => `ydeploy/${env}/lock.json`,
  desired: (env: string) => `ydeploy/${env}/desired.json`,
  journalDir: (env: string) => `ydeploy/${env}/journal/`,
  journal: (env: string, id: string) => `ydeploy/${env}/journal/${id}.json`,
  manifest: (version: string) => `releases/${version}/manifest.json`,
};
