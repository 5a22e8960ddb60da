// `ydeploy cost` for fixed plans against numbers worked out by hand from the shipped us-east-1
// prices (t3.micro $0.0104/h, gp3 $0.08/GB-month, NAT $0.045/h and $0.045/GB, IPv4 $0.005/h,
// logs $0.50/GB in and $0.03/GB-month stored, KMS $1, alarm metric $0.10, custom metric $0.30).
import { describe, expect, it } from 'vitest';
import { estimate, assumedVolumes, type CostInput } from '../../../cli/cost/model.js';
import { PRICE_TABLE } from '../../../cli/cost/prices.js';

const enhancedOnly: CostInput = {
  region: 'us-east-1',
  instanceType: 't3.micro',
  instances: [{ kind: 'enhanced', label: 'enhanced v1', publicIp: false }],
  volumeGb: 8,
  availabilityZones: 2,
  logRetentionDays: 30,
  volumes: assumedVolumes(30),
};

const monthly = (input: CostInput) =>
  Object.fromEntries(estimate(input, PRICE_TABLE).lines.map((l) => [l.id, l.monthly]));

describe('the monthly estimate', () => {
  it('one enhanced t3.micro behind the NAT gateway, volumes assumed: $48.22', () => {
    const result = estimate(enhancedOnly, PRICE_TABLE);
    expect(monthly(enhancedOnly)).toEqual({
      'instance:enhanced v1': 7.592, // 730 h × 0.0104
      ebs: 0.64, // 8 GB × 0.08
      'nat-hours': 32.85, // 730 h × 0.045
      'nat-data': 0.225, // assumed 5 GB × 0.045
      'public-ipv4': 3.65, // the NAT's EIP: 730 h × 0.005
      's3-endpoint': 0,
      'logs-ingest': 0.5, // assumed 1 GB × 0.50
      'flow-logs': 0.5, // assumed 1 GB × 0.50
      'logs-storage': 0.0592, // 2 GB × 30 days / 30.4167 days = 1.9726 GB × 0.03
      kms: 1,
      alarms: 0.6, // health 1 + CPU 1 + memory 1 + NAT errors 3 metrics = 6 × 0.10
      'custom-metrics': 0.6, // HealthCheckFailures + mem_used_percent = 2 × 0.30
      sns: 0,
    });
    expect(result.total).toBe(48.22);
    expect(result.unpriced).toEqual([]);
    const nat = result.lines.find((l) => l.id === 'nat-data')!;
    expect(nat).toMatchObject({ quantity: 5, unit: 'GB', unitPrice: 0.045, basis: 'assumed: 5 GB/month' });
    expect(result.lines.find((l) => l.id === 'sns')!.note).toMatch(/free tier/);
  });

  it('legacy in the public subnet pays for a second public IPv4 address: $51.87', () => {
    const legacy: CostInput = { ...enhancedOnly, instances: [{ kind: 'legacy', label: 'legacy', publicIp: true }] };
    const result = estimate(legacy, PRICE_TABLE);
    const ipv4 = result.lines.find((l) => l.id === 'public-ipv4')!;
    expect(ipv4).toMatchObject({ quantity: 1460, monthly: 7.3 }); // 2 × 730 h × 0.005
    expect(result.total).toBe(51.87);
  });

  it('a NAT instance and interface endpoints replace the gateway lines', () => {
    const input: CostInput = {
      ...enhancedOnly,
      network: { nat: 'instance', interfaceEndpoints: ['ssm', 'ssmmessages', 'ec2messages', 'logs'] },
    };
    const lines = monthly(input);
    expect(lines['nat-hours']).toBeUndefined();
    expect(lines['nat-data']).toBeUndefined();
    expect(lines['nat-instance']).toBe(3.066); // t4g.nano: 730 h × 0.0042
    expect(lines.ebs).toBe(1.28); // two root volumes now: 16 GB × 0.08
    expect(lines.endpoints).toBe(58.4); // 4 endpoints × 2 AZ × 730 h × 0.01
    expect(lines['endpoints-data']).toBe(0.01); // 1 GB of logs × 0.01
    // No NAT gateway alarm; the NAT instance's status, recovery and CPU-credit alarms instead:
    // (1 health + 2 for the bot instance + 3) metrics × 0.10.
    expect(lines.alarms).toBe(0.6);
  });

  it('an instance type the table does not hold is unpriced, and the total says it leaves it out', () => {
    const result = estimate({ ...enhancedOnly, instanceType: 'x9.huge' }, PRICE_TABLE);
    const line = result.lines.find((l) => l.id === 'instance:enhanced v1')!;
    expect(line).toMatchObject({ unitPrice: null, monthly: null });
    expect(result.unpriced).toEqual(['EC2 x9.huge (enhanced v1)']);
    expect(result.total).toBe(40.62); // 48.2162 − 7.592 = 40.6242
  });

  it('a region the table does not hold prices nothing (free lines stay free)', () => {
    const result = estimate({ ...enhancedOnly, region: 'me-central-1' }, PRICE_TABLE);
    expect(result.total).toBe(0);
    expect(result.lines.filter((l) => l.monthly !== null).map((l) => l.id)).toEqual(['s3-endpoint', 'sns']);
    expect(result.notes[0]).toMatch(/no prices for region me-central-1/);
  });

  it('the shipped table is dated and names its sources', () => {
    expect(PRICE_TABLE.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_TABLE.sources[0]).toMatch(/^https:\/\/aws\.amazon\.com\//);
    for (const region of ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'])
      expect(PRICE_TABLE.regions[region]?.instanceHour['t3.micro']).toBeGreaterThan(0);
  });
});
