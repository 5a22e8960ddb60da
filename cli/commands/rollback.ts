// `ydeploy rollback`: planned (legacy + public subnet, verified, then enhanced removed),
// --emergency (legacy back now, enhanced kept), or --to <release> (an earlier enhanced release).
import type { CommandInput } from '../command.js';
import { UsageError } from '../errors.js';
import { assertReleaseVersion } from '../core/desired/state.js';
import { deploy } from '../core/flows/deploy.js';
import { rollback } from '../core/flows/rollback.js';
import { listJournal } from '../core/journal/journal.js';
import { orchestration, summarize } from './_orchestrate.js';

interface Options {
  emergency?: boolean;
  destroyEnhanced?: boolean;
  to?: string;
  dryRun?: boolean;
  resume?: boolean;
}

export async function run(input: CommandInput<Options>): Promise<number> {
  const { emergency, destroyEnhanced, to, dryRun, resume } = input.options;
  if (to && (emergency || destroyEnhanced)) {
    throw new UsageError('--to does not go with --emergency or --destroy-enhanced', '--to rolls enhanced back to an earlier release; the others bring legacy back', { fix: 'ydeploy rollback --to <release>, or ydeploy rollback --emergency' });
  }
  if (to !== undefined) assertReleaseVersion(to, '--to', 'ydeploy rollback');
  if (destroyEnhanced && !emergency) throw new UsageError('--destroy-enhanced needs --emergency', 'a planned rollback always removes enhanced', { fix: 'ydeploy rollback --emergency --destroy-enhanced' });
  const o = await orchestration(input as CommandInput, { terraform: true });
  try {
    const release = to ?? (resume ? await resumedRelease(o.core) : undefined);
    const result = release
      ? await deploy(o.core, { release, existing: true, command: 'rollback', resume, dryRun })
      : await rollback(o.core, { emergency, destroyEnhanced, resume, dryRun });
    if (!dryRun) o.core.reporter.info(release ? `rolled ${o.core.env.name} back to ${release}` : `legacy serves ${o.core.env.name} again${emergency && !destroyEnhanced ? '; enhanced kept for investigation (ydeploy doctor --instance enhanced)' : ''}`);
    o.core.reporter.result(summarize(result, o.core.env.name));
    return 0;
  } finally {
    await o.dispose();
  }
}

/** A resumed `rollback --to` continues as the release rollout it was. */
async function resumedRelease(core: Parameters<typeof listJournal>[0]): Promise<string | undefined> {
  const [last] = await listJournal(core, 1, 'rollback');
  const release = last?.state.release;
  return typeof release === 'string' ? release : undefined;
}
