// ydeploy status [--watch] [--interval 5s]: one screen of everything an operator looks at.
import type { CommandInput } from '../command.js';
import { createContext, type Context } from '../context.js';
import { gatherStatus, type StatusDeps, type StatusReport } from '../inspect/status.js';
import { parseDuration } from '../inspect/options.js';
import { dataPaint } from '../output/logline.js';
import { clearScreen, renderStatus } from '../output/table.js';

interface Options {
  watch?: boolean;
  interval?: string;
}

export async function run(input: CommandInput<Options>): Promise<number> {
  const intervalMs = parseDuration('--interval', input.options.interval ?? '5s', 'status --watch');
  const ctx = await createContext(input as CommandInput);
  const deps = statusDeps(ctx);
  const p = dataPaint({ color: input.globals.color, env: input.env, interactive: ctx.reporter.interactive });
  if (!input.options.watch) {
    const step = ctx.reporter.json ? undefined : ctx.reporter.step(`reading the status of ${ctx.env.name}`);
    const report = await gatherStatus(deps);
    step?.succeed();
    show(ctx, report, p, false);
    ctx.reporter.result({ ...report });
    return 0;
  }
  // Redraw in place only where stdout is a terminal; anywhere else each round is appended.
  const redraw = ctx.reporter.interactive && Boolean(process.stdout.isTTY);
  while (!ctx.signal.aborted) {
    let report: StatusReport;
    try {
      report = await gatherStatus(deps);
    } catch (error) {
      if (ctx.signal.aborted) break;
      throw error;
    }
    if (ctx.reporter.json) ctx.reporter.event({ type: 'status', ...report });
    else show(ctx, report, p, redraw);
    try {
      await ctx.ports.clock.sleep(intervalMs, ctx.signal);
    } catch {
      break;
    }
  }
  return 0;
}

function show(ctx: Context, report: StatusReport, p: ReturnType<typeof dataPaint>, redraw: boolean): void {
  const screen = renderStatus(report, p);
  ctx.reporter.data(redraw ? `${clearScreen()}${screen}` : `${screen}\n`);
}

export function statusDeps(ctx: Context): StatusDeps {
  const { ports } = ctx;
  return { env: ctx.env, instances: ports.instances, remote: ports.remote, logs: ports.logs, store: ports.store, alarms: ports.alarms, clock: ports.clock, signal: ctx.signal };
}
