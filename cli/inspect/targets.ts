// `--instance id|legacy|enhanced` (and, on a sharded fleet, `--shard N` / `--group s0-1of4`):
// which of the environment's instances a command acts on.
import { ExitCode, UsageError, UserError } from '../errors.js';
import type { Instance, InstanceKind } from '../ports.js';
import type { ShardGroupState } from '../core/desired/state.js';

export type Selector =
  | { by: 'all' }
  | { by: 'kind'; kind: InstanceKind }
  | { by: 'id'; id: string }
  /** The instances of these shard groups of the desired state; `what` names them ("shard 2"). */
  | { by: 'groups'; groups: ShardGroupState[]; what: string };

/** What `matches` reads of an instance: a shard group's also needs its release and shards. */
export type Selectable = Pick<Instance, 'id' | 'kind'> & Partial<Pick<Instance, 'release' | 'shards' | 'shardCount'>>;

export function parseSelector(value: string | undefined): Selector {
  if (value === undefined || value === '' || value === 'all') return { by: 'all' };
  if (value === 'legacy' || value === 'enhanced') return { by: 'kind', kind: value };
  if (/^(i|mi)-[0-9a-z]+$/.test(value)) return { by: 'id', id: value };
  throw new UsageError(
    `--instance ${value} is not understood`,
    'expected an instance id (i-0123abcd), legacy or enhanced',
    { fix: 'ydeploy status (lists the instances), then --instance <id|legacy|enhanced>' },
  );
}

export function matches(selector: Selector, instance: Selectable): boolean {
  if (selector.by === 'all') return true;
  if (selector.by === 'kind') return instance.kind === selector.kind;
  if (selector.by === 'groups') return selector.groups.some((g) => runsGroup(instance, g));
  return instance.id === selector.id;
}

/** An enhanced instance of the group's release running exactly its shards of its shard count. */
function runsGroup(instance: Selectable, group: ShardGroupState): boolean {
  const shards = instance.shards ?? [];
  return (
    instance.kind === 'enhanced' &&
    instance.release === group.release &&
    instance.shardCount === group.shard_count &&
    shards.length === group.shards.length &&
    shards.every((id, i) => id === group.shards[i])
  );
}

export function describeSelector(selector: Selector): string {
  if (selector.by === 'all') return 'instance';
  if (selector.by === 'kind') return `${selector.kind} instance`;
  if (selector.by === 'groups') return `instance of ${selector.what}`;
  return `instance ${selector.id}`;
}

/** The selection in the plural: "instances", "enhanced instances", "instances of shard 2". */
export function describeSelection(selector: Selector): string {
  if (selector.by === 'groups') return `instances of ${selector.what}`;
  if (selector.by === 'id') return `instance ${selector.id}`;
  return `${describeSelector(selector)}s`;
}

/** The selected instances; none is an error naming what does exist. */
export function select(
  instances: Instance[],
  selector: Selector,
  environment: string,
  code: ExitCode = ExitCode.failed,
): Instance[] {
  const chosen = instances.filter((i) => matches(selector, i));
  if (chosen.length) return chosen;
  const present = instances.length ? instances.map((i) => `${i.kind} ${i.id}`).join(', ') : 'none';
  throw new UserError(`no ${describeSelector(selector)} in ${environment}`, `its instances: ${present}`, {
    code,
    fix: instances.length ? `ydeploy status --env ${environment}` : `ydeploy migrate --env ${environment}`,
  });
}
