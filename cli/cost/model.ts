// The monthly estimate of what the terraform module runs, as lines a human checks by hand:
// quantity × unit price = monthly. Pure: the caller says what runs (shape.ts), how much data
// flows (measure.ts) and what things cost (prices.ts). A price the table does not hold makes
// its line "unpriced" and the total says it leaves that line out; nothing is guessed.
import type { PriceTable, RegionPrices } from './prices.js';

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export type NatChoice = 'gateway' | 'instance';

/** The network's cost-relevant settings (network.* in the config; defaults when absent). */
export interface NetworkChoice {
  nat: NatChoice;
  natInstanceType: string;
  /** Interface endpoints (ssm, ssmmessages, ec2messages, logs, …), one per availability zone each. */
  interfaceEndpoints: string[];
}

export const DEFAULT_NETWORK: NetworkChoice = { nat: 'gateway', natInstanceType: 't4g.nano', interfaceEndpoints: [] };

export interface BotInstance {
  kind: 'legacy' | 'enhanced';
  /** "legacy", "enhanced v2", …: how the line names it. */
  label: string;
  /** In the public subnet: the subnet gives it a public IPv4 address. */
  publicIp: boolean;
}

/** A data volume per month and where the figure comes from. */
export interface Volume {
  gb: number;
  /** "measured over 14 days" or "assumed: 1 GB/month". */
  basis: string;
}

export interface Volumes {
  /** Ingested into the bot/health log group. */
  botLogs: Volume;
  /** VPC flow logs ingested. */
  flowLogs: Volume;
  /** Stored in both log groups at steady state (GB-months). */
  storedLogs: Volume;
  /** Processed by the NAT (both directions). */
  nat: Volume;
}

export interface CostInput {
  region: string;
  instanceType: string;
  instances: BotInstance[];
  /** Root volume of each instance (terraform/compute.tf: gp3, 8 GB). */
  volumeGb: number;
  availabilityZones: number;
  logRetentionDays: number;
  network?: Partial<NetworkChoice>;
  volumes: Volumes;
}

export interface CostLine {
  id: string;
  item: string;
  quantity: number;
  unit: string;
  /** USD per unit; null: unpriced. */
  unitPrice: number | null;
  /** USD per month; null: unpriced. */
  monthly: number | null;
  /** Where the quantity comes from, when it is not fixed by the module. */
  basis?: string;
  note?: string;
  /** Where the unit price comes from: "AWS Price List API, <date>" or "shipped table (dated <date>)". */
  price?: string;
}

export interface CostEstimate {
  region: string;
  currency: 'USD';
  lines: CostLine[];
  /** Sum of the priced lines. */
  total: number;
  /** Items of the lines the total leaves out. */
  unpriced: string[];
  priceOrigin?: string;
  notes: string[];
}

/** Assumed volumes when nothing was measured: a small bot, stated on every line that uses them. */
export function assumedVolumes(logRetentionDays: number): Volumes {
  const botLogs = 1;
  const flowLogs = 1;
  const stored = round(((botLogs + flowLogs) * Math.min(logRetentionDays, 3650)) / DAYS_PER_MONTH, 4);
  return {
    botLogs: { gb: botLogs, basis: 'assumed: 1 GB/month' },
    flowLogs: { gb: flowLogs, basis: 'assumed: 1 GB/month' },
    storedLogs: { gb: stored, basis: `assumed: 2 GB/month kept ${logRetentionDays} days` },
    nat: { gb: 5, basis: 'assumed: 5 GB/month' },
  };
}

export function resolveNetwork(input: Pick<CostInput, 'network'>): NetworkChoice {
  return { ...DEFAULT_NETWORK, ...input.network };
}

/** Which of a table's prices were read live from the AWS Price List API (cost/live.ts). */
export interface LiveOrigin {
  region: string;
  /** The day they were read. */
  asOf: string;
  /** "instanceHour:t3.micro", "natGatewayHour", …: the table's keys the API priced. */
  keys: string[];
}

/** Every line of the month, priced from `table` for `input.region`; `live` names the prices read live. */
export function estimate(input: CostInput, table: PriceTable, live?: LiveOrigin): CostEstimate {
  const prices: RegionPrices | undefined = table.regions[input.region];
  const network = resolveNetwork(input);
  const lines: CostLine[] = [];
  const liveKeys = new Set(live && live.region === input.region ? live.keys : []);
  const add = ({ key, ...line }: Omit<CostLine, 'monthly'> & { key?: string }) =>
    lines.push({
      ...line,
      monthly: line.unitPrice === null ? null : round(line.quantity * line.unitPrice, 4),
      ...(key && line.unitPrice !== null
        ? { price: liveKeys.has(key) ? `AWS Price List API, ${live!.asOf}` : `shipped table (dated ${table.asOf})` }
        : {}),
    });
  // A unit price and the table key it came from, so the line can say where its price is from.
  const p = (key: Exclude<keyof RegionPrices, 'instanceHour'>) => ({ unitPrice: prices?.[key] ?? null, key });
  const instanceHour = (type: string) => ({
    unitPrice: prices?.instanceHour[type] ?? null,
    key: `instanceHour:${type}`,
  });

  for (const instance of input.instances) {
    add({
      id: `instance:${instance.label}`,
      item: `EC2 ${input.instanceType} (${instance.label})`,
      quantity: HOURS_PER_MONTH,
      unit: 'hour',
      ...instanceHour(input.instanceType),
    });
  }
  const volumes = input.instances.length + (network.nat === 'instance' ? 1 : 0);
  if (volumes)
    add({
      id: 'ebs',
      item: `EBS gp3 root volumes (${volumes} × ${input.volumeGb} GB)`,
      quantity: volumes * input.volumeGb,
      unit: 'GB-month',
      ...p('ebsGp3GbMonth'),
    });

  // The bot's logs reach CloudWatch through the logs interface endpoint instead of the NAT, so
  // their volume leaves the NAT's processed data (the endpoint charges its own, smaller rate).
  const viaLogsEndpoint = network.interfaceEndpoints.includes('logs') ? input.volumes.botLogs.gb : 0;
  const natGb = Math.max(0, input.volumes.nat.gb - viaLogsEndpoint);
  if (network.nat === 'gateway') {
    add({
      id: 'nat-hours',
      item: 'NAT gateway',
      quantity: HOURS_PER_MONTH,
      unit: 'hour',
      ...p('natGatewayHour'),
    });
    add({
      id: 'nat-data',
      item: 'NAT gateway data processed',
      quantity: natGb,
      unit: 'GB',
      ...p('natGatewayGb'),
      basis: input.volumes.nat.basis,
      ...(viaLogsEndpoint
        ? { note: `less ${viaLogsEndpoint} GB of logs sent through the logs interface endpoint instead` }
        : {}),
    });
  } else {
    add({
      id: 'nat-instance',
      item: `NAT instance ${network.natInstanceType}`,
      quantity: HOURS_PER_MONTH,
      unit: 'hour',
      ...instanceHour(network.natInstanceType),
      note: 'no per-GB processing charge',
    });
  }

  const publicIps = 1 + input.instances.filter((i) => i.publicIp).length;
  add({
    id: 'public-ipv4',
    item: `Public IPv4 addresses (${publicIps}: the NAT's${publicIps > 1 ? ', instances in the public subnet' : ''})`,
    quantity: publicIps * HOURS_PER_MONTH,
    unit: 'address-hour',
    ...p('publicIpv4Hour'),
  });

  if (network.interfaceEndpoints.length) {
    const count = network.interfaceEndpoints.length * input.availabilityZones;
    add({
      id: 'endpoints',
      item: `Interface endpoints (${network.interfaceEndpoints.join(', ')} × ${input.availabilityZones} AZ)`,
      quantity: count * HOURS_PER_MONTH,
      unit: 'endpoint-hour',
      ...p('interfaceEndpointHour'),
      ...savedNote(),
    });
    if (network.interfaceEndpoints.includes('logs'))
      add({
        id: 'endpoints-data',
        item: 'Interface endpoint data processed (logs)',
        quantity: input.volumes.botLogs.gb,
        unit: 'GB',
        ...p('interfaceEndpointGb'),
        basis: input.volumes.botLogs.basis,
      });
  }
  /** What the endpoints take off the NAT gateway's processing charge, beside what they cost. */
  function savedNote(): { note?: string } {
    const perGb = prices?.natGatewayGb;
    if (network.nat !== 'gateway' || !viaLogsEndpoint || perGb === undefined) return {};
    const saved = Math.round(viaLogsEndpoint * perGb * 100) / 100;
    return { note: `saves ${viaLogsEndpoint} GB of NAT gateway processing ($${saved.toFixed(2)}) a month` };
  }
  add({ id: 's3-endpoint', item: 'S3 gateway endpoint', quantity: 1, unit: 'endpoint', unitPrice: 0, note: 'free' });

  add({
    id: 'logs-ingest',
    item: 'CloudWatch Logs ingestion (bot and health)',
    quantity: input.volumes.botLogs.gb,
    unit: 'GB',
    ...p('logsIngestGb'),
    basis: input.volumes.botLogs.basis,
  });
  add({
    id: 'flow-logs',
    item: 'VPC flow logs ingestion (vended logs)',
    quantity: input.volumes.flowLogs.gb,
    unit: 'GB',
    ...p('vendedLogsIngestGb'),
    basis: input.volumes.flowLogs.basis,
  });
  add({
    id: 'logs-storage',
    item: `CloudWatch Logs storage (${input.logRetentionDays}-day retention)`,
    quantity: input.volumes.storedLogs.gb,
    unit: 'GB-month',
    ...p('logsStorageGbMonth'),
    basis: input.volumes.storedLogs.basis,
  });
  add({
    id: 'kms',
    item: 'KMS key (log encryption)',
    quantity: 1,
    unit: 'key-month',
    ...p('kmsKeyMonth'),
    note: 'each of its first two yearly rotations adds $1/month',
  });

  // terraform/alarms.tf: health failures (1 metric), CPU and memory per instance (1 each), and
  // for the NAT gateway its error rate, a metric-math alarm over 3 metrics (priced per metric);
  // for a NAT instance its system and instance status checks, and its CPU credit balance when it
  // is burstable (t*: the same rule as terraform/alarms.tf's nat_instance_credits), one metric each.
  const perInstance = 2 * input.instances.length;
  const natAlarms = network.nat === 'gateway' ? 1 : 2 + (network.natInstanceType.startsWith('t') ? 1 : 0);
  const natMetrics = network.nat === 'gateway' ? 3 : natAlarms;
  const alarmMetrics = 1 + perInstance + natMetrics;
  add({
    id: 'alarms',
    item: `CloudWatch alarms (${1 + perInstance + natAlarms} alarms, ${alarmMetrics} metrics)`,
    quantity: alarmMetrics,
    unit: 'alarm metric-month',
    ...p('alarmMetricMonth'),
    note: "the account's first 10 alarm metrics a month are free: not deducted",
  });
  // HealthCheckFailures (the log metric filter) and the agent's mem_used_percent per instance.
  const customMetrics = 1 + input.instances.length;
  add({
    id: 'custom-metrics',
    item: `CloudWatch custom metrics (health failures, memory per instance)`,
    quantity: customMetrics,
    unit: 'metric-month',
    ...p('customMetricMonth'),
    note: "the account's first 10 custom metrics a month are free: not deducted",
  });
  add({
    id: 'sns',
    item: 'SNS alarm topic and e-mail notifications',
    quantity: 1,
    unit: 'topic',
    unitPrice: 0,
    note: 'free tier: the first 1,000 e-mail notifications a month cost nothing',
  });

  const unpriced = lines.filter((l) => l.monthly === null).map((l) => l.item);
  const total = round(
    lines.reduce((sum, l) => sum + (l.monthly ?? 0), 0),
    2,
  );
  const notes = ['data transfer out to the internet: the first 100 GB a month of the account are free, not counted'];
  if (!prices) notes.unshift(`no prices for region ${input.region}: every line is unpriced`);
  return { region: input.region, currency: 'USD', lines, total, unpriced, notes };
}

/** The monthly cost of the lines that exist per hour (what an overlap adds), per hour. */
export function hourlyOf(estimate: CostEstimate): { perHour: number; unpriced: string[] } {
  return { perHour: estimate.total / HOURS_PER_MONTH, unpriced: estimate.unpriced };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
