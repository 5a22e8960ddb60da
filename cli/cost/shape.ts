// What the module runs for a desired state, in the terms the cost model prices: which bot
// instances (mirroring terraform/compute.tf's count and for_each), the root volume, the zones,
// the log retention and the network choice.
import type { ResolvedEnvironment } from '../config/load.js';
import type { DesiredState } from '../core/desired/state.js';
import { DEFAULT_NETWORK, type BotInstance, type CostInput, type NetworkChoice } from './model.js';

/** terraform/compute.tf: every instance's root volume is gp3, 8 GB. */
export const ROOT_VOLUME_GB = 8;
/** terraform/variables.tf defaults. */
const DEFAULT_ZONES = 2;
const DEFAULT_RETENTION_DAYS = 30;

export type CostShape = Omit<CostInput, 'volumes'>;

/** The bot instances a desired state asks terraform for. */
export function instancesOf(state: DesiredState): BotInstance[] {
  const instances: BotInstance[] = [];
  if (state.enable_legacy_instance) instances.push({ kind: 'legacy', label: 'legacy', publicIp: true });
  const groups = Object.entries(state.shard_groups ?? {});
  if (groups.length) {
    // A sharded fleet: one enhanced instance per shard group key (terraform's shard_groups).
    for (const [key] of groups)
      instances.push({ kind: 'enhanced', label: `enhanced ${key}`, publicIp: !state.use_private_subnet });
  } else if (state.enable_enhanced_instance) {
    // enhanced_releases = toset(compact([release_version, candidate_release_version]))
    const releases = [...new Set([state.release_version, state.candidate_release_version].filter(Boolean))];
    for (const release of releases)
      instances.push({ kind: 'enhanced', label: `enhanced ${release}`, publicIp: !state.use_private_subnet });
  }
  return instances;
}

/** The network settings of an environment (network.* in the config, when the config has them). */
export function networkOf(env: Pick<ResolvedEnvironment, never>): NetworkChoice {
  const configured = (env as { network?: Partial<NetworkChoice> }).network ?? {};
  return {
    nat: configured.nat ?? DEFAULT_NETWORK.nat,
    natInstanceType: configured.natInstanceType ?? DEFAULT_NETWORK.natInstanceType,
    interfaceEndpoints: configured.interfaceEndpoints ?? DEFAULT_NETWORK.interfaceEndpoints,
  };
}

export function retentionOf(env: Pick<ResolvedEnvironment, 'terraform'>): number {
  const days = env.terraform.vars.log_retention_days;
  return typeof days === 'number' && days > 0 ? days : DEFAULT_RETENTION_DAYS;
}

/** The shape of one desired state of an environment; `instanceType` overrides the state's. */
export function shapeOf(
  env: Pick<ResolvedEnvironment, 'region' | 'terraform' | 'instanceType'>,
  state: DesiredState,
): CostShape {
  const zones = env.terraform.vars.availability_zone_count;
  return {
    region: state.region ?? env.region,
    instanceType: state.instance_type ?? env.instanceType,
    instances: instancesOf(state),
    volumeGb: ROOT_VOLUME_GB,
    availabilityZones: typeof zones === 'number' && zones > 0 ? zones : DEFAULT_ZONES,
    logRetentionDays: retentionOf(env),
    network: networkOf(env),
  };
}

/** The log groups the module creates (terraform/main.tf, terraform/logs.tf). */
export function logGroupsOf(env: Pick<ResolvedEnvironment, 'project' | 'name' | 'terraform'>): {
  bot: string;
  flow: string;
} {
  const name = `${env.project}-${env.name}`;
  const custom = env.terraform.vars.log_group_name;
  return {
    bot: typeof custom === 'string' && custom ? custom : `/ec2/${name}-logs`,
    flow: `/vpc/${name}-flow-logs`,
  };
}
