// `ydeploy doctor`: the guide's troubleshooting section, run on an instance and explained.
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'doctor',
  description: "run the guide's troubleshooting on an instance through SSM and explain the findings",
  examples: ['ydeploy doctor --env production', 'ydeploy doctor --instance enhanced'],
  options: (cmd) => cmd.option('--instance <id|role>', 'instance id, or legacy / enhanced (default: the serving one)'),
  async run(input) {
    const [{ openContext }, { runDoctor }, { renderFindings }] = await Promise.all([
      import('../context.js'),
      import('../doctor/run.js'),
      import('../output/doctor.js'),
    ]);
    const ctx = await openContext(input);
    const report = await runDoctor(ctx, { instance: input.options.instance });
    for (const finding of report.findings)
      ctx.reporter.event({ type: 'finding', instance: report.instance.id, ...finding });
    ctx.reporter.data(renderFindings(report));
    const problems = report.findings.filter((f) => f.severity === 'problem').length;
    const where = `${report.instance.id} (${report.instance.kind})`;
    if (problems) ctx.reporter.warn(`doctor found ${problems} problem${problems === 1 ? '' : 's'} on ${where}`);
    else ctx.reporter.info(`doctor found no problem on ${where}`);
    ctx.reporter.result({
      ok: report.ok,
      environment: ctx.env.name,
      instance: report.instance,
      findings: report.findings,
    });
    return report.ok ? 0 : 1;
  },
});
