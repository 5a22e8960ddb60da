// What the logic runs against: the environment, every port, and the operator's intent. The
// flows, the inspection commands, preflight and doctor all take this one type (or a Pick<> of
// it); commands get it from cli/context.ts, the one wiring point, and unit tests build one
// from fakes (test/_helpers/fakes.ts).
import type { ResolvedEnvironment } from '../config/load.js';
import type { Ports, Reporter, TerraformVars } from '../ports.js';
import type { ReleaseManifest } from '../release/manifest.js';
import type { Meter } from './metrics/meter.js';

/** A release built into a local folder: its manifest and each file's size in bytes. */
export interface BuiltRelease {
  dir: string;
  manifest: ReleaseManifest;
  bytes: Record<string, number>;
  /** What the build could not find out, e.g. the bot's commands when its module failed to load. */
  notes?: string[];
}

/** Builds and publishes (build + upload) a release under a version; wired to cli/release in commands. */
export interface ReleasePublisher {
  /** Local only (deploy --dry-run shows it). */
  build(version: string, signal: AbortSignal): Promise<BuiltRelease>;
  publish(version: string, signal: AbortSignal): Promise<{ files: string[]; manifest: ReleaseManifest }>;
}

export interface Context extends Ports {
  env: ResolvedEnvironment;
  reporter: Reporter;
  /** First Ctrl-C. */
  signal: AbortSignal;
  /** Second Ctrl-C. */
  killSignal: AbortSignal;
  /** Who runs this, as the lock and journal name them (USER@host). */
  user: string;
  /** --yes: no prompts (always in the sandbox, where nothing is worth a prompt). */
  yes: boolean;
  /** terraform's S3 backend for this environment (cli/core/storage.ts). */
  backend: Record<string, string>;
  /** Writes variables as a local tfvars.json for -var-file (core does no file I/O). */
  writeVarFile(vars: TerraformVars): Promise<string>;
  /** Build and upload a release (deploy only). */
  publisher?: ReleasePublisher;
  /** Knobs tests and benchmarks turn; defaults in gate/ and handoff/. */
  tuning?: Partial<Tuning>;
  /** Where the command's time goes (terraform, waiting, its own); the journal records it. */
  meter?: Meter;
}

export interface Tuning {
  /**
   * How long the new bot waits, after finding an unreachable old instance already down (or gone)
   * without having stopped it, before it activates anyway.
   */
  unreachableOldGraceMs: number;
  /**
   * How long the new bot waits after the handoff stopped an unreachable old instance and EC2
   * reports it stopped: a stopped instance runs nothing, so this only covers whatever powers it
   * off (the sandbox's instance host polls every 500 ms), and stays well inside Discord's 3 s
   * answer window of what arrived after the old bot died.
   */
  fencedGraceMs: number;
  /** How long an unreachable old instance is given to reach "stopped" before the handoff refuses. */
  fenceTimeoutMs: number;
  /** How often the fence reads the old instance's state while it stops. */
  fencePollMs: number;
  /** Consecutive "unhealthy" probes after which the gate stops waiting. */
  unhealthyProbesToFail: number;
}

export const defaultTuning: Tuning = {
  unreachableOldGraceMs: 10_000,
  fencedGraceMs: 1000,
  fenceTimeoutMs: 180_000,
  fencePollMs: 1000,
  unhealthyProbesToFail: 5,
};

export function tuning(ctx: Pick<Context, 'tuning'>): Tuning {
  return { ...defaultTuning, ...ctx.tuning };
}
