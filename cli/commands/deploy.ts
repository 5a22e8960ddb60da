// `ydeploy deploy`: build and upload a release, start it beside the serving one, health-gate it,
// hand off, retire the old one.
import type { CommandInput } from '../command.js';
import { assertReleaseVersion } from '../core/desired/state.js';
import { deploy } from '../core/flows/deploy.js';
import { VERSION } from '../version.js';
import { orchestration, preflightFirst, summarize } from './_orchestrate.js';

interface Options {
  release?: string;
  source?: string;
  dryRun?: boolean;
  resume?: boolean;
  skipPreflight?: boolean;
}

export async function run(input: CommandInput<Options>): Promise<number> {
  const { resume, dryRun, skipPreflight } = input.options;
  if (input.options.release !== undefined) assertReleaseVersion(input.options.release, '--release', 'ydeploy deploy');
  const o = await orchestration(input as CommandInput, { terraform: true });
  try {
    if (!resume && !dryRun) await preflightFirst(o.context, { skip: skipPreflight, skipTests: Boolean(input.options.source) });
    const release = input.options.release ?? defaultRelease(o.core.clock.now());
    const result = await deploy(o.core, { release, resume, dryRun });
    if (!dryRun) {
      o.core.reporter.info(`deployed ${result.state.release} to ${o.core.env.name}: ${result.state.newId ?? ''} serves`);
      o.core.reporter.info(`next: ydeploy monitor --env ${o.core.env.name} --duration 24h`);
    }
    o.core.reporter.result(summarize(result, o.core.env.name));
    return 0;
  } finally {
    await o.dispose();
  }
}

/** <package version>-<yyyymmddHHMMss> (UTC): sortable, unique per second, valid as a terraform release_version. */
export function defaultRelease(now: number): string {
  return `${VERSION}-${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}`;
}
