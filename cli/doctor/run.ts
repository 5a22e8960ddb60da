// `doctor`: pick the instance, run the troubleshooting script on it through SSM while reading
// the network from the EC2 API, then explain every finding with its likely fix.
import type { Context } from '../context.js';
import { UserError } from '../errors.js';
import type { Instance, Network } from '../ports.js';
import { parseProbes, probes, script } from './probes.js';
import { diagnose, type Finding } from './rules.js';
import type { DoctorFacts, NetworkFacts } from './facts.js';

export interface DoctorOptions {
  /** Instance id, or legacy / enhanced; default the serving one. */
  instance?: string;
  network: Network;
}

export interface DoctorReport {
  ok: boolean;
  instance: Pick<Instance, 'id' | 'role' | 'state' | 'release' | 'privateSubnet' | 'privateIp'>;
  findings: Finding[];
}

export type DoctorContext = Pick<Context, 'env' | 'reporter' | 'processEnv' | 'ports' | 'signal'>;

export async function runDoctor(ctx: DoctorContext, options: DoctorOptions): Promise<DoctorReport> {
  const instance = await pickInstance(ctx, options.instance);
  const [remote, network] = await Promise.all([onInstance(ctx, instance), fromApi(ctx, instance, options.network)]);
  const facts: DoctorFacts = { instance, healthPort: ctx.env.health.port, sandbox: ctx.env.sandbox, ...remote, ...network };
  const findings = diagnose(facts);
  const { id, role, state, release, privateSubnet, privateIp } = instance;
  return { ok: !findings.some((f) => f.severity === 'problem'), instance: { id, role, state, release, privateSubnet, privateIp }, findings };
}

async function pickInstance(ctx: DoctorContext, wanted: string | undefined): Promise<Instance> {
  const all = await ctx.ports.instances.list(ctx.env.name);
  const fix = `ydeploy status --env ${ctx.env.name}`;
  if (wanted?.startsWith('i-')) {
    const found = all.find((i) => i.id === wanted) ?? (await ctx.ports.instances.describe([wanted]))[0];
    if (!found) throw new UserError(`instance ${wanted} not found`, `it is not a bot instance of ${ctx.env.name}`, { fix });
    return found;
  }
  if (wanted && wanted !== 'legacy' && wanted !== 'enhanced') {
    throw new UserError(`--instance ${wanted} is not an instance`, 'give an instance id (i-...), legacy or enhanced', { code: 2, fix: `ydeploy doctor --instance enhanced --env ${ctx.env.name}` });
  }
  const running = all.filter((i) => i.state === 'running' || i.state === 'pending');
  // The serving instance: the oldest enhanced one (a newer one is a candidate), else legacy.
  const pick = wanted ? running.find((i) => i.role === wanted) : (running.find((i) => i.role === 'enhanced') ?? running.find((i) => i.role === 'legacy'));
  if (!pick) {
    const what = wanted ? `no running ${wanted} instance` : 'no running bot instance';
    throw new UserError(`${what} in ${ctx.env.name}`, all.length ? `instances: ${all.map((i) => `${i.id} (${i.role}, ${i.state})`).join(', ')}` : 'nothing is deployed', { fix });
  }
  return pick;
}

async function onInstance(ctx: DoctorContext, instance: Instance): Promise<Pick<DoctorFacts, 'probes' | 'remoteError'>> {
  const api = ctx.env.discordApi;
  const host = new URL(api).hostname;
  const dnsNames = ctx.env.sandbox || host !== 'discord.com' ? [host] : [host, 'gateway.discord.gg'];
  const step = ctx.reporter.step(`Troubleshooting on ${instance.id} (${instance.role}) through SSM`);
  try {
    const result = await ctx.ports.remote.run(instance.id, script(probes({ discordApi: api, dnsNames })), { timeoutSeconds: 60, comment: 'ydeploy doctor', signal: ctx.signal });
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

async function fromApi(ctx: DoctorContext, instance: Instance, api: Network): Promise<Pick<DoctorFacts, 'net' | 'networkError'>> {
  const step = ctx.reporter.step('Network: NAT gateway, route table, security groups');
  try {
    const network = await api.ofInstance(instance.id);
    if (!network) throw new Error(`${instance.id} has no VPC or subnet`);
    const [natGateways, routeTable, securityGroups] = await Promise.all([api.natGateways(network.vpcId), api.routeTable(network.subnetId, network.vpcId), api.securityGroups(network.securityGroupIds)]);
    const net: NetworkFacts = { network, natGateways, routeTable, securityGroups };
    step.succeed(`${network.vpcId}, ${network.subnetId}`);
    return { net };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    step.fail((error as Error).message);
    return { networkError: (error as Error).message };
  }
}

const MARKS: Record<Finding['severity'], string> = { ok: '✔', warning: '⚠', problem: '✖', unknown: '?' };

/** The human report: one line per finding, then what it means and the fix. */
export function renderFindings(report: DoctorReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${MARKS[f.severity]} ${f.title}: ${f.detail}`);
    if (f.severity !== 'ok') {
      if (f.explanation) lines.push(`    why: ${f.explanation}`);
      if (f.fix) lines.push(`    → ${f.fix}`);
    }
  }
  return lines.join('\n');
}
