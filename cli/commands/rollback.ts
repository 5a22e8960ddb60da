// `ydeploy rollback`: planned (legacy + public subnet, verified, then enhanced removed),
// --emergency (legacy back now, enhanced kept), or --to <release> (an earlier enhanced release).
import { defineCommand } from '../command.js';
import type { listJournal } from '../core/journal/journal.js';

export default defineCommand({
  name: 'rollback',
  description: 'roll back: planned (legacy + public subnet, then enhanced removed) or --emergency',
  examples: [
    'ydeploy rollback --emergency --env production',
    'ydeploy rollback --env production',
    'ydeploy rollback --to v1 --env production',
  ],
  options: (cmd) =>
    cmd
      .option('--emergency', 'legacy back now; enhanced kept running for investigation')
      .option('--destroy-enhanced', 'with --emergency: also remove enhanced once legacy is healthy')
      .option('--to <release>', 'roll enhanced back to an earlier release (after a deploy)')
      .option('--dry-run', 'show what would run; change nothing')
      .option('--resume', 'continue the interrupted rollback from the journal'),
  async run(input) {
    const { emergency, destroyEnhanced, to, dryRun, resume } = input.options;
    const [{ UsageError }, { assertReleaseVersion }, { deploy }, { rollback }, { orchestration, summarize }] =
      await Promise.all([
        import('../errors.js'),
        import('../core/desired/state.js'),
        import('../core/flows/deploy.js'),
        import('../core/flows/rollback.js'),
        import('./_orchestrate.js'),
      ]);
    if (to && (emergency || destroyEnhanced)) {
      throw new UsageError(
        '--to does not go with --emergency or --destroy-enhanced',
        '--to rolls enhanced back to an earlier release; the others bring legacy back',
        { fix: 'ydeploy rollback --to <release>, or ydeploy rollback --emergency' },
      );
    }
    if (to !== undefined) assertReleaseVersion(to, '--to', 'ydeploy rollback');
    if (destroyEnhanced && !emergency)
      throw new UsageError('--destroy-enhanced needs --emergency', 'a planned rollback always removes enhanced', {
        fix: 'ydeploy rollback --emergency --destroy-enhanced',
      });
    const o = await orchestration(input, { terraform: true });
    try {
      const release = to ?? (resume ? await resumedRelease(o.core) : undefined);
      const result = release
        ? await deploy(o.core, { release, existing: true, command: 'rollback', resume, dryRun })
        : await rollback(o.core, { emergency, destroyEnhanced, resume, dryRun });
      if (!dryRun)
        o.core.reporter.info(
          release
            ? `rolled ${o.core.env.name} back to ${release}`
            : `legacy serves ${o.core.env.name} again${emergency && !destroyEnhanced ? '; enhanced kept for investigation (ydeploy doctor --instance enhanced)' : ''}`,
        );
      o.core.reporter.result(summarize(result, o.core.env.name));
      return 0;
    } finally {
      await o.dispose();
    }
  },
});

/** A resumed `rollback --to` continues as the release rollout it was. */
async function resumedRelease(core: Parameters<typeof listJournal>[0]): Promise<string | undefined> {
  const { listJournal } = await import('../core/journal/journal.js');
  const [last] = await listJournal(core, 1, 'rollback');
  const release = last?.state.release;
  return typeof release === 'string' ? release : undefined;
}
