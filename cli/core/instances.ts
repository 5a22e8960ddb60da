// Which of an environment's instances is which, decided in one place. "Serving" means the
// instance whose bot answers Discord: the desired state says which kind that is (the same rule
// terraform's BotRole tag follows), and of enhanced instances the one of the desired release.
import type { Instance, InstanceKind } from '../ports.js';
import type { DesiredState } from './desired/state.js';

const gone = new Set<Instance['state']>(['shutting-down', 'terminated', 'stopping', 'stopped']);

/** Running or starting: not on its way out. */
export function isLive(instance: Pick<Instance, 'state'>): boolean {
  return !gone.has(instance.state);
}

/** The newest live instance of a kind (and release, when given): the one a flow just launched. */
export function newestOf(instances: Instance[], kind: InstanceKind, release?: string | null): Instance | undefined {
  return instances
    .filter((i) => i.kind === kind && isLive(i) && (release == null || i.release === release))
    .sort((a, b) => (b.launchTime?.getTime() ?? 0) - (a.launchTime?.getTime() ?? 0))[0];
}

type Serving = Pick<
  DesiredState,
  'enable_legacy_instance' | 'enable_enhanced_instance' | 'serving_role' | 'release_version'
>;

/** The kind that answers: legacy while it is enabled and has not handed over, else enhanced. */
export function servingKind(desired: Serving): InstanceKind {
  const handedOver = desired.enable_enhanced_instance && desired.serving_role === 'enhanced';
  return desired.enable_legacy_instance && !handedOver ? 'legacy' : 'enhanced';
}

/**
 * The serving instance. With the desired state: its serving kind, of its release for enhanced.
 * Without one (nothing recorded yet): the oldest live enhanced instance — a newer one is a
 * candidate standing by — else legacy.
 */
export function servingInstance(instances: Instance[], desired?: Serving): Instance | undefined {
  const live = instances.filter(isLive);
  if (desired) {
    const kind = servingKind(desired);
    return live.find((i) => i.kind === kind && (kind === 'legacy' || i.release === desired.release_version));
  }
  const oldestFirst = [...live].sort((a, b) => (a.launchTime?.getTime() ?? 0) - (b.launchTime?.getTime() ?? 0));
  return oldestFirst.find((i) => i.kind === 'enhanced') ?? oldestFirst.find((i) => i.kind === 'legacy');
}
