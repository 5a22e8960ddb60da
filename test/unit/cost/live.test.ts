// Live prices over the shipped table: a price the Price List API gives replaces the table's for
// its line and the line says so; a region or type the table lacks becomes priced; a lookup that
// fails or never answers leaves the table and one note; the sandbox, --no-live-prices and plans
// with live prices turned off never ask. Every source here is a fake: no network.
import { describe, expect, it } from 'vitest';
import { sandboxEnvironment } from '../../../cli/config/sandbox.js';
import type { ResolvedEnvironment } from '../../../cli/config/load.js';
import { createPorts } from '../../../cli/context.js';
import { emptyDesired } from '../../../cli/core/desired/state.js';
import { keys } from '../../../cli/core/storage.js';
import { freshMigrate, migrateSteps } from '../../../cli/core/flows/migrate.js';
import { flowCost } from '../../../cli/cost/flow.js';
import { liveQuery, mergeLive, withLivePrices } from '../../../cli/cost/live.js';
import { assumedVolumes, estimate } from '../../../cli/cost/model.js';
import { planCostLines } from '../../../cli/cost/plan.js';
import { PRICE_TABLE, shippedPrices } from '../../../cli/cost/prices.js';
import { costReport } from '../../../cli/cost/report.js';
import { shapeOf } from '../../../cli/cost/shape.js';
import { renderCost } from '../../../cli/output/cost.js';
import type { LivePriceList, LivePriceQuery, LivePrices } from '../../../cli/ports.js';
import { coreContext, FakeReporter, FakeWorld, MemoryStore, testEnv } from '../../_helpers/fakes.js';
import { FakeClock } from '../inspect/fakes.js';

const NOW = Date.parse('2026-11-26T10:00:00Z');

/** A Price List API that answers `list` (or fails with `error`) and records what it was asked. */
function source(list: LivePriceList | Error): LivePrices & { asked: LivePriceQuery[] } {
  const asked: LivePriceQuery[] = [];
  return {
    asked,
    lookup: async (query) => {
      asked.push(query);
      if (list instanceof Error) throw list;
      return list;
    },
  };
}

/** One that never answers, and ignores the abort signal too (the wait must end anyway). */
function silent(): LivePrices & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return { signals, lookup: (_query, signal) => (signals.push(signal), new Promise<never>(() => {})) };
}

const env = testEnv('test'); // t3.micro, us-east-1, the NAT gateway
const enhanced = {
  ...emptyDesired(env),
  enable_enhanced_instance: true,
  use_private_subnet: true,
  release_version: 'v1',
};
const input = (e: ResolvedEnvironment = env) => ({ ...shapeOf(e, enhanced), volumes: assumedVolumes(30) });

const report = (prices: LivePrices | undefined, e: ResolvedEnvironment = env, livePrices?: boolean) =>
  costReport({ env: e, store: new MemoryStore('fake-state'), clock: new FakeClock(NOW), prices }, { livePrices });

describe('what is looked up', () => {
  it('only what the estimate needs: the gateway network asks for no NAT instance type', () => {
    expect(liveQuery([shapeOf(env, enhanced)])).toEqual({
      region: 'us-east-1',
      instanceTypes: ['t3.micro'],
      ebsGp3: true,
      natGateway: true,
      publicIpv4: true,
    });
  });

  it('a NAT instance: its type is asked for and the NAT gateway is not', () => {
    const natInstance = { ...env, network: { nat: 'instance', natInstanceType: 't4g.nano', interfaceEndpoints: [] } };
    expect(liveQuery([shapeOf(natInstance as ResolvedEnvironment, enhanced)])).toMatchObject({
      instanceTypes: ['t3.micro', 't4g.nano'],
      natGateway: false,
    });
  });
});

describe('live prices over the table', () => {
  it('a live price overrides the table for its line, which says where its price is from', async () => {
    const prices = await withLivePrices(
      shippedPrices(),
      source({ instanceHour: { 't3.micro': 0.011 }, natGatewayHour: 0.05 }),
      liveQuery([shapeOf(env, enhanced)]),
      { now: NOW },
    );
    const result = estimate(input(), prices.table, prices.live);
    const line = (id: string) => result.lines.find((l) => l.id === id)!;
    expect(line('instance:enhanced v1')).toMatchObject({
      unitPrice: 0.011,
      monthly: 8.03, // 730 h × 0.011
      price: 'AWS Price List API, 2026-11-26',
    });
    expect(line('nat-hours')).toMatchObject({ unitPrice: 0.05, price: 'AWS Price List API, 2026-11-26' });
    // What the API did not give stays the table's, and says so.
    expect(line('nat-data')).toMatchObject({ unitPrice: 0.045, price: 'shipped table (dated 2025-06-01)' });
    expect(line('sns').price).toBeUndefined(); // free by nature: no price to source
    // 48.2162 − 7.592 + 8.03 − 32.85 + 36.5 = 52.3042
    expect(result.total).toBe(52.3);
    expect(prices.origin).toMatch(
      /^AWS Price List API, 2026-11-26 \(2 prices\); the rest: ydeploy's price table of 2025-06-01/,
    );
    // The shipped table itself is untouched.
    expect(PRICE_TABLE.regions['us-east-1']!.instanceHour['t3.micro']).toBe(0.0104);
  });

  it('an instance type the table lacks becomes priced', async () => {
    const big = { ...env, instanceType: 'c7i.large' };
    const out = await report(source({ instanceHour: { 'c7i.large': 0.0893 } }), big);
    const line = out.estimate.lines.find((l) => l.id === 'instance:enhanced planned')!;
    expect(line).toMatchObject({ unitPrice: 0.0893, monthly: 65.189, price: 'AWS Price List API, 2026-11-26' });
    expect(out.estimate.unpriced).toEqual([]);
    expect(renderCost(out)).toMatch(
      /EC2 c7i\.large \(enhanced planned\) +730 hours +\$0\.0893\/hour +\$65\.19 +price: AWS Price List API, 2026-11-26/,
    );
  });

  it('a region the table lacks: what the API knows is priced, the rest stays unpriced', () => {
    const { table, keys: live } = mergeLive(PRICE_TABLE, 'sa-east-1', {
      instanceHour: { 't3.micro': 0.0168 },
      natGatewayHour: 0.093,
    });
    const result = estimate({ ...input(), region: 'sa-east-1' }, table, {
      region: 'sa-east-1',
      asOf: '2026-11-26',
      keys: live,
    });
    const priced = result.lines.filter((l) => l.monthly !== null && l.unitPrice !== 0).map((l) => l.id);
    expect(priced).toEqual(['instance:enhanced v1', 'nat-hours']);
    expect(result.unpriced).toContain('NAT gateway data processed');
  });
});

describe('when live prices cannot be had', () => {
  it('AccessDenied: the table, one note saying why, and no error', async () => {
    const denied = source(
      new Error('pricing:GetProducts: AccessDeniedException: not authorized to perform pricing:GetProducts'),
    );
    const out = await report(denied);
    expect(denied.asked).toHaveLength(1);
    expect(out.estimate.total).toBe(48.22);
    expect(out.estimate.priceOrigin).toMatch(/^ydeploy's price table of 2025-06-01/);
    expect(out.estimate.notes[0]).toBe(
      'live prices unavailable: pricing:GetProducts: AccessDeniedException: not authorized to perform pricing:GetProducts; using the table of 2025-06-01',
    );
    expect(out.estimate.lines.every((l) => !l.price?.startsWith('AWS'))).toBe(true);
    expect(renderCost(out)).toContain('note: live prices unavailable: pricing:GetProducts: AccessDeniedException');
  });

  it('a Price List API that never answers: the table after the timeout, and the lookup is aborted', async () => {
    const never = silent();
    const started = Date.now();
    const prices = await withLivePrices(shippedPrices(), never, liveQuery([shapeOf(env, enhanced)]), {
      now: NOW,
      timeoutMs: 30,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(prices.table).toBe(PRICE_TABLE);
    expect(prices.unavailable).toBe('no answer within 0.03 s');
    expect(never.signals[0]!.aborted).toBe(true);
  });

  it('an answer with nothing in it is said too', async () => {
    const out = await report(source({ instanceHour: {} }));
    expect(out.estimate.notes[0]).toBe(
      'live prices unavailable: the AWS Price List API priced nothing asked for in us-east-1; using the table of 2025-06-01',
    );
  });
});

describe('never asked', () => {
  it('in the sandbox: no port is wired, and an injected one is not called', async () => {
    const sandbox = {
      ...sandboxEnvironment(),
      terraform: { ...sandboxEnvironment().terraform, dir: '/module' },
      name: 'sandbox',
      project: 'ydeploy',
      sandbox: true,
    } as ResolvedEnvironment;
    const wiring = { processEnv: {}, reporter: new FakeReporter(false, true), cwd: '/tmp' };
    expect(createPorts({ env: sandbox, ...wiring }).prices).toBeUndefined();
    expect(
      createPorts({ env: { ...env, terraform: { ...env.terraform, dir: '/module' } }, ...wiring }).prices,
    ).toBeDefined();
    // Every AWS call sent to an emulator (AWS_ENDPOINT_URL): no real prices there either.
    const moto = { ...wiring, processEnv: { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' } };
    expect(
      createPorts({ env: { ...env, terraform: { ...env.terraform, dir: '/module' } }, ...moto }).prices,
    ).toBeUndefined();

    const spy = source({ instanceHour: { 't3.micro': 1 } });
    const out = await report(spy, sandbox);
    expect(spy.asked).toEqual([]);
    expect(out.estimate.notes.join('\n')).not.toMatch(/live prices/);
  });

  it('with --no-live-prices (livePrices: false): the table, no note', async () => {
    const spy = source({ instanceHour: { 't3.micro': 1 } });
    const out = await report(spy, env, false);
    expect(spy.asked).toEqual([]);
    expect(out.estimate.total).toBe(48.22);
    expect(out.estimate.notes.join('\n')).not.toMatch(/live prices/);
  });
});

describe('plans', () => {
  async function legacyContext(prices: LivePrices) {
    const world = new FakeWorld();
    world.withLegacy('v0');
    const ctx = coreContext(world, { prices });
    await ctx.store.put(
      keys.desired('test'),
      JSON.stringify({
        ...emptyDesired(ctx.env),
        enable_legacy_instance: true,
        legacy_release_version: 'v0',
        release_version: 'v0',
      }),
    );
    return ctx;
  }

  it("a migration's plan is priced live, for every type its states run", async () => {
    const spy = source({ instanceHour: { 't3.micro': 0.0104 } });
    const ctx = await legacyContext(spy);
    const cost = await flowCost(ctx, 'migrate', migrateSteps, await freshMigrate(ctx, {}));
    expect(spy.asked[0]).toMatchObject({ region: 'us-east-1', instanceTypes: ['t3.micro'], natGateway: true });
    expect(cost.priceOrigin).toMatch(/^AWS Price List API, \d{4}-\d\d-\d\d \(1 price\)/);
    expect([cost.before, cost.after]).toEqual([51.87, 48.22]);
  });

  it('live prices off: not asked; failing: the plan says so in a line', async () => {
    const spy = source({ instanceHour: { 't3.micro': 1 } });
    const ctx = await legacyContext(spy);
    await flowCost(ctx, 'migrate', migrateSteps, await freshMigrate(ctx, {}), { livePrices: false });
    expect(spy.asked).toEqual([]);

    const failing = await legacyContext(source(new Error('no AWS credentials were found')));
    const cost = await flowCost(failing, 'migrate', migrateSteps, await freshMigrate(failing, {}));
    expect(planCostLines(cost).at(-1)).toBe(
      'live prices unavailable: no AWS credentials were found; using the table of 2025-06-01',
    );
  });
});
