// A sharded fleet's rolling deploy: group by group (fleet.groupsAtOnce at a time), a candidate
// running the same shards starts standby beside the group's serving instance, passes its health
// gate, takes over through the handoff, and the old instance retires. Exactly one session answers
// per shard throughout: each group's handoff is the single-instance one. A failed group stops the
// rollout: its candidate retires, its old instance answers again, groups not reached stay on
// their release (exit 4), and `ydeploy rollback` returns the groups that changed.
import { UsageError } from '../../errors.js';
import type { CommandDefinition, Instance } from '../../ports.js';
import type { Context } from '../context.js';
import { commandCount } from '../commands/manifest.js';
import { syncCommandsStep } from '../commands/sync.js';
import { emptyDesired, loadDesired, type DesiredState, type ShardGroupState } from '../desired/state.js';
import { groupKey, groupName, groupsOf, instanceOfGroup, isFleet, layoutOf, runsFleet, shardGroups } from '../fleet.js';
import { expectAnswer, healthGate, type GateReport, type GateTarget } from '../gate/gate.js';
import { gateSummary } from '../gate/summary.js';
import { fencedNote, handBack, handoff, type HandoffReport } from '../handoff/handoff.js';
import { listJournal, resumable, type Journal } from '../journal/journal.js';
import type { Step } from '../steps/step.js';
import { budgetSummary, identifyBudget } from '../budget.js';
import { applyStep, failedStep, runFlow, runRecovery, type FlowResult } from './common.js';
import { assertReleaseUpload, deploySteps, type DeployOptions } from './deploy.js';

/** One shard group of a rollout: its shards and the instance (key, release) serving it before. */
export interface RolloutGroup {
  name: string;
  shards: number[];
  shardCount: number;
  /** The desired state's key of the instance that served the group before; absent: nothing did. */
  fromKey?: string;
  from?: string;
}

export interface FleetDeployState {
  kind: 'fleet';
  baseline: DesiredState;
  release: string;
  /** Nothing served before: every group starts active at once. */
  fresh: boolean;
  publish: boolean;
  groups: RolloutGroup[];
  /** Group names, in the order they are replaced, groupsAtOnce per batch. */
  batches: string[][];
  /** Groups whose handoff finished: the release serves them. */
  done: string[];
  gates: Record<string, GateReport>;
  handoffs: Record<string, HandoffReport>;
  commands?: number;
  preview?: CommandDefinition[];
}

export interface FleetDeployOptions extends DeployOptions {
  /** Groups replaced at a time (default: the environment's fleet.groupsAtOnce). */
  groupsAtOnce?: number;
}

/** Whether this run of `command` is a sharded fleet's: the desired state (or the journal, resuming) says. */
export async function fleetRun(ctx: Context, command: string, resume: boolean): Promise<boolean> {
  if (resume) {
    const [last] = await listJournal(ctx, 1, command);
    return (last?.state as { kind?: string } | undefined)?.kind === 'fleet';
  }
  const desired = await loadDesired(ctx);
  if (runsFleet(desired)) return true;
  const layout = layoutOf(ctx.env);
  // Nothing deployed yet and the environment asks for shards: the first deploy starts the fleet.
  if (!desired?.enable_enhanced_instance && !desired?.enable_legacy_instance) return isFleet(layout);
  // One instance serves: it stays one until resharded, which the config alone does not do.
  if (isFleet(layout) && desired.enable_enhanced_instance && !desired.enable_legacy_instance)
    ctx.reporter.warn(
      `the config asks for ${layout.shards} shards but ${ctx.env.name} runs one instance; ydeploy scale --shards ${layout.shards} --env ${ctx.env.name} reshards it with no downtime`,
    );
  return false;
}

export async function fleetDeploy(
  ctx: Context,
  options: FleetDeployOptions,
): Promise<FlowResult<FleetDeployState> & { steps: Step<FleetDeployState>[] }> {
  const command = options.command ?? 'deploy';
  // The steps depend on how many batches there are: known from the journal when resuming, from
  // the desired state otherwise (read before the lock; the writes are conditional on this read).
  const state = options.resume
    ? ((await resumable(ctx, command)).state as unknown as FleetDeployState)
    : await freshFleetDeploy(ctx, options, command);
  const steps = fleetDeploySteps(state.batches.length);
  const result = await runFlow(ctx, {
    command,
    steps,
    resume: Boolean(options.resume),
    dryRun: Boolean(options.dryRun),
    fresh: async () => state,
    recover: recoverFleetDeploy,
  });
  return { ...result, steps };
}

/** The rollout's plan: which groups change, in which batches, from which instances. */
export async function freshFleetDeploy(
  ctx: Context,
  options: FleetDeployOptions,
  command: string,
): Promise<FleetDeployState> {
  const env = ctx.env.name;
  const desired = await loadDesired(ctx);
  if (desired?.enable_legacy_instance)
    throw new UsageError(`legacy serves ${env}`, 'a sharded fleet is deployed once the migration is finished', {
      fix: `ydeploy migrate --env ${env}`,
    });
  const baseline = desired ?? emptyDesired(ctx.env);
  const fresh = !baseline.enable_enhanced_instance;
  if (!fresh && !runsFleet(baseline))
    throw new UsageError(
      `${env} runs one instance`,
      `the config asks for ${layoutOf(ctx.env).shards} shards; the fleet is started by resharding, with no downtime`,
      { fix: `ydeploy scale --shards ${layoutOf(ctx.env).shards} --env ${env}` },
    );
  const groups = fresh ? plannedGroups(ctx) : servingGroups(baseline);
  const changing = groups.filter((g) => g.from !== options.release);
  if (!changing.length)
    throw new UsageError(
      `release ${options.release} already serves every shard of ${env}`,
      'there is nothing to roll out',
      {
        fix: `ydeploy ${command === 'deploy' ? 'deploy --release <another version>' : 'rollback --to <another release>'} --env ${env}`,
      },
    );
  await assertReleaseUpload(ctx, options);
  const atOnce = fresh ? changing.length : Math.max(1, options.groupsAtOnce ?? ctx.env.fleet?.groupsAtOnce ?? 1);
  const batches: string[][] = [];
  for (let i = 0; i < changing.length; i += atOnce) batches.push(changing.slice(i, i + atOnce).map((g) => g.name));
  const built = options.dryRun ? options.built?.manifest.commands : undefined;
  return {
    kind: 'fleet',
    baseline,
    release: options.release,
    fresh,
    publish: !options.existing,
    groups,
    batches,
    done: [],
    gates: {},
    handoffs: {},
    commands: options.existing ? await commandCount(ctx.releases, options.release) : built?.length,
    ...(built ? { preview: built } : {}),
  };
}

/** The groups the environment's config lays out (a first deploy: nothing serves them yet). */
function plannedGroups(ctx: Context): RolloutGroup[] {
  return groupsOf(layoutOf(ctx.env)).map((g) => ({ name: g.name, shards: g.shards, shardCount: g.shardCount }));
}

/** The groups serving now: the desired state's active shard groups, in shard order. */
export function servingGroups(desired: DesiredState): RolloutGroup[] {
  return Object.entries(shardGroups(desired))
    .filter(([, g]) => g.role === 'active')
    .map(([key, g]) => ({
      name: groupName(g.shards, g.shard_count),
      shards: g.shards,
      shardCount: g.shard_count,
      fromKey: key,
      from: g.release,
    }))
    .sort((a, b) => a.shards[0]! - b.shards[0]!);
}

const newGroup = (s: FleetDeployState, g: RolloutGroup, role: ShardGroupState['role']): ShardGroupState => ({
  release: s.release,
  shards: g.shards,
  shard_count: g.shardCount,
  role,
});

/**
 * The desired state with every group served by whoever serves it now (the release once its
 * handoff is done, its old instance otherwise), plus the candidates of `batch` standing by.
 */
function fleetDesired(s: FleetDeployState, batch?: number): DesiredState {
  const groups: Record<string, ShardGroupState> = {};
  const before = shardGroups(s.baseline);
  const starting = new Set(batch === undefined ? [] : s.batches[batch]);
  for (const g of s.groups) {
    // A first deploy's groups start active, so they count as serving from the start.
    if (s.fresh || s.done.includes(g.name)) groups[groupKey(s.release, g)] = newGroup(s, g, 'active');
    else {
      if (g.fromKey && before[g.fromKey]) groups[g.fromKey] = { ...before[g.fromKey]!, role: 'active' };
      if (starting.has(g.name)) groups[groupKey(s.release, g)] = newGroup(s, g, s.fresh ? 'active' : 'standby');
    }
  }
  const releases = new Set(Object.values(groups).map((g) => g.release));
  return {
    ...s.baseline,
    enable_enhanced_instance: true,
    enable_legacy_instance: false,
    use_private_subnet: true,
    // The release once it serves every group; until then the one that served before.
    release_version:
      releases.size === 1 && releases.has(s.release) ? s.release : (s.baseline.release_version ?? s.release),
    candidate_release_version: null,
    shard_groups: groups,
  };
}

const groupOf = (s: FleetDeployState, name: string): RolloutGroup => s.groups.find((g) => g.name === name)!;

/** The gate target of a group's instance running `release`. */
function groupTarget(ctx: Context, g: RolloutGroup, release: string, expectActive: boolean): GateTarget {
  const state: ShardGroupState = { release, shards: g.shards, shard_count: g.shardCount, role: 'active' };
  return {
    label: `enhanced ${release} ${g.name}`,
    find: async () => instanceOfGroup(await ctx.instances.list(ctx.env.name), state),
    expectActive,
    release,
    shard: { id: g.shards[0]!, count: g.shardCount },
  };
}

async function requireGroupInstance(ctx: Context, g: RolloutGroup, release: string): Promise<Instance> {
  const found = await groupTarget(ctx, g, release, false).find();
  if (!found)
    throw new UsageError(
      `no running instance of ${release} for ${g.name} in ${ctx.env.name}`,
      'it was expected after the previous step',
      {
        fix: `ydeploy status --env ${ctx.env.name}`,
      },
    );
  return found;
}

/** The steps of a rollout in `batches` batches. */
export function fleetDeploySteps(batches: number): Step<FleetDeployState>[] {
  const publish = deploySteps.find((s) => s.id === 'publish') as unknown as Step<FleetDeployState>;
  const steps: Step<FleetDeployState>[] = [
    publish,
    {
      id: 'identify-budget',
      title: "Check Discord's identify budget",
      async run(ctx, state) {
        const sessions = state.batches.flat().reduce((n, name) => n + groupOf(state, name).shards.length, 0);
        const rerun = `ydeploy ${state.publish ? 'deploy' : 'rollback'} --resume --env ${ctx.env.name}`;
        return budgetSummary(
          await identifyBudget(
            ctx,
            sessions,
            `rolling ${state.release} out to ${state.batches.flat().length} shard groups`,
            {
              rerun,
            },
          ),
        );
      },
      dryRun: (_ctx, s) =>
        `read session_start_limit: ${s.batches.flat().reduce((n, name) => n + groupOf(s, name).shards.length, 0)} session starts must fit`,
    },
  ];
  for (let b = 0; b < batches; b++) steps.push(...batchSteps(b, batches));
  steps.push(
    syncCommandsStep<FleetDeployState>({
      release: (s) => s.release,
      count: (s) => s.commands,
      preview: (s) => s.preview,
      fix: (ctx, s) =>
        `${s.release} serves every shard; ydeploy ${s.publish ? 'deploy' : 'rollback'} --resume --env ${ctx.env.name} retries the sync`,
    }),
  );
  return steps;
}

function batchSteps(b: number, of: number): Step<FleetDeployState>[] {
  const n = of > 1 ? ` (${b + 1}/${of})` : '';
  const names = (s: FleetDeployState) => s.batches[b]!.join(', ');
  return [
    applyStep(
      `start-${b + 1}`,
      `Start the new release beside the serving groups${n}`,
      undefined,
      (s: FleetDeployState) => fleetDesired(s, b),
    ),
    {
      id: `gate-${b + 1}`,
      title: `Health gate on the new groups${n}`,
      async run(ctx, state) {
        const reports = await Promise.all(
          state.batches[b]!.map(async (name) => {
            const report = await healthGate(ctx, groupTarget(ctx, groupOf(state, name), state.release, state.fresh));
            state.gates[name] = report;
            return `${name}: ${gateSummary(report)}`;
          }),
        );
        return reports.join('\n');
      },
      dryRun: (_ctx, s) =>
        `wait for ${s.release} on ${names(s)}: Online, /health "healthy" on every shard, Discord ready`,
    },
    {
      id: `handoff-${b + 1}`,
      title: `Hand the groups over to the new release${n}`,
      async run(ctx, state) {
        const lines: string[] = [];
        // One group at a time: each is the single-instance handoff on that group's shards.
        for (const name of state.batches[b]!) {
          if (state.done.includes(name)) continue;
          const g = groupOf(state, name);
          const next = await requireGroupInstance(ctx, g, state.release);
          const old = g.from ? await groupTarget(ctx, g, g.from, true).find() : undefined;
          const report = await handoff(ctx, old, next);
          state.handoffs[name] = report;
          state.done.push(name);
          const answered = await expectAnswer(ctx, groupTarget(ctx, g, state.release, true), next);
          lines.push(
            `${name}: ${old?.id ?? 'nothing'} → ${next.id} in ${report.seconds.toFixed(1)}s${fencedNote(report)}; ${answered}`,
          );
          if (report.interrupted) throw ctx.signal.reason;
        }
        return lines.join('\n');
      },
      dryRun: (_ctx, s) => `per group of ${names(s)}: botctl step-down on the old instance, then activate the new one`,
      skip: (_ctx, s) => (s.fresh ? 'nothing was serving before' : undefined),
    },
    {
      ...applyStep(`retire-${b + 1}`, `Retire the replaced instances${n}`, undefined, (s: FleetDeployState) =>
        fleetDesired(s),
      ),
    },
  ];
}

/**
 * A batch that failed its gate or its handoff: groups already handed over keep the release, the
 * others' candidates retire and their old instances answer again. Earlier batches stay changed.
 */
async function recoverFleetDeploy(
  ctx: Context,
  state: FleetDeployState,
  _error: unknown,
  journal: Journal,
): Promise<boolean> {
  const failed = failedStep(journal) ?? '';
  if (state.fresh || !/^(gate|handoff)-\d+$/.test(failed)) return false;
  const batch = Number(failed.split('-')[1]) - 1;
  for (const name of state.batches[batch] ?? []) {
    const g = groupOf(state, name);
    // A handoff that failed half-way handed back already; one stopped by an error after it
    // finished (the answer check) leaves the group on the release, which stays.
    if (!state.done.includes(name) && state.handoffs[name] && g.from) {
      const old = await groupTarget(ctx, g, g.from, true).find();
      if (old) await handBack(ctx, old);
    }
  }
  await runRecovery(ctx, journal, state, [
    applyStep(
      `retire-candidates-${batch + 1}`,
      `Retiring the failed candidates; groups not reached keep their release`,
      undefined,
      (s: FleetDeployState) => fleetDesired(s),
    ),
  ]);
  return true;
}

/**
 * What `ydeploy rollback` returns a fleet to: the release its groups ran before the last
 * rollout (deploy or rollback --to) that changed any, for the groups now on another release.
 */
export async function fleetRollbackTarget(ctx: Context): Promise<string> {
  const desired = await loadDesired(ctx);
  const serving = new Set(servingGroups(desired ?? emptyDesired(ctx.env)).map((g) => g.from));
  for (const entry of await listJournal(ctx, 20)) {
    const state = entry.state as Partial<FleetDeployState> | undefined;
    if (state?.kind !== 'fleet' || !state.groups) continue;
    // The last rollout whose release still serves some group: its groups go back to what they ran.
    const before = state.groups.find((g) => g.from && g.from !== state.release)?.from;
    if (before && state.release && serving.has(state.release)) return before;
  }
  throw new UsageError(
    `nothing to roll back in ${ctx.env.name}`,
    'no rollout of the fleet changed a release it still runs',
    {
      fix: `ydeploy rollback --to <release> --env ${ctx.env.name}`,
    },
  );
}
