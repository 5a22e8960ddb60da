// `--instance id|legacy|enhanced`: which of the environment's instances a command acts on.
import { ExitCode, UsageError, UserError } from '../errors.js';
import type { Instance, InstanceKind } from '../ports.js';

export type Selector = { by: 'all' } | { by: 'kind'; kind: InstanceKind } | { by: 'id'; id: string };

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

export function matches(selector: Selector, instance: Pick<Instance, 'id' | 'kind'>): boolean {
  if (selector.by === 'all') return true;
  if (selector.by === 'kind') return instance.kind === selector.kind;
  return instance.id === selector.id;
}

export function describeSelector(selector: Selector): string {
  return selector.by === 'all'
    ? 'instance'
    : selector.by === 'kind'
      ? `${selector.kind} instance`
      : `instance ${selector.id}`;
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
