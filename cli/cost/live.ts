// Live prices over the shipped table: what an estimate needs is looked up in the AWS Price List
// API (the LivePrices port) within a short time, and each price found replaces the table's for
// that line, or prices a line the table cannot (a region or instance type it lacks). The API's
// absence is not an error: no port (the sandbox, tests, --no-live-prices) means the table alone,
// and a lookup that fails or takes too long means the table plus one note saying why.
import type { Context } from '../core/context.js';
import type { LivePriceList, LivePriceQuery, LivePrices } from '../ports.js';
import type { LiveOrigin } from './model.js';
import type { PriceTable, Prices, RegionPrices } from './prices.js';
import type { CostShape } from './shape.js';

/** How long the lookups may take together before the estimate goes on with the table. */
export const LIVE_PRICES_TIMEOUT_MS = 3000;

/** What the estimates of `shapes` need priced (their first shape's region): nothing more. */
export function liveQuery(shapes: CostShape[]): LivePriceQuery | undefined {
  const region = shapes[0]?.region;
  if (!region) return undefined;
  const same = shapes.filter((s) => s.region === region);
  const instanceTypes = new Set<string>();
  let ebsGp3 = false;
  let natGateway = false;
  for (const shape of same) {
    const nat = shape.network?.nat ?? 'gateway';
    if (shape.instances.length) instanceTypes.add(shape.instanceType);
    if (nat === 'instance' && shape.network?.natInstanceType) instanceTypes.add(shape.network.natInstanceType);
    if (shape.instances.length || nat === 'instance') ebsGp3 = true;
    if (nat === 'gateway') natGateway = true;
  }
  return { region, instanceTypes: [...instanceTypes], ebsGp3, natGateway, publicIpv4: true };
}

/** The table with `live`'s prices for `region` laid over it, and which keys they were. */
export function mergeLive(
  table: PriceTable,
  region: string,
  live: LivePriceList,
): { table: PriceTable; keys: string[] } {
  const keys: string[] = [];
  const base: RegionPrices = table.regions[region] ?? { instanceHour: {} };
  const merged: RegionPrices = { ...base, instanceHour: { ...base.instanceHour } };
  for (const [type, hour] of Object.entries(live.instanceHour)) {
    merged.instanceHour[type] = hour;
    keys.push(`instanceHour:${type}`);
  }
  for (const key of ['ebsGp3GbMonth', 'natGatewayHour', 'natGatewayGb', 'publicIpv4Hour'] as const) {
    const value = live[key];
    if (value === undefined) continue;
    merged[key] = value;
    keys.push(key);
  }
  return { table: { ...table, regions: { ...table.regions, [region]: merged } }, keys };
}

export interface LiveOptions {
  now: number;
  timeoutMs?: number;
}

/**
 * `base` with live prices laid over it when `source` answers in time; else `base` itself (no
 * source) or `base` with `unavailable` saying why (failed, too slow, nothing priced).
 */
export async function withLivePrices(
  base: Prices,
  source: LivePrices | undefined,
  query: LivePriceQuery | undefined,
  options: LiveOptions,
): Promise<Prices> {
  if (!source || !query) return base;
  const timeoutMs = options.timeoutMs ?? LIVE_PRICES_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The race ends the wait even when the source ignores the signal.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs / 1000} s`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    const live = await Promise.race([source.lookup(query, controller.signal), timeout]);
    const { table, keys } = mergeLive(base.table, query.region, live);
    if (!keys.length)
      return { ...base, unavailable: `the AWS Price List API priced nothing asked for in ${query.region}` };
    const asOf = new Date(options.now).toISOString().slice(0, 10);
    const origin: LiveOrigin = { region: query.region, asOf, keys };
    return {
      table,
      live: origin,
      origin: `AWS Price List API, ${asOf} (${keys.length} price${keys.length === 1 ? '' : 's'}); the rest: ${base.origin}`,
    };
  } catch (error) {
    return { ...base, unavailable: why(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The live-price port to use: none in the sandbox (no Price List API there) or when turned off. */
export function livePricesOf(
  ctx: Pick<Context, 'env' | 'prices'>,
  options: { livePrices?: boolean } = {},
): Context['prices'] {
  return ctx.env.sandbox || options.livePrices === false ? undefined : ctx.prices;
}

/** The note an estimate carries when live prices were tried and not used. */
export function unavailableNote(prices: Prices): string[] {
  return prices.unavailable
    ? [`live prices unavailable: ${prices.unavailable}; using the table of ${prices.table.asOf}`]
    : [];
}

function why(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0]!.slice(0, 200);
}
