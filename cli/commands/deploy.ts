// `ydeploy deploy`: build and upload a release, start it beside the serving one, health-gate it,
// hand off, retire the old one.
import { defineCommand } from '../command.js';
import { VERSION } from '../version.js';

export default defineCommand({
  name: 'deploy',
  description: 'ship new bot code: build, upload, start beside the serving bot, health-gate, hand off, retire the old',
  examples: [
    'ydeploy deploy --env production',
    'ydeploy deploy --env sandbox --release v2',
    'ydeploy deploy --env production --dry-run',
  ],
  options: (cmd) =>
    cmd
      .option('--release <version>', 'release version (default: package version + build time)')
      .option('--source <dir>', 'bot source directory to bundle (default: the bundled bot)')
      .option('--dry-run', 'show the plan and the steps that would run; change nothing')
      .option('--resume', 'continue the interrupted deployment from the journal')
      .option('--skip-preflight', 'do not run preflight first'),
  async run(input) {
    const { resume, dryRun, skipPreflight } = input.options;
    const [{ assertReleaseVersion }, { deploy }, { openContext }, { runPreflight }, { flowResult }] = await Promise.all(
      [
        import('../core/desired/state.js'),
        import('../core/flows/deploy.js'),
        import('../context.js'),
        import('../preflight/run.js'),
        import('../output/flow.js'),
      ],
    );
    if (input.options.release !== undefined) assertReleaseVersion(input.options.release, '--release', 'ydeploy deploy');
    const ctx = await openContext(input, { terraform: true });
    try {
      // A bot from --source brings no test suite of ydeploy's: its tests are its own to run.
      if (!resume && !dryRun && !skipPreflight) await runPreflight(ctx, { skipTests: Boolean(input.options.source) });
      const release = input.options.release ?? defaultRelease(ctx.clock.now());
      const result = await deploy(ctx, { release, resume, dryRun });
      if (!dryRun) {
        ctx.reporter.info(`deployed ${result.state.release} to ${ctx.env.name}: ${result.state.newId ?? ''} serves`);
        ctx.reporter.info(`next: ydeploy monitor --env ${ctx.env.name} --duration 24h`);
      }
      ctx.reporter.result(flowResult(result, ctx.env.name));
      return 0;
    } finally {
      await ctx.dispose();
    }
  },
});

/** <package version>-<yyyymmddHHMMss> (UTC): sortable, unique per second, valid as a terraform release_version. */
export function defaultRelease(now: number): string {
  return `${VERSION}-${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}`;
}
