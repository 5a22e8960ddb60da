// The cost of a plan: the monthly change a migration or a deploy leaves, the overlap's one-off
// cost, and preflight's warning above cost.warnAbove. Expected figures worked out by hand from
// the us-east-1 table (see estimate.test.ts): legacy alone $51.87, enhanced alone $48.22, both
// $60.60 (2 × 7.592 + 16 GB × 0.08 + 32.85 + 0.225 + 2 × 3.65 + 1.0592 logs + 1 KMS + 8 alarm
// metrics × 0.10 + 3 custom metrics × 0.30 = 60.5982).
import { describe, expect, it } from 'vitest';
import { emptyDesired, type DesiredState } from '../../../cli/core/desired/state.js';
import { freshMigrate, migrate, migrateSteps } from '../../../cli/core/flows/migrate.js';
import { keys } from '../../../cli/core/storage.js';
import { flowCost } from '../../../cli/cost/flow.js';
import { overlapTime, planCost, planCostLines, type PlanCost } from '../../../cli/cost/plan.js';
import { shippedPrices } from '../../../cli/cost/prices.js';
import { costCheck } from '../../../cli/preflight/checks.js';
import { runChecks } from '../../../cli/preflight/run.js';
import type { CheckDeps } from '../../../cli/preflight/check.js';
import { coreContext, FakeReporter, FakeWorld, testEnv, type TestContext } from '../../_helpers/fakes.js';

const env = testEnv('test'); // t3.micro in us-east-1, health gate timeout 90 s
const legacy: DesiredState = {
  ...emptyDesired(env),
  enable_legacy_instance: true,
  legacy_release_version: 'v0',
  release_version: 'v0',
  use_private_subnet: false,
};
const both: DesiredState = { ...legacy, enable_enhanced_instance: true, use_private_subnet: true };
const enhanced: DesiredState = { ...both, enable_legacy_instance: false };

async function legacyContext(): Promise<TestContext> {
  const world = new FakeWorld();
  world.withLegacy('v0');
  const ctx = coreContext(world);
  await ctx.store.put(keys.desired('test'), JSON.stringify(legacy));
  return ctx;
}

describe('the cost of a plan', () => {
  it('a migration: legacy $51.87 → enhanced $48.22 a month, and 1.5 min of two instances', () => {
    const cost = planCost(
      env,
      { before: legacy, targets: [both, enhanced] },
      { minutes: 1.5, basis: 'gate' },
      shippedPrices(),
    );
    expect(cost.before).toBe(51.87);
    expect(cost.after).toBe(48.22);
    expect(cost.monthlyChange).toBe(-3.65); // legacy's public IPv4 address goes
    expect(cost.overlap.peakInstances).toBe(2);
    // (60.60 − 51.87) / 730 h = $0.011959/h; × 1.5 min / 60 = $0.0003
    expect(cost.overlap.extraPerHour).toBe(0.011959);
    expect(cost.overlap.cost).toBe(0.0003);
    expect(planCostLines(cost)[0]).toBe('monthly: $51.87 → $48.22 (−$3.65/month after this run)');
  });

  it("the migrate flow's own steps give the same plan (step 1 both, step 3 enhanced only)", async () => {
    const ctx = await legacyContext();
    const cost = await flowCost(ctx, 'migrate', migrateSteps, await freshMigrate(ctx, {}));
    expect([cost.before, cost.after, cost.monthlyChange]).toEqual([51.87, 48.22, -3.65]);
    expect(cost.overlap).toMatchObject({ minutes: 1.5, peakInstances: 2, cost: 0.0003 });
    expect(cost.overlap.basis).toMatch(/health gate's timeout/);
  });

  it('a dry run of migrate computes the same from its result', async () => {
    const ctx = await legacyContext();
    const result = await migrate(ctx, { dryRun: true });
    const cost = await flowCost(ctx, 'migrate', migrateSteps, result.state);
    expect(cost.monthlyChange).toBe(-3.65);
  });

  it('the overlap lasts the median of earlier succeeded runs when the journal has some', () => {
    const run = (minutes: number, outcome = 'succeeded') => ({
      started: '2026-01-01T10:00:00Z',
      ended: new Date(Date.parse('2026-01-01T10:00:00Z') + minutes * 60_000).toISOString(),
      outcome,
    });
    const time = overlapTime(env, [run(12), run(20), run(14), run(90, 'failed')]);
    expect(time).toEqual({ minutes: 14, basis: 'median of 3 earlier runs' });
    const cost = planCost(env, { before: legacy, targets: [both, enhanced] }, time, shippedPrices());
    expect(cost.overlap.cost).toBe(0.0028); // 0.011959 × 14 / 60 = 0.00279
    expect(overlapTime(env, [])).toMatchObject({ minutes: 1.5 });
  });

  it('an unpriced instance type makes the change unknown, not zero', () => {
    const odd = { ...env, instanceType: 'z9.mega' };
    const state = (s: DesiredState) => ({ ...s, instance_type: 'z9.mega' });
    const cost = planCost(
      odd,
      { before: state(legacy), targets: [state(both), state(enhanced)] },
      { minutes: 10, basis: 'gate' },
      shippedPrices(),
    );
    expect(cost.monthlyChange).toBeNull();
    expect(cost.overlap.cost).toBeNull();
    expect(cost.unpriced).toContain('EC2 z9.mega (legacy)');
    expect(planCostLines(cost)[0]).toMatch(/excluding unpriced/);
  });
});

describe('preflight: the cost check', () => {
  const plan = (change: number): PlanCost => ({
    currency: 'USD',
    before: 48.22,
    after: 48.22 + change,
    monthlyChange: change,
    overlap: { minutes: 10, basis: 'gate', peakInstances: 2, extraPerHour: 0.01, cost: 0.002 },
    unpriced: [],
    priceOrigin: 'table',
  });
  const deps = (change: number, warnAbove?: number) =>
    ({
      env: { ...env, cost: { warnAbove: warnAbove ?? 10 } },
      plannedCost: plan(change),
      clock: { now: () => 0, sleep: async () => {} },
      signal: new AbortController().signal,
    }) as unknown as CheckDeps;

  it('passes quietly at or below cost.warnAbove', async () => {
    const outcome = await costCheck.run(deps(10));
    expect(outcome).toEqual({ ok: true, reason: '$48.22 → $58.22/month (+$10.00)' });
  });

  it('warns, and still passes, above it', async () => {
    const outcome = await costCheck.run(deps(10.01));
    expect(outcome.ok).toBe(true);
    expect(outcome.warning).toMatch(/raises the monthly estimate by \$10\.01, more than cost\.warnAbove \(\$10\.00\)/);
    const reporter = new FakeReporter(false, true);
    const [result] = await runChecks([costCheck], deps(10.01), reporter);
    expect(result).toMatchObject({ ok: true, warning: expect.stringContaining('cost.warnAbove') });
    expect(reporter.lines.some((l) => l.startsWith('⚠ this run raises'))).toBe(true);
  });

  it('the threshold is the config key', async () => {
    expect((await costCheck.run(deps(3, 2))).warning).toMatch(/more than cost\.warnAbove \(\$2\.00\)/);
    expect((await costCheck.run(deps(-3.65, 0))).warning).toBeUndefined();
  });
});
