// `ydeploy cost`: the monthly estimate of what the module runs in an environment, line by line.
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'cost',
  description: 'monthly estimate of what the module runs: instances, volumes, NAT, IPv4, logs, KMS, alarms',
  examples: [
    'ydeploy cost --env production',
    'ydeploy cost --env sandbox --json',
    'ydeploy cost --env production --no-live-prices',
  ],
  options: (cmd) =>
    cmd.option(
      '--no-live-prices',
      'price from the shipped table only; by default the AWS Price List API is asked first (needs pricing:GetProducts)',
    ),
  async run(input) {
    const [{ openContext }, { costReport }, { renderCost }] = await Promise.all([
      import('../context.js'),
      import('../cost/report.js'),
      import('../output/cost.js'),
    ]);
    const ctx = await openContext(input);
    try {
      const report = await costReport(ctx, { livePrices: input.options.livePrices });
      ctx.reporter.data(renderCost(report));
      ctx.reporter.result({ ok: true, environment: report.environment, basis: report.basis, cost: report.estimate });
      return 0;
    } finally {
      await ctx.dispose();
    }
  },
});
