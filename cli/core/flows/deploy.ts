// Blue/green for new bot code: publish the release, start it beside the serving one as a
// standby candidate, health-gate it, hand off, register its slash commands, then retire the old
// release. A failed gate retires the candidate and the old release keeps serving.
import { UsageError } from '../../errors.js';
import type { CommandDefinition } from '../../ports.js';
import type { BuiltRelease, Context } from '../context.js';
import { keys } from '../storage.js';
import { identifyBudget } from '../budget.js';
import { commandCount } from '../commands/manifest.js';
import { syncCommandsStep } from '../commands/sync.js';
import { emptyDesired, loadDesired, type DesiredState } from '../desired/state.js';
import { expectAnswer, healthGate, type GateReport } from '../gate/gate.js';
import { gateSummary } from '../gate/summary.js';
import { fencedNote, handBack, handoff, type HandoffReport } from '../handoff/handoff.js';
import type { Journal } from '../journal/journal.js';
import type { Step } from '../steps/step.js';
import {
  applyStep,
  failedStep,
  findInstance,
  requireInstance,
  runFlow,
  runRecovery,
  type FlowResult,
} from './common.js';

export interface DeployState {
  baseline: DesiredState;
  release: string;
  /** Nothing serves yet: the release becomes the first enhanced instance. */
  fresh: boolean;
  /** Build and upload (deploy), or ship a release uploaded before (rollback --to). */
  publish: boolean;
  gate?: GateReport;
  handoff?: HandoffReport;
  oldId?: string;
  newId?: string;
  /** Slash commands the release's manifest records; undefined: none recorded, so no sync. */
  commands?: number;
  /** --dry-run of a built release: its definitions, diffed against what is registered now. */
  preview?: CommandDefinition[];
}

export interface DeployOptions {
  release: string;
  /** rollback --to: the release exists already. */
  existing?: boolean;
  command?: 'deploy' | 'rollback';
  resume?: boolean;
  dryRun?: boolean;
  /** --dry-run: the release built locally, so the plan shows its slash command diff. */
  built?: BuiltRelease;
}

const serving = (s: DeployState) => s.baseline.release_version;
const withCandidate = (s: DeployState): DesiredState =>
  s.fresh
    ? {
        ...s.baseline,
        enable_enhanced_instance: true,
        use_private_subnet: true,
        release_version: s.release,
        candidate_release_version: null,
      }
    : { ...s.baseline, candidate_release_version: s.release };
const cutOver = (s: DeployState): DesiredState => ({
  ...withCandidate(s),
  release_version: s.release,
  candidate_release_version: null,
});

export const deploySteps: Step<DeployState>[] = [
  {
    id: 'publish',
    title: 'Build and upload the release',
    async run(ctx, state) {
      if (!ctx.publisher) throw new Error('deploy needs a release publisher');
      const { files } = await ctx.publisher.publish(state.release, ctx.signal);
      state.commands = await commandCount(ctx.releases, state.release);
      return `${state.release}: ${files.join(', ')} → s3://${ctx.releases.bucket}/releases/${state.release}/`;
    },
    dryRun: (ctx, s) =>
      `bundle the bot as ${s.release} and upload it to s3://${ctx.releases.bucket}/releases/${s.release}/`,
    skip: (_ctx, s) => (s.publish ? undefined : `${s.release} was uploaded before`),
  },
  applyStep('start-candidate', 'Start the new release beside the serving one', undefined, withCandidate),
  {
    id: 'gate-candidate',
    title: 'Health gate on the new release',
    async run(ctx, state) {
      state.gate = await healthGate(ctx, {
        label: `enhanced ${state.release}`,
        find: () => findInstance(ctx, 'enhanced', state.release),
        expectActive: state.fresh,
        release: state.release,
      });
      state.newId = state.gate.instanceId;
      return gateSummary(state.gate);
    },
    dryRun: (_ctx, s) =>
      `wait for enhanced ${s.release}: Online, /health "starting" → "healthy", Discord reachable, logs flowing, commands`,
  },
  {
    id: 'handoff',
    title: 'Hand traffic over to the new release',
    async run(ctx, state) {
      const next = await requireInstance(ctx, 'enhanced', state.release);
      const old = await findInstance(ctx, 'enhanced', serving(state));
      state.oldId = old?.id;
      state.newId = next.id;
      state.handoff = await handoff(ctx, old, next);
      const answered = await expectAnswer(
        ctx,
        { label: `enhanced ${state.release}`, find: async () => next, expectActive: true, release: state.release },
        next,
      );
      return `${old?.id ?? 'nothing'} → ${next.id} in ${state.handoff.seconds.toFixed(1)}s${fencedNote(state.handoff)}; ${answered}`;
    },
    dryRun: (_ctx, s) =>
      `botctl step-down on ${serving(s)}, then botctl activate on ${s.release}; a command of ${s.release} must be answered by it`,
    skip: (_ctx, s) => (s.fresh ? 'nothing was serving before' : undefined),
  },
  // Once the new release serves (after the handoff, or after the gate of a first deploy) and
  // while the old one still exists. A failed sync fails the deploy and nothing is undone: the
  // new release passed its gate and answers, and Discord's bulk overwrite is all or nothing, so
  // the registered commands are still the old release's. Handing back would be one more
  // cut-over to undo a mismatch users barely see (a new command not offered yet, a removed one
  // still offered); instead the old release stays as the standby, and --resume retries the sync
  // and then retires it (a daily-limit refusal waits for Discord's reset).
  syncCommandsStep<DeployState>({
    release: (s) => s.release,
    count: (s) => s.commands,
    preview: (s) => s.preview,
    fix: (ctx, s) =>
      `${s.release} serves${s.fresh ? '' : ` and ${serving(s)} stands by`}; ydeploy ${s.publish ? 'deploy' : 'rollback'} --resume --env ${ctx.env.name} retries the sync${s.fresh ? '' : `, then retires ${serving(s)}`}`,
  }),
  {
    ...applyStep('retire-old', 'Retire the old release', undefined, cutOver),
    skip: (_ctx, s) => (s.fresh ? 'nothing to retire' : undefined),
  },
];

export async function deploy(ctx: Context, options: DeployOptions): Promise<FlowResult<DeployState>> {
  const command = options.command ?? 'deploy';
  return runFlow(ctx, {
    command,
    steps: deploySteps,
    resume: Boolean(options.resume),
    dryRun: Boolean(options.dryRun),
    fresh: () => freshDeploy(ctx, options, command),
    recover: recoverDeploy,
    // The new release starts one gateway session: it must fit Discord's identify budget.
    before: async (state) => {
      await identifyBudget(ctx, 1, `${command} of ${state.release} to ${ctx.env.name}`, {
        rerun: options.resume
          ? `ydeploy ${command} --resume --env ${ctx.env.name}`
          : `ydeploy ${command === 'deploy' ? `deploy --release ${state.release}` : `rollback --to ${state.release}`} --env ${ctx.env.name}`,
        reduce: `find what spent it (ydeploy logs --env ${ctx.env.name} --filter identify)`,
      });
    },
  });
}

/** A new deployment's state: what serves now, the release, whether it is the first. */
export async function freshDeploy(ctx: Context, options: DeployOptions, command: string): Promise<DeployState> {
  const desired = await loadDesired(ctx);
  const env = ctx.env.name;
  if (desired?.enable_legacy_instance && !desired.enable_enhanced_instance) {
    throw new UsageError(`legacy serves ${env}`, 'deploy ships enhanced releases; the guide migrates legacy first', {
      fix: `ydeploy migrate --env ${env}`,
    });
  }
  if (desired?.enable_legacy_instance) {
    throw new UsageError(
      `legacy and enhanced both run in ${env}`,
      'a migration is not finished, or an emergency rollback kept enhanced',
      {
        fix: `ydeploy migrate --env ${env} (hand over to enhanced), or ydeploy rollback --env ${env} (remove enhanced)`,
      },
    );
  }
  const baseline = desired ?? emptyDesired(ctx.env);
  const fresh = !baseline.enable_enhanced_instance;
  if (!fresh && baseline.release_version === options.release) {
    throw new UsageError(`release ${options.release} already serves ${env}`, 'there is nothing to hand over to', {
      fix: `ydeploy ${command === 'deploy' ? 'deploy --release <another version>' : 'rollback --to <another release>'} --env ${env}`,
    });
  }
  await assertReleaseUpload(ctx, options);
  // A dry run diffs the locally built release's definitions; a real run journals no definitions.
  const built = options.dryRun ? options.built?.manifest.commands : undefined;
  return {
    baseline,
    release: options.release,
    fresh,
    publish: !options.existing,
    // An uploaded release's manifest is read now; a new one's after it is published.
    commands: options.existing ? await commandCount(ctx.releases, options.release) : built?.length,
    ...(built ? { preview: built } : {}),
  };
}

/**
 * deploy uploads a version once (what runs under a version never changes); rollback --to ships
 * one uploaded before. Refused otherwise, naming the command that does what was meant.
 */
export async function assertReleaseUpload(
  ctx: Context,
  options: Pick<DeployOptions, 'release' | 'existing'>,
): Promise<void> {
  const env = ctx.env.name;
  const uploaded = Boolean(await ctx.releases.get(keys.manifest(options.release)));
  if (options.existing && !uploaded) {
    throw new UsageError(
      `release ${options.release} is not in s3://${ctx.releases.bucket}/releases/`,
      'rollback --to ships a release uploaded before',
      { fix: `ydeploy deploy --release ${options.release} --env ${env}` },
    );
  }
  if (!options.existing && uploaded) {
    throw new UsageError(
      `release ${options.release} was uploaded before`,
      'a version is uploaded once, so what runs under a version never changes',
      {
        fix: `ydeploy rollback --to ${options.release} --env ${env} (to ship it as it is), or ydeploy deploy --release <new version>`,
      },
    );
  }
}

/** A candidate that failed its gate or its handoff goes; the old release serves on. */
async function recoverDeploy(ctx: Context, state: DeployState, _error: unknown, journal: Journal): Promise<boolean> {
  if (state.fresh || !['gate-candidate', 'handoff'].includes(failedStep(journal) ?? '')) return false;
  if (state.handoff) {
    const old = await findInstance(ctx, 'enhanced', serving(state));
    if (old) await handBack(ctx, old);
  }
  await runRecovery(ctx, journal, state, [
    applyStep(
      'retire-candidate',
      `Retiring the new release; ${serving(state)} keeps serving`,
      undefined,
      (s: DeployState) => s.baseline,
    ),
  ]);
  return true;
}
