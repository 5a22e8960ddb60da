// ydeploy health [--instance id|legacy|enhanced] [--wait] [--timeout 10m]
// Exit 0 when every selected instance is healthy, 4 otherwise (or when there is none).
import { defineCommand } from '../command.js';
import type { Context } from '../context.js';
import type { Instance } from '../ports.js';
import type { HealthProbe } from '../inspect/health.js';
import type { Selector } from '../inspect/targets.js';

/** One SSM round trip; real SSM takes a few seconds, so this is generous. */
const PROBE_TIMEOUT_MS = 15_000;

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
    const [{ createContext }, { ExitCode }, { isHealthy }, { parseSelector, describeSelector }, { parseDuration }] =
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
    const selector = parseSelector(input.options.instance);
    const timeoutFlag = input.options.timeout;
    const ctx = await createContext(input);
    const timeoutMs = timeoutFlag
      ? parseDuration('--timeout', timeoutFlag, 'health --wait')
      : ctx.env.health.gateTimeout;
    const probes = input.options.wait ? await waitHealthy(ctx, selector, timeoutMs) : await probeOnce(ctx, selector);
    const healthy = probes.length > 0 && probes.every(isHealthy);
    const p = dataPaint({ color: input.globals.color, env: input.env, interactive: ctx.reporter.interactive });
    if (probes.length) ctx.reporter.data(renderHealth(probes, p));
    ctx.reporter.result({ healthy, instances: probes });
    if (healthy) return ExitCode.ok;
    for (const probe of probes.filter((x) => !isHealthy(x))) {
      ctx.reporter.warn(
        `${probe.role} ${probe.instanceId} is ${probe.state}${probe.reason ? `: ${probe.reason}` : ''} (see: ydeploy logs --env ${ctx.env.name} --instance ${probe.instanceId} --since 15m)`,
      );
    }
    if (!probes.length)
      ctx.reporter.warn(
        `no running ${describeSelector(selector)} in ${ctx.env.name} (see: ydeploy status --env ${ctx.env.name})`,
      );
    return ExitCode.healthGate;
  },
});

async function probe(ctx: Context, chosen: Instance[]): Promise<HealthProbe[]> {
  const { probeAll } = await import('../inspect/health.js');
  const { port, path } = ctx.env.health;
  const running = chosen.filter((i) => i.state === 'running');
  const probes = await probeAll(ctx.ports.remote, running, {
    port,
    path,
    timeoutMs: PROBE_TIMEOUT_MS,
    signal: ctx.signal,
    now: ctx.ports.clock.now,
  });
  const now = ctx.ports.clock.now();
  const idle = chosen
    .filter((i) => i.state !== 'running')
    .map((i): HealthProbe => ({
      instanceId: i.id,
      role: i.role,
      state: 'unreachable',
      reason: `instance is ${i.state}`,
      latencyMs: 0,
      at: now,
    }));
  return [...probes, ...idle];
}

async function probeOnce(ctx: Context, selector: Selector): Promise<HealthProbe[]> {
  const [{ ExitCode }, { isHealthy }, { select }] = await Promise.all([
    import('../errors.js'),
    import('../inspect/health.js'),
    import('../inspect/targets.js'),
  ]);
  const chosen = select(await ctx.ports.instances.list(ctx.env.name), selector, ctx.env.name, ExitCode.healthGate);
  const step = ctx.reporter.json
    ? undefined
    : ctx.reporter.step(`probing /health of ${chosen.length} instance${chosen.length === 1 ? '' : 's'} through SSM`);
  const probes = await probe(ctx, chosen);
  step?.[probes.every(isHealthy) ? 'succeed' : 'fail']();
  return probes;
}

/** Probe every poll interval until all are healthy or the timeout; new instances join in. */
async function waitHealthy(ctx: Context, selector: Selector, timeoutMs: number): Promise<HealthProbe[]> {
  const [{ isHealthy }, { matches, describeSelector }] = await Promise.all([
    import('../inspect/health.js'),
    import('../inspect/targets.js'),
  ]);
  const { clock } = ctx.ports;
  const deadline = clock.now() + timeoutMs;
  const step = ctx.reporter.step(`waiting for ${describeSelector(selector)}s of ${ctx.env.name} to be healthy`, {
    timeoutMs,
  });
  let probes: HealthProbe[] = [];
  for (;;) {
    const chosen = (await ctx.ports.instances.list(ctx.env.name)).filter((i) => matches(selector, i));
    probes = await probe(ctx, chosen);
    const states = probes.map((x) => `${x.role} ${x.state}`).join(', ') || 'no instance yet';
    if (probes.length && probes.every(isHealthy)) {
      step.succeed(states);
      return probes;
    }
    if (clock.now() >= deadline) {
      step.fail(`still ${states} after ${Math.round(timeoutMs / 1000)}s`);
      return probes;
    }
    step.update(states);
    await clock.sleep(Math.min(ctx.env.health.pollInterval, Math.max(0, deadline - clock.now())), ctx.signal);
  }
}
