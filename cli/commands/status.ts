// ydeploy status [--watch] [--interval 5s]: one screen of everything an operator looks at.
// Exit 1 when any section could not be read (it shows as unknown); 2 without AWS credentials.
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'status',
  description:
    'one screen: instances, health, shard groups and identify budget (a fleet), network, logs freshness, alarms, lock, last deployment',
  examples: ['ydeploy status --env production', 'ydeploy status --env sandbox --watch', 'ydeploy status --json'],
  options: (cmd) =>
    cmd
      .option('--watch', 'redraw in place (on a terminal)')
      .option('--interval <duration>', 'refresh interval with --watch', '5s'),
  async run(input) {
    const [
      { openContext },
      { gatherStatus, watchStatus, unknownSections },
      { ExitCode },
      { parseDuration, INTERVAL_BOUNDS },
      { dataPaint },
      { clearScreen, renderStatus },
    ] = await Promise.all([
      import('../context.js'),
      import('../inspect/status.js'),
      import('../errors.js'),
      import('../inspect/options.js'),
      import('../output/logline.js'),
      import('../output/table.js'),
    ]);
    const intervalMs = parseDuration('--interval', input.options.interval, 'status --watch', INTERVAL_BOUNDS);
    const ctx = await openContext(input);
    const { reporter } = ctx;
    const p = dataPaint({ color: input.globals.color, env: input.env, interactive: reporter.interactive });
    const env = ctx.env.name;
    if (!input.options.watch) {
      const step = reporter.json ? undefined : reporter.step(`reading the status of ${env}`);
      let report;
      try {
        report = await gatherStatus(ctx);
      } catch (error) {
        step?.fail();
        throw error;
      }
      const unknown = unknownSections(report);
      if (unknown.length) step?.fail(`could not read ${unknown.join(', ')}`);
      else step?.succeed();
      reporter.data(`${renderStatus(report, p)}\n`);
      if (unknown.length)
        reporter.warn(
          `the status of ${env} is incomplete: ${unknown.join(', ')} could not be read and show as unknown (why: above; rerun: ydeploy status --env ${env})`,
        );
      reporter.result({ ok: !unknown.length, ...report, unknown });
      return unknown.length ? ExitCode.failed : ExitCode.ok;
    }
    // Redraw in place only where stdout is a terminal; anywhere else each round is appended.
    const redraw = reporter.interactive && Boolean(process.stdout.isTTY);
    let complete = true;
    await watchStatus(ctx, intervalMs, (report) => {
      const unknown = unknownSections(report);
      complete = !unknown.length;
      if (reporter.json) reporter.event({ type: 'status', ...report, unknown });
      else reporter.data(redraw ? `${clearScreen()}${renderStatus(report, p)}` : `${renderStatus(report, p)}\n`);
    });
    // The watch ends on Ctrl-C: its exit says whether the last screen was complete.
    return complete ? ExitCode.ok : ExitCode.failed;
  },
});
