// `ydeploy cost` through main() with fake ports: measured volumes, assumed ones, and a
// CloudWatch that cannot be read (assumptions, said so, exit 0).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.js';
import type { Context } from '../../../cli/core/context.js';
import type { LivePriceQuery, LivePrices, UsageMeter } from '../../../cli/ports.js';
import { FakeClock } from '../inspect/fakes.js';
import { MemoryStore, testEnv } from '../../_helpers/fakes.js';
import { capture } from '../output/streams.js';

const opened: { ctx?: Partial<Context> } = {};
vi.mock('../../../cli/context.js', () => ({
  openContext: async (input: { reporter: Context['reporter']; signal: AbortSignal }) => ({
    ...opened.ctx,
    reporter: input.reporter,
    signal: input.signal,
    dispose: async () => {},
  }),
}));

afterEach(() => {
  opened.ctx = undefined;
});

const GiB = 1024 ** 3;

/** 14 days of CloudWatch, in bytes chosen so a month (730 h) comes out round. */
function meter(): UsageMeter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    storedBytes: async (group) => {
      calls.push(`stored ${group}`);
      return 1 * GiB;
    },
    metricSum: async (namespace, metric, dimensions) => {
      calls.push(`${namespace} ${metric} ${Object.values(dimensions).join()}`);
      if (metric === 'IncomingBytes') return (dimensions.LogGroupName!.startsWith('/ec2/') ? 3.36 : 1.68) * GiB;
      if (metric === 'BytesInFromSource') return 0.72 * GiB;
      if (metric === 'BytesInFromDestination') return 6 * GiB;
      return undefined;
    },
    natGatewayId: async (name) => (name === 'ydeploy-test-nat' ? 'nat-1' : undefined),
  };
}

async function desiredStore(): Promise<MemoryStore> {
  const store = new MemoryStore('fake-state');
  await store.put(
    'ydeploy/test/desired.json',
    JSON.stringify({
      enable_legacy_instance: false,
      enable_enhanced_instance: true,
      use_private_subnet: true,
      release_version: 'v1',
      candidate_release_version: null,
      instance_type: 't3.micro',
      region: 'us-east-1',
    }),
  );
  return store;
}

async function run(argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, { stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('ydeploy cost', () => {
  it('prices what desired.json runs from what CloudWatch measured over 14 days', async () => {
    const usage = meter();
    opened.ctx = { env: testEnv('test'), clock: new FakeClock(), store: await desiredStore(), usage };
    const out = await run(['cost', '--env', 'test', '--json']);
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
    expect(result.basis).toBe('s3://fake-state/ydeploy/test/desired.json');
    const lines = Object.fromEntries(
      (result.cost.lines as { id: string; quantity: number; monthly: number; basis?: string }[]).map((l) => [l.id, l]),
    );
    // 3.36 GiB in 14 days = 7.3 GB a month; 1.68 GiB = 3.65 GB; NAT 6.72 GiB = 14.6 GB.
    expect(lines['logs-ingest']).toMatchObject({ quantity: 7.3, monthly: 3.65, basis: 'measured over 14 days' });
    expect(lines['flow-logs']).toMatchObject({ quantity: 3.65, monthly: 1.825, basis: 'measured over 14 days' });
    expect(lines['nat-data']).toMatchObject({ quantity: 14.6, monthly: 0.657, basis: 'measured over 14 days' });
    expect(lines['logs-storage']).toMatchObject({ quantity: 2, monthly: 0.06, basis: 'measured now' });
    // 7.592 + 0.64 + 32.85 + 0.657 + 3.65 + 3.65 + 1.825 + 0.06 + 1 + 0.6 + 0.6 = 53.124
    expect(result.cost.total).toBe(53.12);
    expect(usage.calls).toContain('AWS/Logs IncomingBytes /ec2/ydeploy-test-logs');
    expect(usage.calls).toContain('AWS/Logs IncomingBytes /vpc/ydeploy-test-flow-logs');
    expect(usage.calls).toContain('AWS/NATGateway BytesInFromSource nat-1');
  });

  it('with nothing measured and no desired.json: the plan a migration leaves, on stated assumptions', async () => {
    const none: UsageMeter = {
      storedBytes: async () => undefined,
      metricSum: async () => undefined,
      natGatewayId: async () => undefined,
    };
    opened.ctx = { env: testEnv('test'), clock: new FakeClock(), store: new MemoryStore('fake-state'), usage: none };
    const out = await run(['cost', '--env', 'test']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('the plan a migration would leave');
    expect(out.stdout).toMatch(/NAT gateway data processed +5 GB +\$0\.0450\/GB +\$0\.23 +assumed: 5 GB\/month/);
    expect(out.stdout).toContain('total $48.22/month');
    expect(out.stdout).toContain('note: bot logs: nothing measured yet; assumed: 1 GB/month');
  });

  it('a CloudWatch that cannot be read is not an error: assumptions, and the lines say so', async () => {
    const broken: UsageMeter = {
      storedBytes: async () => Promise.reject(new Error('AccessDenied: logs:DescribeLogGroups')),
      metricSum: async () => Promise.reject(new Error('AccessDenied: cloudwatch:GetMetricStatistics')),
      natGatewayId: async () => Promise.reject(new Error('AccessDenied')),
    };
    opened.ctx = { env: testEnv('test'), clock: new FakeClock(), store: await desiredStore(), usage: broken };
    const out = await run(['cost', '--env', 'test', '--json']);
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
    const ingest = result.cost.lines.find((l: { id: string }) => l.id === 'logs-ingest');
    expect(ingest.basis).toBe('assumed: 1 GB/month (measurement failed)');
    expect(result.cost.total).toBe(48.22);
    expect(result.cost.notes.join('\n')).toMatch(/CloudWatch could not be read \(AccessDenied/);
  });

  it('an instance type the table does not price: the line says unpriced and the total excludes it', async () => {
    opened.ctx = {
      env: { ...testEnv('test'), instanceType: 'z9.mega' },
      clock: new FakeClock(),
      store: new MemoryStore('fake-state'),
    };
    const out = await run(['cost', '--env', 'test']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/EC2 z9\.mega \(enhanced planned\) +730 hours +unpriced +unpriced/);
    expect(out.stdout).toContain('total $40.62/month, excluding 1 unpriced line (EC2 z9.mega (enhanced planned))');
  });

  it('asks the Price List API by default, and not with --no-live-prices', async () => {
    const asked: LivePriceQuery[] = [];
    const prices: LivePrices = {
      lookup: async (query) => (asked.push(query), { instanceHour: { 't3.micro': 0.011 } }),
    };
    opened.ctx = { env: testEnv('test'), clock: new FakeClock(), store: await desiredStore(), prices };
    const live = await run(['cost', '--env', 'test']);
    expect(live.code).toBe(0);
    expect(asked).toHaveLength(1);
    expect(live.stdout).toMatch(
      /EC2 t3\.micro \(enhanced v1\) +730 hours +\$0\.0110\/hour +\$8\.03 +price: AWS Price List API/,
    );

    const off = await run(['cost', '--env', 'test', '--no-live-prices']);
    expect(off.code).toBe(0);
    expect(asked).toHaveLength(1);
    expect(off.stdout).toContain('total $48.22/month');
    expect(off.stdout).toContain("prices: ydeploy's price table of 2025-06-01");
  });
});
