// `ydeploy preflight`: the guide's pre-deployment checklist, each check with its reason and fix.
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'preflight',
  description: 'run the pre-deployment checklist: every check with its reason and fix',
  examples: ['ydeploy preflight --env production', 'ydeploy preflight --env sandbox --skip-tests --json'],
  options: (cmd) => cmd.option('--skip-tests', "do not run the bot's tests"),
  async run(input) {
    const [{ openContext }, { runPreflight }] = await Promise.all([
      import('../context.js'),
      import('../preflight/run.js'),
    ]);
    const ctx = await openContext(input);
    const report = await runPreflight(ctx, { skipTests: input.options.skipTests });
    const passed = report.checks.filter((c) => c.ok && !c.skipped).length;
    ctx.reporter.info(
      `preflight passed: ${passed} check${passed === 1 ? '' : 's'} ok${report.checks.some((c) => c.skipped) ? ', tests skipped' : ''} (${ctx.env.name})`,
    );
    ctx.reporter.result({ ok: true, environment: ctx.env.name, checks: report.checks });
    return 0;
  },
});
