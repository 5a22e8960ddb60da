// The sandbox-shaped environment (us-east-1, t3.micro, gate timeout 90 s) priced from the
// table: before a migration (legacy), after it (enhanced), with each network choice, and one
// migration's overlap. Figures by hand from the us-east-1 prices (estimate.test.ts).
import { describe, expect, it } from 'vitest';
import { sandboxEnvironment } from '../../../cli/config/sandbox.js';
import { networkSchema } from '../../../cli/config/schema.js';
import type { ResolvedEnvironment } from '../../../cli/config/load.js';
import { emptyDesired, type DesiredState } from '../../../cli/core/desired/state.js';
import { costReport } from '../../../cli/cost/report.js';
import { planCost } from '../../../cli/cost/plan.js';
import { shippedPrices } from '../../../cli/cost/prices.js';
import { MemoryStore } from '../../_helpers/fakes.js';

const sandbox = (network?: object): ResolvedEnvironment =>
  ({
    ...sandboxEnvironment(),
    terraform: { ...sandboxEnvironment().terraform, dir: '/module' },
    name: 'sandbox',
    project: 'ydeploy',
    sandbox: true,
    releaseBucket: 'ydeploy-sandbox-releases',
    // As the config's schema gives it: the keys not named take their defaults.
    network: networkSchema.parse(network ?? {}),
  }) as ResolvedEnvironment;

const report = (env: ResolvedEnvironment) =>
  costReport({ env, store: new MemoryStore('ydeploy-sandbox-state'), clock: { now: () => 0, sleep: async () => {} } });

describe('the sandbox-shaped environment', () => {
  it('default network (NAT gateway): $48.22 a month', async () => {
    expect((await report(sandbox())).estimate.total).toBe(48.22);
  });

  it('a NAT instance: 48.2162 − 32.85 − 0.225 − 0.3 (3 NAT gateway alarm metrics) + 3.066 (t4g.nano) + 0.64 (its volume) + 0.3 (its status, recovery and CPU-credit alarms) = $18.85', async () => {
    expect((await report(sandbox({ nat: 'instance' }))).estimate.total).toBe(18.85);
  });

  it('the gateway plus ssm, ssmmessages, ec2messages and logs endpoints in 2 AZs: + 58.40 + 0.01 − 0.045 (1 GB of logs off the NAT) = $106.58', async () => {
    const endpoints = ['ssm', 'ssmmessages', 'ec2messages', 'logs'];
    const { estimate } = await report(sandbox({ interfaceEndpoints: endpoints }));
    expect(estimate.total).toBe(106.58);
    const line = (id: string) => estimate.lines.find((l) => l.id === id)!;
    expect(line('nat-data')).toMatchObject({ quantity: 4, monthly: 0.18 }); // 5 GB assumed − 1 GB of logs
    expect(line('endpoints').note).toMatch(/^saves 1 GB of NAT gateway processing \(\$0\.0\d\) a month$/);
  });

  it("one migration's overlap: two t3.micro for 1.5 min (the gate's timeout) ≈ $0.0003", () => {
    const env = sandbox();
    const legacy: DesiredState = {
      ...emptyDesired(env),
      enable_legacy_instance: true,
      legacy_release_version: 'v0',
      release_version: 'v0',
    };
    const both = { ...legacy, enable_enhanced_instance: true, use_private_subnet: true };
    const cost = planCost(
      env,
      { before: legacy, targets: [both, { ...both, enable_legacy_instance: false }] },
      { minutes: 1.5, basis: 'gate' },
      shippedPrices(),
    );
    expect(cost).toMatchObject({ before: 51.87, after: 48.22, monthlyChange: -3.65 });
    expect(cost.overlap.cost).toBe(0.0003);
  });
});
