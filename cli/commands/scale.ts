// `ydeploy scale --shards N [--instances M]`: reshard with no downtime. A complete new set of
// sessions with the new shard count starts standing by, every instance of it is health-gated,
// then one cut: the old set steps down, the new set activates, and the old set retires.
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'scale',
  description: 'reshard: start a new set of sessions with another shard count, gate it, cut over at one point',
  examples: [
    'ydeploy scale --shards 8 --instances 4 --env production',
    'ydeploy scale --shards 4 --env sandbox --dry-run',
  ],
  options: (cmd) =>
    cmd
      .option('--shards <count>', 'gateway shards in all (Discord: at most 2,500 guilds per shard)')
      .option('--instances <count>', "instances to run them on (default: the config's fleet.shardsPerInstance)")
      .option('--dry-run', 'show the plan and the steps that would run; change nothing')
      .option('--resume', 'continue the interrupted resharding from the journal')
      .option('--no-live-prices', 'price from the shipped table only; do not ask the AWS Price List API'),
  async run(input) {
    const { resume, dryRun, livePrices } = input.options;
    const [
      { UsageError },
      { scale, layoutFor },
      { openContext },
      { flowResult, reportPlanCost },
      { flowCostOrNothing },
    ] = await Promise.all([
      import('../errors.js'),
      import('../core/flows/scale.js'),
      import('../context.js'),
      import('../output/flow.js'),
      import('../cost/flow.js'),
    ]);
    const count = (flag: string, raw: string | undefined) => {
      if (raw === undefined) return undefined;
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isInteger(value) || value < 1)
        throw new UsageError(`${flag} ${JSON.stringify(raw)} is not a count`, 'use a whole number of at least 1', {
          fix: `ydeploy scale ${flag === '--shards' ? '--shards 4' : `--shards ${input.options.shards ?? 4} --instances 2`}`,
        });
      return value;
    };
    const shards = count('--shards', input.options.shards);
    const instances = count('--instances', input.options.instances);
    if (shards === undefined && !resume)
      throw new UsageError('scale needs --shards', 'it sets how many shards the new set of sessions runs', {
        fix: 'ydeploy scale --shards 4 --instances 2',
      });
    const ctx = await openContext(input, { terraform: true, lockFree: !dryRun });
    try {
      // Bad counts are refused before anything is read or locked.
      if (shards !== undefined) layoutFor(ctx, shards, instances);
      const result = await scale(ctx, { shards: shards ?? 1, instances, resume, dryRun });
      const cost = await flowCostOrNothing(ctx, 'scale', result.steps, result.state, { livePrices });
      reportPlanCost(ctx.reporter, cost, Boolean(dryRun));
      if (!dryRun) {
        const s = result.state;
        ctx.reporter.info(
          `${ctx.env.name} runs ${s.nextCount} shard${s.nextCount > 1 ? 's' : ''} on ${s.next.length} instance${s.next.length > 1 ? 's' : ''} (was ${s.oldCount} on ${s.old.length})`,
        );
        ctx.reporter.info(`next: ydeploy status --env ${ctx.env.name}`);
      }
      ctx.reporter.result({ ...flowResult(result, ctx.env.name), ...(cost ? { cost } : {}) });
      return 0;
    } finally {
      await ctx.dispose();
    }
  },
});
