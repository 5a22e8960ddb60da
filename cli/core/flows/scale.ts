// Resharding with no downtime: `ydeploy scale --shards N [--instances M]` starts a complete new
// set of sessions with the new shard count as standby (one instance per group, all of them),
// gates every one, then cuts over at one point — every old session steps down, every new one
// activates after the cut (handoff/cut.ts) — and retires the old set. Discord routes a guild by
// (guild_id >> 22) % num_shards for each session's own count, so both sets receive what is
// theirs while they overlap; only one of them answers.
import { UsageError } from '../../errors.js';
import type { Instance } from '../../ports.js';
import type { Context } from '../context.js';
import { budgetSummary, identifyBudget } from '../budget.js';
import { loadDesired, type DesiredState, type ShardGroupState } from '../desired/state.js';
import { groupKey, groupsOf, instanceOfGroup, shardGroups, type ShardLayout } from '../fleet.js';
import { expectAnswer, healthGate, type GateReport, type GateTarget } from '../gate/gate.js';
import { gateSummary } from '../gate/summary.js';
import { cutOver, type CutReport } from '../handoff/cut.js';
import { servingInstance } from '../instances.js';
import type { Journal } from '../journal/journal.js';
import type { Step } from '../steps/step.js';
import { applyStep, failedStep, runFlow, runRecovery, type FlowResult } from './common.js';
import { servingGroups, type RolloutGroup } from './fleet.js';

export interface ScaleGroup {
  key: string;
  name: string;
  shards: number[];
  shardCount: number;
}

export interface ScaleState {
  kind: 'scale';
  baseline: DesiredState;
  release: string;
  /** The serving set: its groups (with their desired-state keys) and its shard count. */
  old: ScaleGroup[];
  oldCount: number;
  /** The serving set as shard groups (a single instance becomes the group of shard 0 of 1). */
  oldGroups: Record<string, ShardGroupState>;
  next: ScaleGroup[];
  nextCount: number;
  gates: Record<string, GateReport>;
  cut?: CutReport;
}

export interface ScaleOptions {
  shards: number;
  instances?: number;
  resume?: boolean;
  dryRun?: boolean;
}

/** --shards N with --instances M: shards per instance so that exactly M groups result. */
export function layoutFor(ctx: Pick<Context, 'env'>, shards: number, instances?: number): ShardLayout {
  const env = ctx.env.name;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024)
    throw new UsageError(`--shards ${shards} is not a shard count`, 'use a whole number from 1 to 1024', {
      fix: `ydeploy scale --shards 2 --env ${env}`,
    });
  const count = instances ?? Math.ceil(shards / (ctx.env.fleet?.shardsPerInstance ?? shards));
  if (!Number.isInteger(count) || count < 1 || count > shards)
    throw new UsageError(
      `--instances ${count} does not fit ${shards} shards`,
      'each instance runs at least one shard',
      {
        fix: `ydeploy scale --shards ${shards} --instances ${Math.min(Math.max(1, Math.trunc(count) || 1), shards)} --env ${env}`,
      },
    );
  const perInstance = Math.ceil(shards / count);
  const groups = Math.ceil(shards / perInstance);
  if (groups !== count)
    throw new UsageError(
      `${shards} shards do not split over ${count} instances`,
      `${perInstance} shards per instance makes ${groups} instances`,
      { fix: `ydeploy scale --shards ${shards} --instances ${groups} --env ${env}` },
    );
  return { shards, perInstance };
}

export async function scale(
  ctx: Context,
  options: ScaleOptions,
): Promise<FlowResult<ScaleState> & { steps: Step<ScaleState>[] }> {
  const result = await runFlow(ctx, {
    command: 'scale',
    steps: scaleSteps,
    resume: Boolean(options.resume),
    dryRun: Boolean(options.dryRun),
    fresh: () => freshScale(ctx, options),
    recover: recoverScale,
  });
  return { ...result, steps: scaleSteps };
}

export async function freshScale(ctx: Context, options: ScaleOptions): Promise<ScaleState> {
  const env = ctx.env.name;
  const layout = layoutFor(ctx, options.shards, options.instances);
  const baseline = await loadDesired(ctx);
  if (!baseline?.enable_enhanced_instance || baseline.enable_legacy_instance)
    throw new UsageError(
      `nothing to reshard in ${env}`,
      baseline?.enable_legacy_instance
        ? 'legacy still runs; the migration is not finished'
        : 'no enhanced release serves yet',
      { fix: baseline?.enable_legacy_instance ? `ydeploy migrate --env ${env}` : `ydeploy deploy --env ${env}` },
    );
  let old: RolloutGroup[] = servingGroups(baseline);
  let oldGroups: Record<string, ShardGroupState>;
  if (old.length) {
    oldGroups = Object.fromEntries(
      old.map((g) => [g.fromKey!, { ...shardGroups(baseline)[g.fromKey!]!, role: 'active' as const }]),
    );
  } else {
    // One instance: it runs shard 0 of 1, under its own key (the release), so naming it a group
    // changes only its tags, never the instance.
    const release = baseline.release_version!;
    oldGroups = { [release]: { release, shards: [0], shard_count: 1, role: 'active' } };
    old = [{ name: 's0of1', shards: [0], shardCount: 1, fromKey: release, from: release }];
  }
  const releases = new Set(old.map((g) => g.from));
  if (releases.size > 1)
    throw new UsageError(
      `${env} runs ${[...releases].join(' and ')} on different shard groups`,
      'a rollout is unfinished; the new set would not know which release to run',
      { fix: `ydeploy deploy --resume --env ${env}, or ydeploy rollback --env ${env}` },
    );
  const oldCount = old[0]!.shardCount;
  const release = old[0]!.from!;
  const next = groupsOf(layout).map((g) => ({
    key: groupKey(release, g),
    name: g.name,
    shards: g.shards,
    shardCount: g.shardCount,
  }));
  if (oldCount === layout.shards && old.length === next.length && old.every((g, i) => g.name === next[i]!.name))
    throw new UsageError(
      `${env} already runs ${layout.shards} shard${layout.shards > 1 ? 's' : ''} on ${next.length} instance${next.length > 1 ? 's' : ''}`,
      'there is nothing to change',
      { fix: `ydeploy status --env ${env}` },
    );
  if (oldCount === layout.shards)
    throw new UsageError(
      `${env} already runs ${layout.shards} shards`,
      'regrouping the same shard count over other instances is a new set of sessions with the same routing; scale to another shard count, or deploy to change code',
      { fix: `ydeploy scale --shards ${layout.shards * 2} --env ${env}` },
    );
  return {
    kind: 'scale',
    baseline,
    release,
    old: old.map((g) => ({ key: g.fromKey!, name: g.name, shards: g.shards, shardCount: g.shardCount })),
    oldCount,
    oldGroups,
    next,
    nextCount: layout.shards,
    gates: {},
  };
}

const withGroups = (s: ScaleState, groups: Record<string, ShardGroupState>): DesiredState => ({
  ...s.baseline,
  enable_enhanced_instance: true,
  candidate_release_version: null,
  release_version: s.release,
  shard_groups: groups,
});
const nextGroups = (s: ScaleState, role: ShardGroupState['role']): Record<string, ShardGroupState> =>
  Object.fromEntries(
    s.next.map((g) => [g.key, { release: s.release, shards: g.shards, shard_count: g.shardCount, role }]),
  );

function target(ctx: Context, s: ScaleState, g: ScaleGroup, expectActive: boolean): GateTarget {
  return {
    label: `enhanced ${s.release} ${g.name}`,
    find: async () =>
      instanceOfGroup(await ctx.instances.list(ctx.env.name), {
        release: s.release,
        shards: g.shards,
        shard_count: g.shardCount,
        role: 'active',
      }),
    expectActive,
    release: s.release,
    shard: { id: g.shards[0]!, count: g.shardCount },
  };
}

/** The old set's instances, each with the shards it serves. A single instance carries no shard tags. */
async function oldMembers(ctx: Context, s: ScaleState): Promise<{ instance: Instance; shards: number[] }[]> {
  const instances = await ctx.instances.list(ctx.env.name);
  return s.old.flatMap((g) => {
    const found =
      instanceOfGroup(instances, { release: s.release, shards: g.shards, shard_count: g.shardCount, role: 'active' }) ??
      (g.shardCount === 1 ? servingInstance(instances, s.baseline) : undefined);
    return found ? [{ instance: found, shards: g.shards }] : [];
  });
}

export const scaleSteps: Step<ScaleState>[] = [
  {
    id: 'identify-budget',
    title: "Check Discord's identify budget",
    async run(ctx, state) {
      return budgetSummary(
        await identifyBudget(ctx, state.nextCount, `starting ${state.nextCount} new sessions`, {
          rerun: `ydeploy scale --resume --env ${ctx.env.name}`,
          reduce: 'scale to fewer shards',
        }),
      );
    },
    dryRun: (_ctx, s) => `read session_start_limit: ${s.nextCount} session starts must fit`,
  },
  applyStep('start-set', 'Start the new set of sessions standing by', undefined, (s: ScaleState) =>
    withGroups(s, { ...s.oldGroups, ...nextGroups(s, 'standby') }),
  ),
  {
    id: 'gate-set',
    title: 'Health gate on every instance of the new set',
    async run(ctx, state) {
      const lines = await Promise.all(
        state.next.map(async (g) => {
          state.gates[g.name] = await healthGate(ctx, target(ctx, state, g, false));
          return `${g.name}: ${gateSummary(state.gates[g.name]!)}`;
        }),
      );
      return lines.join('\n');
    },
    dryRun: (_ctx, s) => `wait for ${s.next.map((g) => g.name).join(', ')}: Online, every shard ready, standing by`,
  },
  {
    id: 'cut-over',
    title: 'Cut over: the old set steps down, the new set activates',
    async run(ctx, state) {
      const olds = await oldMembers(ctx, state);
      const news = await Promise.all(
        state.next.map(async (g) => {
          const found = await target(ctx, state, g, true).find();
          if (!found)
            throw new UsageError(
              `no running instance of ${g.name} in ${ctx.env.name}`,
              'it passed its gate a moment ago',
              {
                fix: `ydeploy status --env ${ctx.env.name}`,
              },
            );
          return found;
        }),
      );
      state.cut = await cutOver(ctx, olds, state.oldCount, news);
      const answered = await Promise.all(
        state.next.map((g, i) => expectAnswer(ctx, target(ctx, state, g, true), news[i]!)),
      );
      if (state.cut.interrupted) throw ctx.signal.reason;
      return `${state.oldCount} → ${state.nextCount} shards: ${state.cut.from.length} instance(s) stepped down, ${state.cut.to.length} activated in ${state.cut.seconds.toFixed(1)}s; ${answered.join('; ')}`;
    },
    dryRun: (_ctx, s) =>
      `botctl step-down on every instance of the ${s.oldCount}-shard set, then activate every instance of the ${s.nextCount}-shard set after the cut`,
  },
  applyStep('retire-set', 'Retire the old set', undefined, (s: ScaleState) => withGroups(s, nextGroups(s, 'active'))),
];

/** A new set that failed its gate or the cut retires; the old set serves on as before. */
async function recoverScale(ctx: Context, state: ScaleState, _error: unknown, journal: Journal): Promise<boolean> {
  if (!['gate-set', 'cut-over'].includes(failedStep(journal) ?? '')) return false;
  // After the cut the new set answers and the old one stands by: nothing to undo; --resume retires
  // the old set.
  if (state.cut) return false;
  await runRecovery(ctx, journal, state, [
    applyStep(
      'retire-new-set',
      `Retiring the new set; the ${state.oldCount}-shard set keeps serving`,
      undefined,
      (s: ScaleState) => s.baseline,
    ),
  ]);
  return true;
}
