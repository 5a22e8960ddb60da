// `ydeploy rollback`: planned (legacy + public subnet, verified, then enhanced removed),
// --emergency (legacy back now, enhanced kept), or --to <release> (an earlier enhanced release).
import { defineCommand } from '../command.js';
import type { Context } from '../core/context.js';

export default defineCommand({
  name: 'rollback',
  description: 'roll back: planned (legacy + public subnet, then enhanced removed) or --emergency',
  examples: [
    'ydeploy rollback --emergency --env production',
    'ydeploy rollback --env production',
    'ydeploy rollback --to v1 --env production',
  ],
  options: (cmd) =>
    cmd
      .option('--emergency', 'legacy back now; enhanced kept running for investigation')
      .option('--destroy-enhanced', 'with --emergency: also remove enhanced once legacy is healthy')
      .option('--to <release>', 'roll enhanced back to an earlier release (after a deploy)')
      .option('--dry-run', 'show what would run; change nothing')
      .option('--resume', 'continue the interrupted rollback from the journal')
      .option('--no-live-prices', 'price from the shipped table only; do not ask the AWS Price List API'),
  async run(input) {
    const { emergency, destroyEnhanced, to, dryRun, resume, livePrices } = input.options;
    const [
      { UsageError },
      { assertReleaseVersion },
      { deploy, deploySteps },
      { rollback, rollbackSteps },
      { openContext },
      { flowResult, reportPlanCost },
      { flowCostOrNothing },
    ] = await Promise.all([
      import('../errors.js'),
      import('../core/desired/state.js'),
      import('../core/flows/deploy.js'),
      import('../core/flows/rollback.js'),
      import('../context.js'),
      import('../output/flow.js'),
      import('../cost/flow.js'),
    ]);
    if (to && (emergency || destroyEnhanced)) {
      throw new UsageError(
        '--to does not go with --emergency or --destroy-enhanced',
        '--to rolls enhanced back to an earlier release; the others bring legacy back',
        { fix: 'ydeploy rollback --to <release>, or ydeploy rollback --emergency' },
      );
    }
    if (to !== undefined) assertReleaseVersion(to, '--to', 'ydeploy rollback');
    if (destroyEnhanced && !emergency)
      throw new UsageError('--destroy-enhanced needs --emergency', 'a planned rollback always removes enhanced', {
        fix: 'ydeploy rollback --emergency --destroy-enhanced',
      });
    // A run that will take the lock is refused first when another holds it (a dry run takes none).
    const ctx = await openContext(input, { terraform: true, lockFree: !dryRun });
    try {
      const { fleetRun, fleetDeploy, fleetRollbackTarget } = await import('../core/flows/fleet.js');
      if (await fleetRun(ctx, 'rollback', Boolean(resume))) {
        // A sharded fleet has no legacy to return to: its changed groups go back to the release
        // they ran before the last rollout (--emergency: all of them at once).
        if (destroyEnhanced)
          throw new UsageError(
            '--destroy-enhanced does not apply to a sharded fleet',
            'a fleet rolls back to an earlier release, not to legacy',
            {
              fix: `ydeploy rollback --env ${ctx.env.name}`,
            },
          );
        const target = to ?? (resume ? '' : await fleetRollbackTarget(ctx));
        const result = await fleetDeploy(ctx, {
          release: target,
          existing: true,
          command: 'rollback',
          resume,
          dryRun,
          ...(emergency ? { groupsAtOnce: Number.MAX_SAFE_INTEGER } : {}),
        });
        const cost = await flowCostOrNothing(ctx, 'rollback', result.steps, result.state, { livePrices });
        reportPlanCost(ctx.reporter, cost, Boolean(dryRun));
        if (!dryRun) ctx.reporter.info(`rolled ${ctx.env.name} back to ${result.state.release} on every shard group`);
        ctx.reporter.result({ ...flowResult(result, ctx.env.name), ...(cost ? { cost } : {}) });
        return 0;
      }
      const release = to ?? (resume ? await resumedRelease(ctx) : undefined);
      const [result, cost] = release
        ? await deploy(ctx, { release, existing: true, command: 'rollback', resume, dryRun }).then(
            async (r) => [r, await flowCostOrNothing(ctx, 'rollback', deploySteps, r.state, { livePrices })] as const,
          )
        : await rollback(ctx, { emergency, destroyEnhanced, resume, dryRun }).then(
            async (r) => [r, await flowCostOrNothing(ctx, 'rollback', rollbackSteps, r.state, { livePrices })] as const,
          );
      reportPlanCost(ctx.reporter, cost, Boolean(dryRun));
      const env = ctx.env.name;
      if (!dryRun) {
        const kept =
          emergency && !destroyEnhanced ? '; enhanced kept for investigation (ydeploy doctor --instance enhanced)' : '';
        ctx.reporter.info(release ? `rolled ${env} back to ${release}` : `legacy serves ${env} again${kept}`);
      }
      ctx.reporter.result({ ...flowResult(result, env), ...(cost ? { cost } : {}) });
      return 0;
    } finally {
      await ctx.dispose();
    }
  },
});

/** A resumed `rollback --to` continues as the release rollout it was. */
async function resumedRelease(ctx: Pick<Context, 'store' | 'env'>): Promise<string | undefined> {
  const { listJournal } = await import('../core/journal/journal.js');
  const [last] = await listJournal(ctx, 1, 'rollback');
  const release = last?.state.release;
  return typeof release === 'string' ? release : undefined;
}
