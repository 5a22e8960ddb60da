// `doctor`: pick the instance, run the troubleshooting script on it through SSM while reading
// the network from the EC2 API, then explain every finding with its likely fix.
import type { Context } from '../core/context.js';
import { loadDesired } from '../core/desired/state.js';
import { isLive, servingInstance } from '../core/instances.js';
import { ExitCode, UsageError, UserError } from '../errors.js';
import { parseSelector } from '../inspect/targets.js';
import type { Instance } from '../ports.js';
import { parseProbes, probes, script } from './probes.js';
import { diagnose, type Finding } from './rules.js';
import type { DoctorFacts, NetworkFacts } from './facts.js';

export interface DoctorOptions {
  /** Instance id, or legacy / enhanced; default the serving one. */
  instance?: string;
}

export interface DoctorReport {
  ok: boolean;
  instance: Pick<Instance, 'id' | 'kind' | 'state' | 'release' | 'privateSubnet' | 'privateIp'>;
  findings: Finding[];
}

export type DoctorContext = Pick<Context, 'env' | 'reporter' | 'instances' | 'remote' | 'network' | 'store' | 'signal'>;

export async function runDoctor(ctx: DoctorContext, options: DoctorOptions): Promise<DoctorReport> {
  const instance = await pickInstance(ctx, options.instance);
  const [remote, network] = await Promise.all([onInstance(ctx, instance), fromApi(ctx, instance)]);
  const facts: DoctorFacts = {
    instance,
    healthPort: ctx.env.health.port,
    sandbox: ctx.env.sandbox,
    ...remote,
    ...network,
  };
  const findings = diagnose(facts);
  const { id, kind, state, release, privateSubnet, privateIp } = instance;
  return {
    ok: !findings.some((f) => f.severity === 'problem'),
    instance: { id, kind, state, release, privateSubnet, privateIp },
    findings,
  };
}

async function pickInstance(ctx: DoctorContext, wanted: string | undefined): Promise<Instance> {
  const selector = parseSelector(wanted);
  const all = await ctx.instances.list(ctx.env.name);
  const fix = `ydeploy status --env ${ctx.env.name}`;
  if (selector.by === 'id') {
    const found = all.find((i) => i.id === selector.id) ?? (await ctx.instances.describe([selector.id]))[0];
    if (!found)
      throw new UserError(`instance ${selector.id} not found`, `it is not a bot instance of ${ctx.env.name}`, { fix });
    // describe finds any instance of the account: one of another environment (or none) would
    // be diagnosed against this environment's settings, and its findings read as this one's.
    if (found.environment !== ctx.env.name)
      throw new UsageError(
        `instance ${found.id} is not in ${ctx.env.name}`,
        found.environment
          ? `it belongs to environment ${found.environment}`
          : 'it has no Environment tag (not a ydeploy bot instance)',
        { fix: found.environment ? `ydeploy doctor --instance ${found.id} --env ${found.environment}` : fix },
      );
    return found;
  }
  const pick =
    selector.by === 'kind'
      ? all.find((i) => isLive(i) && i.kind === selector.kind)
      : servingInstance(all, await loadDesired(ctx));
  if (!pick) {
    const what = selector.by === 'kind' ? `no running ${selector.kind} instance` : 'no running bot instance';
    const seen = all.map((i) => `${i.id} (${i.kind}, ${i.state})`).join(', ');
    throw new UserError(`${what} in ${ctx.env.name}`, all.length ? `instances: ${seen}` : 'nothing is deployed', {
      code: ExitCode.failed,
      fix,
    });
  }
  return pick;
}

async function onInstance(
  ctx: DoctorContext,
  instance: Instance,
): Promise<Pick<DoctorFacts, 'probes' | 'remoteError'>> {
  const api = ctx.env.discordApi;
  const host = new URL(api).hostname;
  const dnsNames = ctx.env.sandbox || host !== 'discord.com' ? [host] : [host, 'gateway.discord.gg'];
  const step = ctx.reporter.step(`Troubleshooting on ${instance.id} (${instance.kind}) through SSM`);
  try {
    const result = await ctx.remote.run(instance.id, script(probes({ discordApi: api, dnsNames })), {
      timeoutSeconds: 60,
      comment: 'ydeploy doctor',
      signal: ctx.signal,
    });
    const parsed = parseProbes(result.stdout);
    if (!parsed.size) {
      const why = `SSM command ${result.status} (exit ${result.exitCode})${result.stderr ? `: ${result.stderr.trim().split('\n').slice(-1)[0]}` : ''}`;
      step.fail(why);
      return { probes: parsed, remoteError: why };
    }
    step.succeed(`${parsed.size} probes`);
    return { probes: parsed };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const why = (error as Error).message;
    step.fail(why);
    return { probes: new Map(), remoteError: why };
  }
}

async function fromApi(ctx: DoctorContext, instance: Instance): Promise<Pick<DoctorFacts, 'net' | 'networkError'>> {
  const step = ctx.reporter.step('Network: NAT gateway, route table, security groups');
  try {
    const api = ctx.network;
    const network = await api.ofInstance(instance.id);
    if (!network) throw new Error(`${instance.id} has no VPC or subnet`);
    const [natGateways, routeTable, securityGroups] = await Promise.all([
      api.natGateways(network.vpcId),
      api.routeTable(network.subnetId, network.vpcId),
      api.securityGroups(network.securityGroupIds),
    ]);
    const net: NetworkFacts = { network, natGateways, routeTable, securityGroups };
    step.succeed(`${network.vpcId}, ${network.subnetId}`);
    return { net };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    step.fail((error as Error).message);
    return { networkError: (error as Error).message };
  }
}
