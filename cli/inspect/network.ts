// terraform's outputs, read from the environment's state object in S3 (DESIGN.md §4.5): what
// `terraform output` prints, in one S3 read instead of seconds of terraform.
import { keys } from '../core/storage.js';
import type { InstanceKind, ObjectStore } from '../ports.js';

export async function readOutputs(
  store: ObjectStore,
  environment: string,
): Promise<Record<string, unknown> | undefined> {
  const state = await store.get(keys.terraformState(environment));
  if (!state) return undefined;
  const outputs = (JSON.parse(state.body) as { outputs?: Record<string, { value?: unknown }> }).outputs ?? {};
  return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
}

export async function readNetworkConfiguration(store: ObjectStore, environment: string): Promise<unknown> {
  return (await readOutputs(store, environment))?.network_configuration ?? null;
}

interface InstanceFacts {
  id?: string;
}

/**
 * Instance id -> kind from network_configuration.instances (a candidate is an enhanced instance)
 * and, for a sharded fleet, output shard_groups (every group's instance is an enhanced one).
 */
export async function kindsFromState(
  store: ObjectStore,
  environment: string,
): Promise<Map<string, InstanceKind> | undefined> {
  const outputs = await readOutputs(store, environment);
  const network = (outputs?.network_configuration ?? null) as {
    instances?: Record<string, InstanceFacts | null>;
  } | null;
  if (!network?.instances) return undefined;
  const kinds = new Map<string, InstanceKind>();
  for (const [key, facts] of Object.entries(network.instances)) {
    if (facts?.id) kinds.set(facts.id, key === 'legacy' ? 'legacy' : 'enhanced');
  }
  // Absent from states applied before fleets existed.
  const groups = (outputs?.shard_groups ?? {}) as Record<string, { instance_id?: string } | null>;
  for (const group of Object.values(groups)) {
    if (group?.instance_id) kinds.set(group.instance_id, 'enhanced');
  }
  return kinds;
}
