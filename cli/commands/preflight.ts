// `ydeploy preflight`: the guide's pre-deployment checklist, each check with its reason and fix.
import type { CommandInput } from '../command.js';
import { createContext } from '../context.js';
import { runPreflight } from '../preflight/run.js';

export async function run(input: CommandInput<{ skipTests?: boolean }>): Promise<number> {
  const ctx = await createContext(input as CommandInput);
  const report = await runPreflight(ctx, { skipTests: input.options.skipTests });
  const passed = report.checks.filter((c) => c.ok && !c.skipped).length;
  ctx.reporter.info(`preflight passed: ${passed} check${passed === 1 ? '' : 's'} ok${report.checks.some((c) => c.skipped) ? ', tests skipped' : ''} (${ctx.env.name})`);
  ctx.reporter.result({ ok: true, environment: ctx.env.name, checks: report.checks });
  return 0;
}
