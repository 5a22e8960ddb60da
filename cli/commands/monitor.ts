// ydeploy monitor [--duration 24h] [--interval 60s]: the guide's post-deployment watch.
// Each refresh: health probes, alarms, and the environment's metrics in one GetMetricData call,
// drawn as charts redrawn in place on a terminal, one line per metric elsewhere, NDJSON with
// --json. Alerts go to stderr as they fire; the summary comes at the end or on Ctrl-C.
// Exit 0 when nothing alerted, 4 when any threshold was crossed, 1 when nothing alerted but some
// rounds could not be read (a watch that saw nothing is not a watch that saw health).
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'monitor',
  description: "post-deployment watch: health and metrics every interval, alerts at the guide's thresholds",
  examples: ['ydeploy monitor --env production --duration 24h', 'ydeploy monitor --duration 10m --interval 15s'],
  options: (cmd) =>
    cmd
      .option('--duration <duration>', 'how long to watch', '24h')
      .option('--interval <duration>', 'time between refreshes', '60s'),
  async run(input) {
    const [{ openContext }, { ExitCode }, { runMonitor, THRESHOLDS }, { parseDuration, INTERVAL_BOUNDS }] =
      await Promise.all([
        import('../context.js'),
        import('../errors.js'),
        import('../inspect/monitor.js'),
        import('../inspect/options.js'),
      ]);
    const [{ dataPaint }, { renderAlert, renderMonitorRound, renderMonitorSummary }, frames] = await Promise.all([
      import('../output/logline.js'),
      import('../output/table.js'),
      import('../output/monitor.js'),
    ]);
    const { duration, interval } = input.options;
    const durationMs = parseDuration('--duration', duration, 'monitor');
    const intervalMs = parseDuration('--interval', interval, 'monitor', INTERVAL_BOUNDS);
    const ctx = await openContext(input);
    const { reporter } = ctx;
    const p = dataPaint({ color: input.globals.color, env: input.env, interactive: reporter.interactive });
    reporter.info(
      `watching ${ctx.env.name} for ${duration}, every ${interval}; alerts at: ${Object.values(THRESHOLDS).slice(0, 4).join('; ')} (Ctrl-C stops with a summary)`,
    );
    // Charts redrawn in place only where stdout is a terminal; anywhere else each refresh is appended.
    const live =
      !reporter.json && reporter.interactive && process.stdout.isTTY ? new frames.LiveFrame(process.stdout) : undefined;
    const color = input.globals.color && !input.env.NO_COLOR && Boolean(live);
    const summary = await runMonitor(
      ctx,
      { durationMs, intervalMs },
      {
        onRound: ({ probes, alarms, metrics, at }) => {
          if (reporter.json) {
            reporter.event({
              type: 'round',
              at: new Date(at).toISOString(),
              probes,
              alarms: alarms.map(({ name, state }) => ({ name, state })),
            });
            if (metrics) reporter.event(frames.metricsEvent(metrics));
          } else if (live) {
            live.draw(
              frames.renderFrame(metrics, probes, p, {
                width: process.stdout.columns ?? 80,
                rows: process.stdout.rows,
                color,
                title: `ydeploy monitor — ${ctx.env.name}, every ${interval} for ${duration}`,
              }),
            );
          } else {
            reporter.data(renderMonitorRound(probes, at, p));
            if (metrics?.charts.length) reporter.data(frames.renderMetricLines(metrics, p).join('\n'));
          }
        },
        onAlert: (alert) => {
          live?.clear();
          reporter.warn(renderAlert(alert), { alert });
        },
        onError: (what, error) => {
          live?.clear();
          reporter.warn(`${what}: ${(error as Error).message}`);
        },
      },
    );
    reporter.data(renderMonitorSummary(summary, p));
    reporter.result({ ...summary });
    if (summary.alerts.length) return ExitCode.healthGate;
    return summary.unreadRounds ? ExitCode.failed : ExitCode.ok;
  },
});
