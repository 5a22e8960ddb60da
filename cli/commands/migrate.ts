// `ydeploy migrate`: legacy (public subnet) -> enhanced (private subnet), the guide's three steps.
import type { CommandInput } from '../command.js';
import { UsageError } from '../errors.js';
import { migrate } from '../core/flows/migrate.js';
import { orchestration, preflightFirst, summarize } from './_orchestrate.js';

interface Options {
  step?: string;
  resume?: boolean;
  dryRun?: boolean;
  skipPreflight?: boolean;
}

export async function run(input: CommandInput<Options>): Promise<number> {
  const { step, resume, dryRun, skipPreflight } = input.options;
  if (step && resume) throw new UsageError('--step and --resume do not go together', '--resume continues where the journal stopped', { fix: 'ydeploy migrate --resume' });
  const o = await orchestration(input as CommandInput, { terraform: true });
  try {
    if (!resume && !dryRun) await preflightFirst(o.context, { skip: skipPreflight, skipTests: true });
    const result = await migrate(o.core, { step: step ? Number(step) : undefined, resume, dryRun });
    const env = o.core.env.name;
    if (!dryRun && !step) {
      const gate = result.state.gate;
      o.core.reporter.info(`migrated ${env}: enhanced ${result.state.enhancedId ?? ''} serves from the private subnet${gate?.readinessSeconds !== undefined ? ` (launch ${gate.launchSeconds}s, ready ${gate.readinessSeconds}s)` : ''}`);
      o.core.reporter.info(`next: ydeploy monitor --env ${env} --duration 24h`);
    }
    o.core.reporter.result(summarize(result, env));
    return 0;
  } finally {
    await o.dispose();
  }
}
