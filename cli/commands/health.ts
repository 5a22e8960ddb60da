// ydeploy health [--instance id|legacy|enhanced] [--wait] [--timeout 10m]
// Exit 0 when every selected instance is healthy, 4 otherwise (or when there is none).
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'health',
  description: 'probe /health of one or all instances through SSM',
  examples: ['ydeploy health --env production', 'ydeploy health --instance enhanced --wait'],
  options: (cmd) =>
    cmd
      .option('--instance <id|role>', 'instance id, or legacy / enhanced (default: all)')
      .option('--wait', 'keep probing until healthy or the gate timeout')
      .option('--timeout <duration>', 'with --wait: give up after this long'),
  async run(input) {
    const [{ openContext }, { ExitCode }, { isHealthy, probeInstances, waitHealthy }, targets, { parseDuration }] =
      await Promise.all([
        import('../context.js'),
        import('../errors.js'),
        import('../inspect/health.js'),
        import('../inspect/targets.js'),
        import('../inspect/options.js'),
      ]);
    const [{ dataPaint }, { renderHealth }] = await Promise.all([
      import('../output/logline.js'),
      import('../output/table.js'),
    ]);
    const selector = targets.parseSelector(input.options.instance);
    const timeoutFlag = input.options.timeout;
    // Read before any AWS call; an empty --timeout "" is refused, not taken for "not given".
    const timeoutFlagMs =
      timeoutFlag === undefined ? undefined : parseDuration('--timeout', timeoutFlag, 'health --wait');
    const ctx = await openContext(input);
    const { reporter } = ctx;
    const timeoutMs = timeoutFlagMs ?? ctx.env.health.gateTimeout;
    let probes;
    if (input.options.wait) {
      const what = `${targets.describeSelector(selector)}s of ${ctx.env.name}`;
      const step = reporter.step(`waiting for ${what} to be healthy`, { timeoutMs });
      const waited = await waitHealthy(ctx, selector, { timeoutMs, progress: (states) => step.update(states) });
      if (waited.healthy) step.succeed(waited.states);
      else step.fail(`still ${waited.states} after ${Math.round(timeoutMs / 1000)}s`);
      probes = waited.probes;
    } else {
      const all = await ctx.instances.list(ctx.env.name);
      const chosen = targets.select(all, selector, ctx.env.name, ExitCode.healthGate);
      const many = `${chosen.length} instance${chosen.length === 1 ? '' : 's'}`;
      const step = reporter.json ? undefined : reporter.step(`probing /health of ${many} through SSM`);
      probes = await probeInstances(ctx, chosen);
      step?.[probes.every(isHealthy) ? 'succeed' : 'fail']();
    }
    const healthy = probes.length > 0 && probes.every(isHealthy);
    const p = dataPaint({ color: input.globals.color, env: input.env, interactive: reporter.interactive });
    if (probes.length) reporter.data(renderHealth(probes, p));
    reporter.result({ healthy, instances: probes });
    if (healthy) return ExitCode.ok;
    const env = ctx.env.name;
    for (const probe of probes.filter((x) => !isHealthy(x))) {
      const why = probe.reason ? `: ${probe.reason}` : '';
      const logs = `ydeploy logs --env ${env} --instance ${probe.instanceId} --since 15m`;
      reporter.warn(`${probe.kind} ${probe.instanceId} is ${probe.state}${why} (see: ${logs})`);
    }
    if (!probes.length) {
      reporter.warn(`no running ${targets.describeSelector(selector)} in ${env} (see: ydeploy status --env ${env})`);
    }
    return ExitCode.healthGate;
  },
});
