// ydeploy monitor [--duration 24h] [--interval 60s]: the guide's post-deployment watch.
// Alerts go to stderr as they fire; the summary comes at the end or on Ctrl-C.
// Exit 0 when nothing alerted, 4 when any threshold was crossed.
import type { CommandInput } from '../command.js';
import { createContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { runMonitor, THRESHOLDS } from '../inspect/monitor.js';
import { parseDuration } from '../inspect/options.js';
import { dataPaint } from '../output/logline.js';
import { renderAlert, renderMonitorRound, renderMonitorSummary } from '../output/table.js';

export async function run(input: CommandInput<{ duration?: string; interval?: string }>): Promise<number> {
  const durationMs = parseDuration('--duration', input.options.duration ?? '24h', 'monitor');
  const intervalMs = parseDuration('--interval', input.options.interval ?? '60s', 'monitor');
  const ctx = await createContext(input as CommandInput);
  const { reporter } = ctx;
  const p = dataPaint({ color: input.globals.color, env: input.env, interactive: reporter.interactive });
  reporter.info(`watching ${ctx.env.name} for ${input.options.duration ?? '24h'}, every ${input.options.interval ?? '60s'}; alerts at: ${Object.values(THRESHOLDS).slice(0, 4).join('; ')} (Ctrl-C stops with a summary)`);
  const summary = await runMonitor(
    { env: ctx.env, instances: ctx.ports.instances, remote: ctx.ports.remote, alarms: ctx.ports.alarms, clock: ctx.ports.clock, signal: ctx.signal },
    { durationMs, intervalMs },
    {
      onRound: ({ probes, alarms, at }) => {
        if (reporter.json) reporter.event({ type: 'round', at: new Date(at).toISOString(), probes, alarms: alarms.map(({ name, state }) => ({ name, state })) });
        else reporter.data(renderMonitorRound(probes, at, p));
      },
      onAlert: (alert) => reporter.warn(renderAlert(alert), { alert }),
      onError: (what, error) => reporter.warn(`${what}: ${(error as Error).message}`),
    },
  );
  reporter.data(renderMonitorSummary(summary, p));
  reporter.result({ ...summary });
  return summary.alerts.length ? ExitCode.healthGate : ExitCode.ok;
}
