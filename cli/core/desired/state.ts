// The desired deployment state: the module variables that decide which instances exist
// (DESIGN.md §4.4). Stored as desired.json and passed to terraform as a -var-file, so a later
// plain apply reproduces exactly what the last step asked for (never -target).
import * as z from 'zod';
import { PreconditionFailed, type ObjectStore, type TerraformVars } from '../../ports.js';
import { ExitCode, UsageError, UserError } from '../../errors.js';
import type { Context } from '../context.js';
import { assertLockHeld } from '../lock/lock.js';
import { keys } from '../storage.js';

export const shardGroupSchema = z
  .object({
    release: z.string(),
    shards: z.array(z.number().int().min(0)),
    shard_count: z.number().int().min(1),
    role: z.enum(['active', 'standby']),
  })
  .strict();

export type ShardGroupState = z.infer<typeof shardGroupSchema>;

const desiredSchema = z
  .object({
    project: z.string(),
    environment: z.string(),
    region: z.string(),
    use_private_subnet: z.boolean(),
    enable_legacy_instance: z.boolean(),
    enable_enhanced_instance: z.boolean(),
    release_bucket: z.string(),
    release_version: z.string().nullable(),
    legacy_release_version: z.string().nullable(),
    candidate_release_version: z.string().nullable(),
    discord_token_parameter: z.string(),
    health_port: z.number().int(),
    instance_type: z.string(),
    /** While legacy and enhanced overlap: which of them answers (terraform's default: legacy). */
    serving_role: z.enum(['legacy', 'enhanced']).optional(),
    // The network's cost choices; absent from states written before they existed (the config's
    // settings fill them in when loaded).
    nat_type: z.enum(['gateway', 'instance']).optional(),
    nat_instance_type: z.string().optional(),
    interface_endpoints: z.array(z.string()).optional(),
    /** The Discord API the instances' bots use; absent: terraform's default, Discord's own. */
    discord_api: z.string().optional(),
    /**
     * A sharded fleet's enhanced instances, by stable key (cli/core/fleet.ts): each runs a release
     * on the given shards of shard_count, starting in role. Absent or empty: the single-instance
     * layout (release_version, candidate_release_version).
     */
    shard_groups: z.record(z.string(), shardGroupSchema).optional(),
  })
  .passthrough();

export type DesiredState = z.infer<typeof desiredSchema>;

/** Nothing deployed yet: the environment's settings, no instance enabled. */
export function emptyDesired(env: Context['env']): DesiredState {
  return {
    ...(env.terraform.vars as TerraformVars),
    project: env.project,
    environment: env.name,
    region: env.region,
    use_private_subnet: true,
    enable_legacy_instance: false,
    enable_enhanced_instance: false,
    release_bucket: env.releaseBucket,
    release_version: null,
    legacy_release_version: null,
    candidate_release_version: null,
    discord_token_parameter: env.tokenParameter,
    health_port: env.health.port,
    instance_type: env.instanceType,
    ...discordApiSetting(env),
    ...networkSettings(env),
    ...alarmSettings(env),
  };
}

/**
 * The bots' Discord API, into the instances' environment file, where it is not Discord's own
 * (the sandbox's emulator): an environment that never set it keeps the same variables as before.
 */
function discordApiSetting(env: Context['env']): Partial<DesiredState> {
  return env.discordApi && env.discordApi !== 'https://discord.com/api' ? { discord_api: env.discordApi } : {};
}

export async function loadDesired(ctx: Pick<Context, 'store' | 'env'>): Promise<DesiredState | undefined> {
  const key = keys.desired(ctx.env.name);
  const object = await ctx.store.get(key);
  rememberDesired(ctx.store, key, object?.etag ?? null);
  if (!object) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(object.body);
  } catch (error) {
    throw new UserError(`s3://${ctx.store.bucket}/${key} is not valid JSON`, (error as Error).message, {
      fix: `fix or delete s3://${ctx.store.bucket}/${key}, then rerun`,
    });
  }
  const parsed = desiredSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '$'}: ${i.message}`).join('; ');
    throw new UserError(`s3://${ctx.store.bucket}/${key} is not a desired state`, problems, {
      fix: `fix or delete s3://${ctx.store.bucket}/${key}, then rerun`,
    });
  }
  // The config's settings win over what was stored: they may have changed since. The alarm
  // e-mail is the config's alone: one removed from the config leaves the stored state too.
  const { alarm_email: _stored, ...stored } = parsed.data as DesiredState & { alarm_email?: unknown };
  return { ...stored, ...settingsOf(ctx.env) };
}

/** Settings that come from the config, not from the deployment's history. */
function settingsOf(env: Context['env']): Partial<DesiredState> {
  return {
    ...(env.terraform.vars as TerraformVars),
    project: env.project,
    environment: env.name,
    region: env.region,
    release_bucket: env.releaseBucket,
    discord_token_parameter: env.tokenParameter,
    health_port: env.health.port,
    instance_type: env.instanceType,
    ...discordApiSetting(env),
    ...networkSettings(env),
    ...alarmSettings(env),
  };
}

/** The module's NAT and VPC endpoint variables, from the environment's "network". */
function networkSettings(
  env: Context['env'],
): Pick<DesiredState, 'nat_type' | 'nat_instance_type' | 'interface_endpoints'> {
  return {
    nat_type: env.network.nat,
    nat_instance_type: env.network.natInstanceType,
    interface_endpoints: [...env.network.interfaceEndpoints],
  };
}

/** The module's alarm_email, when the environment names one (absent: the module's null). */
function alarmSettings(env: Context['env']): { alarm_email?: string } {
  return env.alarms?.email ? { alarm_email: env.alarms.email } : {};
}

/**
 * desired.json as this process last read or wrote it, per store: its etag, or null when there
 * was none. A write is conditional on it, so a run never overwrites a state it did not see.
 */
const desiredVersions = new WeakMap<ObjectStore, Map<string, string | null>>();

/** Note the version of desired.json a run read (its etag; null: there was none). */
export function rememberDesired(store: ObjectStore, key: string, etag: string | null): void {
  const versions = desiredVersions.get(store) ?? new Map<string, string | null>();
  versions.set(key, etag);
  desiredVersions.set(store, versions);
}

/**
 * Write desired.json if it is still what this run read or last wrote (If-Match; If-None-Match
 * when there was none), and only while the run holds its lock. A run that never read it writes
 * unconditionally (the sandbox's first provisioning). Refused: exit 5, naming the change.
 */
export async function saveDesired(ctx: Pick<Context, 'store' | 'env'>, state: DesiredState): Promise<void> {
  assertLockHeld(ctx);
  const key = keys.desired(ctx.env.name);
  const known = desiredVersions.get(ctx.store)?.get(key);
  const condition = known === undefined ? {} : known === null ? { ifNoneMatch: '*' as const } : { ifMatch: known };
  try {
    const { etag } = await ctx.store.put(key, `${JSON.stringify(state, null, 2)}\n`, {
      contentType: 'application/json',
      ...condition,
    });
    rememberDesired(ctx.store, key, etag);
  } catch (error) {
    if (!(error instanceof PreconditionFailed)) throw error;
    throw new UserError(
      `s3://${ctx.store.bucket}/${key} changed since this run read it`,
      `someone else (another deployment, or a hand edit) ${known === null ? 'created' : 'wrote or deleted'} it, so this run stopped rather than overwrite their state`,
      { code: ExitCode.locked, fix: `ydeploy status --env ${ctx.env.name}, then rerun the command` },
    );
  }
}

/** The var files of an apply: the config's own first, then the desired state (which wins). */
export async function varFilesFor(ctx: Context, state: DesiredState): Promise<string[]> {
  return [...ctx.env.terraform.varFiles, await ctx.writeVarFile(state as TerraformVars)];
}

/** One line a human reads: which instances this state asks for. */
export function describeDesired(state: DesiredState): string {
  const parts: string[] = [];
  if (state.enable_legacy_instance)
    parts.push(`legacy (public subnet, release ${state.legacy_release_version ?? 'default'})`);
  const groups = Object.entries(state.shard_groups ?? {});
  if (groups.length) {
    const byRelease = new Map<string, string[]>();
    for (const [key, group] of groups)
      byRelease.set(group.release, [
        ...(byRelease.get(group.release) ?? []),
        `${key.slice(group.release.length + 1) || key}${group.role === 'standby' ? ' (standby)' : ''}`,
      ]);
    for (const [release, names] of byRelease) parts.push(`enhanced ${release} on ${names.join(', ')}`);
  } else if (state.enable_enhanced_instance) {
    const subnet = state.use_private_subnet ? 'private subnet' : 'public subnet';
    parts.push(`enhanced ${state.release_version ?? 'default'} (${subnet})`);
    if (state.candidate_release_version)
      parts.push(`enhanced ${state.candidate_release_version} (candidate, ${subnet})`);
  }
  return parts.length ? parts.join(' + ') : 'no instances';
}

/** The module's rule for release versions (terraform/variables.tf), checked before any work. */
const RELEASE_VERSION = /^[A-Za-z0-9._-]{1,64}$/;

export function assertReleaseVersion(version: string, flag: string, command: string): void {
  if (!RELEASE_VERSION.test(version)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(version)} is not a release version`,
      'use 1 to 64 letters, digits, dots, dashes or underscores',
      {
        fix: `${command} ${flag} ${
          version
            .replace(/[^A-Za-z0-9._-]+/g, '-')
            .replace(/^-+|-+$/g, '')
            .slice(0, 64) || 'v2'
        }`,
      },
    );
  }
}
