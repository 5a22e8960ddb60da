// `ydeploy doctor`: the guide's troubleshooting section, run on an instance and explained.
import type { CommandInput } from '../command.js';
import { createContext } from '../context.js';
import { Ec2Network } from '../adapters/aws/network.js';
import { renderFindings, runDoctor } from '../doctor/run.js';

export async function run(input: CommandInput<{ instance?: string }>): Promise<number> {
  const ctx = await createContext(input as CommandInput);
  const network = new Ec2Network({ region: ctx.env.region, profile: ctx.env.profile, env: ctx.processEnv });
  const report = await runDoctor(ctx, { instance: input.options.instance, network });
  for (const finding of report.findings) ctx.reporter.event({ type: 'finding', instance: report.instance.id, ...finding });
  ctx.reporter.data(renderFindings(report));
  const problems = report.findings.filter((f) => f.severity === 'problem').length;
  const where = `${report.instance.id} (${report.instance.role})`;
  if (problems) ctx.reporter.warn(`doctor found ${problems} problem${problems === 1 ? '' : 's'} on ${where}`);
  else ctx.reporter.info(`doctor found no problem on ${where}`);
  ctx.reporter.result({ ok: report.ok, environment: ctx.env.name, instance: report.instance, findings: report.findings });
  return report.ok ? 0 : 1;
}
