// `ydeploy migrate`: legacy (public subnet) -> enhanced (private subnet), the guide's three steps.
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'migrate',
  description: "legacy (public subnet) -> enhanced (private subnet) in the guide's three verified steps",
  examples: [
    'ydeploy migrate --env sandbox',
    'ydeploy migrate --env production --dry-run',
    'ydeploy migrate --env production --step 2',
    'ydeploy migrate --env production --resume',
  ],
  options: (cmd) =>
    cmd
      .addOption(
        cmd
          .createOption('--step <n>', 'run only this step (1 enable both, 2 health gate, 3 disable legacy)')
          .choices(['1', '2', '3']),
      )
      .option('--resume', 'continue the interrupted migration from the journal')
      .option('--dry-run', 'terraform plan plus the steps that would run; change nothing')
      .option('--skip-preflight', 'do not run preflight first')
      .option('--no-live-prices', 'price from the shipped table only; do not ask the AWS Price List API'),
  async run(input) {
    const { step, resume, dryRun, skipPreflight, livePrices } = input.options;
    const [
      { UsageError },
      { migrate, migrateSteps, freshMigrate, migrateOnly },
      { openContext },
      { runPreflight },
      { flowResult, reportPlanCost },
      { flowCostOrNothing },
    ] = await Promise.all([
      import('../errors.js'),
      import('../core/flows/migrate.js'),
      import('../context.js'),
      import('../preflight/run.js'),
      import('../output/flow.js'),
      import('../cost/flow.js'),
    ]);
    if (step && resume)
      throw new UsageError('--step and --resume do not go together', '--resume continues where the journal stopped', {
        fix: 'ydeploy migrate --resume',
      });
    // A run that will take the lock is refused first when another holds it (a dry run takes none).
    const ctx = await openContext(input, { terraform: true, lockFree: !dryRun });
    try {
      // The bot being migrated is already built and running: its tests are not rerun.
      const options = { step: step ? Number(step) : undefined, resume, dryRun };
      const only = migrateOnly(options.step);
      let cost;
      if (!resume && !dryRun && !skipPreflight) {
        cost = await flowCostOrNothing(ctx, 'migrate', migrateSteps, () => freshMigrate(ctx, options), {
          only,
          livePrices,
        });
        await runPreflight(ctx, { skipTests: true, ...(cost ? { plannedCost: cost } : {}) });
      }
      const result = await migrate(ctx, options);
      cost ??= await flowCostOrNothing(ctx, 'migrate', migrateSteps, result.state, { only, livePrices });
      reportPlanCost(ctx.reporter, cost, Boolean(dryRun));
      const env = ctx.env.name;
      if (!dryRun && !step) {
        const gate = result.state.gate;
        const times =
          gate?.readinessSeconds !== undefined
            ? ` (launch ${gate.launchSeconds}s, ready ${gate.readinessSeconds}s)`
            : '';
        ctx.reporter.info(
          `migrated ${env}: enhanced ${result.state.enhancedId ?? ''} serves from the private subnet${times}`,
        );
        ctx.reporter.info(`next: ydeploy monitor --env ${env} --duration 24h`);
      }
      ctx.reporter.result({ ...flowResult(result, env), ...(cost ? { cost } : {}) });
      return 0;
    } finally {
      await ctx.dispose();
    }
  },
});
