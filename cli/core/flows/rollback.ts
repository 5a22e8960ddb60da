// The guide's two rollbacks. Emergency: legacy (public subnet) back at once, traffic handed to
// it as soon as it is healthy, enhanced kept for investigation. Planned: the same, verified, then
// enhanced removed declaratively and the subnet setting back to public.
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { commandCount } from '../commands/manifest.js';
import { syncCommandsStep } from '../commands/sync.js';
import { loadDesired, type DesiredState } from '../desired/state.js';
import { expectAnswer, healthGate, type GateReport } from '../gate/gate.js';
import { gateSummary } from '../gate/summary.js';
import { fencedNote, handoff, type HandoffReport } from '../handoff/handoff.js';
import type { Journal } from '../journal/journal.js';
import type { Step } from '../steps/step.js';
import {
  applyStep,
  confirmed,
  failedStep,
  findInstance,
  requireInstance,
  requireYesWithoutTty,
  runFlow,
  runRecovery,
  type FlowResult,
} from './common.js';

export interface RollbackState {
  baseline: DesiredState;
  emergency: boolean;
  removeEnhanced: boolean;
  gate?: GateReport;
  handoff?: HandoffReport;
  legacyId?: string;
  /** Slash commands legacy's release records; undefined: none recorded, so no sync. */
  commands?: number;
}

export interface RollbackOptions {
  emergency?: boolean;
  destroyEnhanced?: boolean;
  resume?: boolean;
  dryRun?: boolean;
}

// Legacy comes back standing by (serving_role: enhanced) and answers only after the handoff.
const withLegacy = (s: RollbackState): DesiredState => ({
  ...s.baseline,
  enable_legacy_instance: true,
  legacy_release_version: s.baseline.legacy_release_version ?? s.baseline.release_version,
  serving_role: 'enhanced',
});
// After the handoff the tags follow, so a restarted bot comes up in the role it now has.
const legacyRelease = (s: RollbackState) => withLegacy(s).legacy_release_version;
const legacyServing = (s: RollbackState): DesiredState => ({ ...withLegacy(s), serving_role: 'legacy' });
const legacyOnly = (s: RollbackState): DesiredState => ({
  ...legacyServing(s),
  enable_enhanced_instance: false,
  candidate_release_version: null,
  use_private_subnet: false,
});

export const rollbackSteps: Step<RollbackState>[] = [
  applyStep('enable-legacy', 'Enable legacy (public subnet)', undefined, withLegacy),
  {
    id: 'gate-legacy',
    title: 'Health gate on legacy',
    async run(ctx, state) {
      // After an emergency rollback legacy already serves; otherwise it stands by until the handoff.
      state.gate = await healthGate(ctx, {
        label: 'legacy',
        find: () => findInstance(ctx, 'legacy'),
        expectActive: state.baseline.enable_legacy_instance ? 'either' : false,
        release: legacyRelease(state) ?? undefined,
      });
      state.legacyId = state.gate.instanceId;
      return gateSummary(state.gate);
    },
    dryRun: () => 'wait for legacy: Online, /health "starting" → "healthy", Discord reachable, logs flowing',
  },
  {
    id: 'handoff',
    title: 'Hand traffic back, enhanced → legacy',
    async run(ctx, state) {
      const legacy = await requireInstance(ctx, 'legacy');
      const enhanced = await findInstance(ctx, 'enhanced', state.baseline.release_version);
      state.handoff = await handoff(ctx, enhanced, legacy);
      const answered = await expectAnswer(
        ctx,
        { label: 'legacy', find: async () => legacy, expectActive: true, release: legacyRelease(state) ?? undefined },
        legacy,
      );
      return `${enhanced?.id ?? 'nothing'} → ${legacy.id}${fencedNote(state.handoff)}; ${answered}`;
    },
    dryRun: () => 'botctl step-down on enhanced (if it answers), then botctl activate on legacy',
  },
  // Legacy serves again: its release's commands are what users should see. Like a deploy, a
  // failed sync leaves legacy serving and enhanced standing by, and --resume retries it; an
  // emergency only warns, so legacy is recorded as serving without waiting on Discord.
  syncCommandsStep<RollbackState>({
    release: legacyRelease,
    count: (s) => s.commands,
    fix: (ctx, s) =>
      s.emergency
        ? `legacy serves; ydeploy deploy or ydeploy rollback --to <release> --env ${ctx.env.name} registers commands again`
        : `legacy serves and enhanced stands by; ydeploy rollback --resume --env ${ctx.env.name} retries the sync, then removes enhanced`,
    tolerate: (s) => s.emergency,
  }),
  {
    ...applyStep('record-roles', 'Record legacy as the serving instance', undefined, legacyServing),
    skip: (_ctx, s) => (s.removeEnhanced ? 'enhanced is removed next' : undefined),
  },
  {
    ...confirmed(
      applyStep('remove-enhanced', 'Remove enhanced', undefined, legacyOnly),
      (s) => `Legacy ${s.legacyId ?? ''} serves again. Destroy the enhanced instance?`,
      (ctx) =>
        new UsageError('enhanced was kept', 'you answered no; legacy serves, enhanced runs as standby', {
          fix: `ydeploy rollback --resume --env ${ctx.env.name}`,
        }),
    ),
    skip: (_ctx, s) => (s.removeEnhanced ? undefined : 'kept for investigation (--destroy-enhanced removes it)'),
  },
];

export async function rollback(ctx: Context, options: RollbackOptions): Promise<FlowResult<RollbackState>> {
  const emergency = Boolean(options.emergency);
  return runFlow(ctx, {
    command: 'rollback',
    steps: rollbackSteps,
    resume: Boolean(options.resume),
    dryRun: Boolean(options.dryRun),
    fresh: async () => {
      const baseline = await enhancedBaseline(ctx, emergency);
      const state: RollbackState = {
        baseline,
        emergency,
        removeEnhanced: !emergency || Boolean(options.destroyEnhanced),
      };
      return { ...state, commands: await commandCount(ctx.releases, legacyRelease(state)) };
    },
    before: async (state) => {
      // An emergency does not wait for questions; it removes enhanced only when told to.
      if (state.removeEnhanced && !state.emergency)
        requireYesWithoutTty(
          ctx,
          'rollback would destroy the enhanced instance',
          `ydeploy rollback --env ${ctx.env.name}`,
        );
    },
    recover: recoverRollback,
  });
}

/** Legacy failed its gate: it goes again, and enhanced (never stopped) serves on. */
async function recoverRollback(
  ctx: Context,
  state: RollbackState,
  _error: unknown,
  journal: Journal,
): Promise<boolean> {
  if (failedStep(journal) !== 'gate-legacy' || state.baseline.enable_legacy_instance) return false;
  await runRecovery(ctx, journal, state, [
    applyStep('remove-legacy', 'Removing legacy; enhanced keeps serving', undefined, (s: RollbackState) => s.baseline),
  ]);
  return true;
}

async function enhancedBaseline(ctx: Context, emergency: boolean): Promise<DesiredState> {
  const desired = await loadDesired(ctx);
  const env = ctx.env.name;
  if (!desired?.enable_enhanced_instance) {
    throw new UsageError(
      `nothing to roll back in ${env}`,
      desired?.enable_legacy_instance ? 'legacy already serves and enhanced is disabled' : 'no deployment is recorded',
      { fix: `ydeploy status --env ${env}` },
    );
  }
  if (desired.enable_legacy_instance && emergency) {
    throw new UsageError(
      `legacy is already enabled in ${env}`,
      'an emergency rollback brings legacy back, and it is back',
      { fix: `ydeploy rollback --env ${env} (to remove enhanced), or ydeploy status --env ${env}` },
    );
  }
  if (!desired.legacy_release_version && !desired.release_version) {
    throw new UsageError(
      `no release is known for legacy in ${env}`,
      'desired.json has neither legacy_release_version nor release_version',
      { fix: `ydeploy status --env ${env}` },
    );
  }
  return desired;
}
