// `ydeploy deploy`: build and upload a release, start it beside the serving one, health-gate it,
// hand off, retire the old one.
import { defineCommand } from '../command.js';
import type { BuiltRelease, Context } from '../core/context.js';
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
      .option('--source <file|dir>', "the bot's entry module (or its project folder): overrides bot.entry")
      .option(
        '--dry-run',
        'build the release locally and show it, the plan and the steps that would run; change nothing',
      )
      .option('--resume', 'continue the interrupted deployment from the journal')
      .option('--skip-preflight', 'do not run preflight first')
      .option('--no-live-prices', 'price from the shipped table only; do not ask the AWS Price List API'),
  async run(input) {
    const { resume, dryRun, skipPreflight, livePrices } = input.options;
    const [
      { assertReleaseVersion },
      { deploy, deploySteps, freshDeploy },
      { openContext },
      { runPreflight },
      { flowResult, reportPlanCost },
      { flowCostOrNothing },
    ] = await Promise.all([
      import('../core/desired/state.js'),
      import('../core/flows/deploy.js'),
      import('../context.js'),
      import('../preflight/run.js'),
      import('../output/flow.js'),
      import('../cost/flow.js'),
    ]);
    if (input.options.release !== undefined) assertReleaseVersion(input.options.release, '--release', 'ydeploy deploy');
    // A run that will take the lock is refused first when another holds it (a dry run takes none).
    const ctx = await openContext(input, { terraform: true, lockFree: !dryRun });
    try {
      // A bot from --source brings no test suite of ydeploy's: its own run when bot.test names them.
      const skipTests = Boolean(input.options.source) && !ctx.env.bot?.test;
      const release = input.options.release ?? defaultRelease(ctx.clock.now());
      const { fleetRun } = await import('../core/flows/fleet.js');
      if (await fleetRun(ctx, 'deploy', Boolean(resume)))
        return await deployFleet(ctx, { release, resume, dryRun, skipPreflight, skipTests, livePrices });
      let cost;
      if (!resume && !dryRun && !skipPreflight) {
        cost = await flowCostOrNothing(ctx, 'deploy', deploySteps, () => freshDeploy(ctx, { release }, 'deploy'), {
          livePrices,
        });
        await runPreflight(ctx, { skipTests, ...(cost ? { plannedCost: cost } : {}) });
      }
      const built = dryRun && !resume ? await showBundle(ctx, release) : undefined;
      try {
        const result = await deploy(ctx, { release, resume, dryRun, ...(built ? { built } : {}) });
        cost ??= await flowCostOrNothing(ctx, 'deploy', deploySteps, result.state, { livePrices });
        reportPlanCost(ctx.reporter, cost, Boolean(dryRun));
        if (!dryRun) {
          ctx.reporter.info(`deployed ${result.state.release} to ${ctx.env.name}: ${result.state.newId ?? ''} serves`);
          ctx.reporter.info(`next: ydeploy monitor --env ${ctx.env.name} --duration 24h`);
        }
        const bundle = built ? { bundle: (await import('../release/summary.js')).bundleSummary(built) } : {};
        ctx.reporter.result({ ...flowResult(result, ctx.env.name), ...bundle, ...(cost ? { cost } : {}) });
        return 0;
      } finally {
        if (built) await (await import('node:fs/promises')).rm(built.dir, { recursive: true, force: true });
      }
    } finally {
      await ctx.dispose();
    }
  },
});

/** A sharded fleet's deploy: preflight, then the rolling deploy group by group. */
async function deployFleet(
  ctx: Context,
  options: {
    release: string;
    resume?: boolean;
    dryRun?: boolean;
    skipPreflight?: boolean;
    skipTests: boolean;
    livePrices?: boolean;
  },
): Promise<number> {
  const [{ fleetDeploy }, { runPreflight }, { flowResult, reportPlanCost }, { flowCostOrNothing }] = await Promise.all([
    import('../core/flows/fleet.js'),
    import('../preflight/run.js'),
    import('../output/flow.js'),
    import('../cost/flow.js'),
  ]);
  const { release, resume, dryRun } = options;
  if (!resume && !dryRun && !options.skipPreflight) await runPreflight(ctx, { skipTests: options.skipTests });
  const built = dryRun && !resume ? await showBundle(ctx, release) : undefined;
  try {
    const result = await fleetDeploy(ctx, { release, resume, dryRun, ...(built ? { built } : {}) });
    const cost = await flowCostOrNothing(ctx, 'deploy', result.steps, result.state, { livePrices: options.livePrices });
    reportPlanCost(ctx.reporter, cost, Boolean(dryRun));
    if (!dryRun) {
      const groups = result.state.groups.length;
      ctx.reporter.info(
        `deployed ${result.state.release} to ${ctx.env.name}: it serves all ${groups} shard group${groups > 1 ? 's' : ''}`,
      );
      ctx.reporter.info(`next: ydeploy monitor --env ${ctx.env.name} --duration 24h`);
    }
    const bundle = built ? { bundle: (await import('../release/summary.js')).bundleSummary(built) } : {};
    ctx.reporter.result({ ...flowResult(result, ctx.env.name), ...bundle, ...(cost ? { cost } : {}) });
    return 0;
  } finally {
    if (built) await (await import('node:fs/promises')).rm(built.dir, { recursive: true, force: true });
  }
}

/** --dry-run: the release built locally (nothing uploaded), and what it holds. */
async function showBundle(ctx: Context, release: string): Promise<BuiltRelease> {
  if (!ctx.publisher) throw new Error('deploy needs a release publisher');
  const { bundleLines, bundleSummary } = await import('../release/summary.js');
  const handle = ctx.reporter.step(`Build release ${release} locally`, { step: 'build' });
  try {
    const built = await ctx.publisher.build(release, ctx.signal);
    handle.succeed();
    ctx.reporter.data(bundleLines(bundleSummary(built), release).join('\n'));
    return built;
  } catch (error) {
    handle.fail((error as Error).message.split('\n')[0]);
    throw error;
  }
}

/** <package version>-<yyyymmddHHMMss> (UTC): sortable, unique per second, valid as a terraform release_version. */
export function defaultRelease(now: number): string {
  return `${VERSION}-${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}`;
}
