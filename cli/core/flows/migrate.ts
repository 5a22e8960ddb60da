// The guide's migration, in its three steps: (1) enable both instances, enhanced in the private
// subnet, (2) verify enhanced's health with the health gate, (3) disable legacy: hand traffic
// over, then remove it. Legacy keeps serving until enhanced has passed the gate; a failed gate
// removes enhanced again.
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { commandCount } from '../commands/manifest.js';
import { syncCommandsStep } from '../commands/sync.js';
import { emptyDesired, loadDesired, type DesiredState } from '../desired/state.js';
import { expectAnswer, healthGate, type GateReport } from '../gate/gate.js';
import { gateSummary } from '../gate/summary.js';
import { fencedNote, handBack, handoff, type HandoffReport } from '../handoff/handoff.js';
import { listJournal, type Journal } from '../journal/journal.js';
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

export interface MigrateState {
  /** Legacy only: what serves before, and what a failed gate goes back to. */
  baseline: DesiredState;
  gate?: GateReport;
  handoff?: HandoffReport;
  legacyId?: string;
  enhancedId?: string;
  /** Slash commands the enhanced release records; undefined: none recorded, so no sync. */
  commands?: number;
}

export interface MigrateOptions {
  step?: number;
  resume?: boolean;
  dryRun?: boolean;
}

const both = (s: MigrateState): DesiredState => ({
  ...s.baseline,
  enable_legacy_instance: true,
  enable_enhanced_instance: true,
  use_private_subnet: true,
  release_version: s.baseline.release_version ?? s.baseline.legacy_release_version,
  candidate_release_version: null,
  serving_role: 'legacy',
});
const enhancedRelease = (s: MigrateState) => both(s).release_version;
const enhancedOnly = (s: MigrateState): DesiredState => ({ ...both(s), enable_legacy_instance: false });
const legacyOnly = (s: MigrateState): DesiredState => ({
  ...s.baseline,
  enable_legacy_instance: true,
  enable_enhanced_instance: false,
});

export const migrateSteps: Step<MigrateState>[] = [
  applyStep('enable-enhanced', 'Step 1: enable both instances (enhanced in the private subnet)', 1, both),
  {
    id: 'gate-enhanced',
    title: 'Step 2: verify enhanced health (the health gate)',
    group: 2,
    async run(ctx, state) {
      const release = enhancedRelease(state);
      state.gate = await healthGate(ctx, {
        label: 'enhanced',
        find: () => findInstance(ctx, 'enhanced', release),
        expectActive: false,
        release: release ?? undefined,
      });
      state.enhancedId = state.gate.instanceId;
      return gateSummary(state.gate);
    },
    dryRun: () =>
      'wait for enhanced: Online in SSM, /health "starting" → "healthy", Discord reachable, logs in both streams, commands ready',
  },
  {
    id: 'handoff',
    title: 'Step 3: disable legacy: hand traffic over to enhanced',
    group: 3,
    async run(ctx, state) {
      const enhanced = await requireInstance(ctx, 'enhanced', both(state).release_version);
      // Step 2's report vouches for this very instance (this run, or an earlier --step 2); any
      // other enhanced instance passes the gate first.
      if (state.gate?.instanceId !== enhanced.id)
        state.gate = await healthGate(ctx, { label: 'enhanced', find: async () => enhanced, expectActive: false });
      const legacy = await findInstance(ctx, 'legacy');
      state.legacyId = legacy?.id;
      state.enhancedId = enhanced.id;
      state.handoff = await handoff(ctx, legacy, enhanced);
      const answered = await expectAnswer(
        ctx,
        { label: 'enhanced', find: async () => enhanced, expectActive: true, release: enhanced.release },
        enhanced,
      );
      return `${legacy?.id ?? 'nothing'} → ${enhanced.id} in ${state.handoff.seconds.toFixed(1)}s${fencedNote(state.handoff)}; ${answered}`;
    },
    dryRun: () =>
      'botctl step-down on legacy, then botctl activate --after <its last event> on enhanced; a command of its release must be answered by enhanced',
  },
  // Enhanced serves: its release's commands replace legacy's. A failed sync leaves enhanced
  // serving and legacy standing by (nothing is undone, as in a deploy); --resume retries it.
  syncCommandsStep<MigrateState>({
    group: 3,
    release: enhancedRelease,
    count: (s) => s.commands,
    fix: (ctx) =>
      `enhanced serves and legacy stands by; ydeploy migrate --resume --env ${ctx.env.name} retries the sync, then removes legacy`,
  }),
  confirmed(
    applyStep('disable-legacy', 'Step 3: disable legacy: remove the legacy instance', 3, enhancedOnly),
    (s) =>
      `Enhanced ${s.enhancedId ?? ''} passed the health gate and serves. Destroy the legacy instance ${s.legacyId ?? ''}?`,
    (ctx) =>
      new UsageError('legacy was kept', 'you answered no; both instances run and enhanced serves', {
        fix: `ydeploy migrate --step 3 --env ${ctx.env.name}`,
      }),
  ),
];

export async function migrate(ctx: Context, options: MigrateOptions): Promise<FlowResult<MigrateState>> {
  const only = migrateOnly(options.step);
  return runFlow(ctx, {
    command: 'migrate',
    steps: migrateSteps,
    resume: Boolean(options.resume),
    dryRun: Boolean(options.dryRun),
    only,
    fresh: () => freshMigrate(ctx, options),
    before: async () => {
      if (!options.step || options.step === 3)
        requireYesWithoutTty(ctx, 'migrate would destroy the legacy instance', `ydeploy migrate --env ${ctx.env.name}`);
    },
    recover: recoverMigrate,
  });
}

/** A new migration's state: legacy's baseline, the commands of its release, step 2's report for --step 3. */
export async function freshMigrate(ctx: Context, options: MigrateOptions): Promise<MigrateState> {
  const baseline = await legacyBaseline(ctx);
  const commands = await commandCount(ctx.releases, enhancedRelease({ baseline }));
  return { baseline, commands, ...(options.step === 3 ? await earlierGate(ctx) : {}) };
}

/** The steps `migrate --step N` runs (all of them without --step). */
export function migrateOnly(step?: number): ((s: Step<MigrateState>) => boolean) | undefined {
  return step ? (s: Step<MigrateState>) => s.group === step : undefined;
}

/** Step 2's report from the newest migration that ran it (`--step 2`, then `--step 3`). */
async function earlierGate(ctx: Context): Promise<Pick<MigrateState, 'gate'>> {
  for (const entry of await listJournal(ctx, 10, 'migrate')) {
    const gate = (entry.state as Partial<MigrateState>).gate;
    if (gate) return { gate };
  }
  return {};
}

/** Gate (or the handoff's check) failed: legacy answers again and enhanced goes. */
async function recoverMigrate(ctx: Context, state: MigrateState, _error: unknown, journal: Journal): Promise<boolean> {
  // A terraform error is left for --resume; only a new instance that failed to prove itself goes.
  if (!['gate-enhanced', 'handoff'].includes(failedStep(journal) ?? '')) return false;
  if (state.handoff) {
    const legacy = await findInstance(ctx, 'legacy');
    if (legacy) await handBack(ctx, legacy);
  }
  await runRecovery(ctx, journal, state, [
    applyStep('remove-enhanced', 'Removing enhanced; legacy keeps serving', undefined, legacyOnly),
  ]);
  return true;
}

/** What serves before the migration: legacy, from desired.json or, failing that, from EC2. */
async function legacyBaseline(ctx: Context): Promise<DesiredState> {
  const desired = await loadDesired(ctx);
  // Legacy's release is pinned while it exists, so a new release_version never replaces it.
  if (desired?.enable_legacy_instance) {
    const release = desired.legacy_release_version ?? desired.release_version;
    return {
      ...desired,
      enable_enhanced_instance: false,
      candidate_release_version: null,
      legacy_release_version: release,
      release_version: desired.release_version ?? release,
    };
  }
  const legacy = await findInstance(ctx, 'legacy');
  if (!desired && legacy) {
    const release = legacy.release ?? null;
    return {
      ...emptyDesired(ctx.env),
      enable_legacy_instance: true,
      legacy_release_version: release,
      release_version: release,
    };
  }
  if (desired?.enable_enhanced_instance) {
    throw new UsageError(`${ctx.env.name} is already migrated`, 'legacy is disabled and enhanced serves', {
      fix: `ydeploy deploy --env ${ctx.env.name} (to ship new code)`,
    });
  }
  throw new UsageError(
    `no legacy instance in ${ctx.env.name} to migrate from`,
    'desired.json enables no legacy instance and none is running',
    {
      fix: `ydeploy deploy --env ${ctx.env.name} (deploys enhanced directly)`,
    },
  );
}
