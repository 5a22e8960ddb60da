// ydeploy status [--watch] [--interval 5s]: one screen of everything an operator looks at.
import { defineCommand } from '../command.js';
import type { Context } from '../context.js';
import type { StatusDeps } from '../inspect/status.js';

export default defineCommand({
  name: 'status',
  description: 'one screen: instances, health, network, logs freshness, alarms, lock, last deployment',
  examples: ['ydeploy status --env production', 'ydeploy status --env sandbox --watch', 'ydeploy status --json'],
  options: (cmd) =>
    cmd
      .option('--watch', 'redraw in place (on a terminal)')
      .option('--interval <duration>', 'refresh interval with --watch', '5s'),
  async run(input) {
    const [{ createContext }, { gatherStatus }, { parseDuration }, { dataPaint }, { clearScreen, renderStatus }] =
      await Promise.all([
        import('../context.js'),
        import('../inspect/status.js'),
        import('../inspect/options.js'),
        import('../output/logline.js'),
        import('../output/table.js'),
      ]);
    const intervalMs = parseDuration('--interval', input.options.interval, 'status --watch');
    const ctx = await createContext(input);
    const deps = statusDeps(ctx);
    const p = dataPaint({ color: input.globals.color, env: input.env, interactive: ctx.reporter.interactive });
    if (!input.options.watch) {
      const step = ctx.reporter.json ? undefined : ctx.reporter.step(`reading the status of ${ctx.env.name}`);
      const report = await gatherStatus(deps);
      step?.succeed();
      ctx.reporter.data(`${renderStatus(report, p)}\n`);
      ctx.reporter.result({ ...report });
      return 0;
    }
    // Redraw in place only where stdout is a terminal; anywhere else each round is appended.
    const redraw = ctx.reporter.interactive && Boolean(process.stdout.isTTY);
    while (!ctx.signal.aborted) {
      let report: Awaited<ReturnType<typeof gatherStatus>>;
      try {
        report = await gatherStatus(deps);
      } catch (error) {
        if (ctx.signal.aborted) break;
        throw error;
      }
      if (ctx.reporter.json) ctx.reporter.event({ type: 'status', ...report });
      else ctx.reporter.data(redraw ? `${clearScreen()}${renderStatus(report, p)}` : `${renderStatus(report, p)}\n`);
      try {
        await ctx.ports.clock.sleep(intervalMs, ctx.signal);
      } catch {
        break;
      }
    }
    return 0;
  },
});

function statusDeps(ctx: Context): StatusDeps {
  const { ports } = ctx;
  return {
    env: ctx.env,
    instances: ports.instances,
    remote: ports.remote,
    logs: ports.logs,
    store: ports.store,
    alarms: ports.alarms,
    clock: ports.clock,
    signal: ctx.signal,
  };
}
