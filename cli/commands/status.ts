// ydeploy status [--watch] [--interval 5s]: one screen of everything an operator looks at.
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'status',
  description: 'one screen: instances, health, network, logs freshness, alarms, lock, last deployment',
  examples: ['ydeploy status --env production', 'ydeploy status --env sandbox --watch', 'ydeploy status --json'],
  options: (cmd) =>
    cmd
      .option('--watch', 'redraw in place (on a terminal)')
      .option('--interval <duration>', 'refresh interval with --watch', '5s'),
  async run(input) {
    const [
      { openContext },
      { gatherStatus, watchStatus },
      { parseDuration, INTERVAL_BOUNDS },
      { dataPaint },
      { clearScreen, renderStatus },
    ] = await Promise.all([
      import('../context.js'),
      import('../inspect/status.js'),
      import('../inspect/options.js'),
      import('../output/logline.js'),
      import('../output/table.js'),
    ]);
    const intervalMs = parseDuration('--interval', input.options.interval, 'status --watch', INTERVAL_BOUNDS);
    const ctx = await openContext(input);
    const { reporter } = ctx;
    const p = dataPaint({ color: input.globals.color, env: input.env, interactive: reporter.interactive });
    if (!input.options.watch) {
      const step = reporter.json ? undefined : reporter.step(`reading the status of ${ctx.env.name}`);
      const report = await gatherStatus(ctx);
      step?.succeed();
      reporter.data(`${renderStatus(report, p)}\n`);
      reporter.result({ ...report });
      return 0;
    }
    // Redraw in place only where stdout is a terminal; anywhere else each round is appended.
    const redraw = reporter.interactive && Boolean(process.stdout.isTTY);
    await watchStatus(ctx, intervalMs, (report) => {
      if (reporter.json) reporter.event({ type: 'status', ...report });
      else reporter.data(redraw ? `${clearScreen()}${renderStatus(report, p)}` : `${renderStatus(report, p)}\n`);
    });
    return 0;
  },
});
