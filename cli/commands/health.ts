// ydeploy health [--instance id|legacy|enhanced | --shard N | --group s0-1of4] [--wait] [--timeout 10m]
// Exit 0 when every selected instance is healthy (and, on a sharded fleet, every selected active
// shard group has one), 4 otherwise (or when there is none).
import { defineCommand } from '../command.js';
import type { Instance } from '../ports.js';

export default defineCommand({
  name: 'health',
  description: 'probe /health of one or all instances through SSM',
  examples: [
    'ydeploy health --env production',
    'ydeploy health --instance enhanced --wait',
    'ydeploy health --shard 5 --env production',
  ],
  options: (cmd) =>
    cmd
      .option('--instance <id|role>', 'instance id, or legacy / enhanced (default: all)')
      .option('--shard <id>', "a sharded fleet: the instances running this shard (the desired state's groups)")
      .option('--group <name>', 'a sharded fleet: the instances of this shard group (s0-1of4)')
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
    const [{ dataPaint }, { renderHealth }, { loadDesired }, { runsFleet }, shardTargets] = await Promise.all([
      import('../output/logline.js'),
      import('../output/table.js'),
      import('../core/desired/state.js'),
      import('../core/fleet.js'),
      import('../inspect/shard-targets.js'),
    ]);
    let selector = targets.parseSelector(input.options.instance);
    const shardFlags = shardTargets.readShardFlags(input.options, 'health');
    const timeoutFlag = input.options.timeout;
    // Read before any AWS call; an empty --timeout "" is refused, not taken for "not given".
    const timeoutFlagMs =
      timeoutFlag === undefined ? undefined : parseDuration('--timeout', timeoutFlag, 'health --wait');
    const ctx = await openContext(input);
    const { reporter } = ctx;
    const env = ctx.env.name;
    // The desired state's shard groups: what --shard and --group pick from, and the groups that
    // should have an instance. Unreadable, it only matters when --shard or --group needs it.
    const desired = await loadDesired(ctx).catch((error: unknown) => {
      if (shardFlags) throw error;
      reporter.debug(`desired state not read: ${(error as Error).message}`);
      return undefined;
    });
    if (shardFlags) selector = shardTargets.shardSelector(desired, shardFlags, env, 'health');
    const timeoutMs = timeoutFlagMs ?? ctx.env.health.gateTimeout;
    let probes;
    let listed: Instance[] | undefined;
    if (input.options.wait) {
      const what = `${targets.describeSelection(selector)} of ${env}`;
      const step = reporter.step(`waiting for ${what} to be healthy`, { timeoutMs });
      const waited = await waitHealthy(ctx, selector, { timeoutMs, progress: (states) => step.update(states) });
      if (waited.healthy) step.succeed(waited.states);
      else step.fail(`still ${waited.states} after ${Math.round(timeoutMs / 1000)}s`);
      probes = waited.probes;
    } else {
      listed = await ctx.instances.list(env);
      const chosen = targets.select(listed, selector, env, ExitCode.healthGate);
      const many = `${chosen.length} instance${chosen.length === 1 ? '' : 's'}`;
      const step = reporter.json ? undefined : reporter.step(`probing /health of ${many} through SSM`);
      probes = await probeInstances(ctx, chosen);
      step?.[probes.every(isHealthy) ? 'succeed' : 'fail']();
    }
    // An active group with no instance leaves its shards unanswered; a standby one (a rollout's
    // next group, not launched yet) is only worth a word.
    const missing = runsFleet(desired)
      ? shardTargets.groupsWithoutInstance(desired, listed ?? (await ctx.instances.list(env)), selector)
      : [];
    const unserved = missing.filter((g) => g.role === 'active');
    const healthy = probes.length > 0 && probes.every(isHealthy) && !unserved.length;
    const p = dataPaint({ color: input.globals.color, env: input.env, interactive: reporter.interactive });
    if (probes.length) reporter.data(renderHealth(probes, p));
    reporter.result({ healthy, instances: probes, ...(missing.length ? { missingGroups: missing } : {}) });
    for (const g of missing.filter((x) => x.role !== 'active'))
      reporter.info(`shard group ${g.name} (${g.release}, ${g.role}) has no live instance yet`);
    if (healthy) return ExitCode.ok;
    for (const probe of probes.filter((x) => !isHealthy(x))) {
      const why = probe.reason ? `: ${probe.reason}` : '';
      const logs = `ydeploy logs --env ${env} --instance ${probe.instanceId} --since 15m`;
      const group = probe.group ? ` (${probe.group})` : '';
      reporter.warn(`${probe.kind} ${probe.instanceId}${group} is ${probe.state}${why} (see: ${logs})`);
    }
    for (const g of unserved)
      reporter.warn(
        `shard group ${g.name} (${g.release}, ${g.role}) has no live instance: its shards are not served (see: ydeploy status --env ${env})`,
      );
    if (!probes.length && !unserved.length) {
      reporter.warn(`no running ${targets.describeSelector(selector)} in ${env} (see: ydeploy status --env ${env})`);
    }
    return ExitCode.healthGate;
  },
});
