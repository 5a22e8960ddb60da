// `ydeploy cost`: the monthly estimate of what the module runs in one environment. What runs
// comes from desired.json when it exists, else from the plan a migration would leave (one
// enhanced instance in the private subnet); data volumes from CloudWatch when it measured them;
// prices from the AWS Price List API when it answers in time, else the shipped table.
import type { Context } from '../core/context.js';
import { keys } from '../core/storage.js';
import type { DesiredState } from '../core/desired/state.js';
import { emptyDesired } from '../core/desired/state.js';
import { measureVolumes } from './measure.js';
import { estimate, type CostEstimate } from './model.js';
import { livePricesOf, liveQuery, unavailableNote, withLivePrices } from './live.js';
import { shippedPrices, type Prices } from './prices.js';
import { logGroupsOf, networkOf, retentionOf, shapeOf } from './shape.js';

export interface CostReport {
  environment: string;
  /** Where the instances come from. */
  basis: string;
  estimate: CostEstimate;
}

/** The environment's instances now: desired.json as stored, or what a migration would leave. */
export async function currentState(
  ctx: Pick<Context, 'store' | 'env'>,
): Promise<{ state: DesiredState; basis: string }> {
  const key = keys.desired(ctx.env.name);
  const object = await ctx.store.get(key);
  if (object) {
    try {
      const stored = JSON.parse(object.body) as DesiredState;
      return { state: { ...emptyDesired(ctx.env), ...stored }, basis: `s3://${ctx.store.bucket}/${key}` };
    } catch {
      // An unreadable desired.json is reported by the commands that write it; cost estimates the plan.
    }
  }
  return {
    state: {
      ...emptyDesired(ctx.env),
      enable_enhanced_instance: true,
      use_private_subnet: true,
      release_version: 'planned',
    },
    basis: 'no desired.json yet: the plan a migration would leave (one enhanced instance, private subnet)',
  };
}

export interface CostOptions {
  /** false: the shipped table only (--no-live-prices). */
  livePrices?: boolean;
  /** The table under any live prices (tests). */
  base?: Prices;
}

export async function costReport(
  ctx: Pick<Context, 'store' | 'env' | 'usage' | 'clock' | 'prices'>,
  options: CostOptions = {},
): Promise<CostReport> {
  const { state, basis } = await currentState(ctx);
  const shape = shapeOf(ctx.env, state);
  const network = networkOf(ctx.env);
  // The price lookup and CloudWatch's measurements go at once: each is bounded on its own.
  const [prices, measured] = await Promise.all([
    withLivePrices(options.base ?? shippedPrices(), livePricesOf(ctx, options), liveQuery([shape]), {
      now: ctx.clock.now(),
    }),
    measureVolumes(
      ctx.usage,
      {
        groups: logGroupsOf(ctx.env),
        natName: network.nat === 'gateway' ? `${ctx.env.project}-${ctx.env.name}-nat` : undefined,
        logRetentionDays: retentionOf(ctx.env),
      },
      ctx.clock.now(),
    ),
  ]);
  const result = estimate({ ...shape, volumes: measured.volumes }, prices.table, prices.live);
  return {
    environment: ctx.env.name,
    basis,
    estimate: {
      ...result,
      priceOrigin: prices.origin,
      notes: [...unavailableNote(prices), ...measured.notes, ...result.notes],
    },
  };
}
