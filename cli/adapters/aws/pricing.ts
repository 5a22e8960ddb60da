// Prices from the AWS Price List API (pricing:GetProducts): EC2 on-demand Linux instance hours,
// EBS gp3 storage, NAT gateway hours and data, public IPv4 address hours. The API is served only
// from us-east-1 (and ap-south-1), whatever region is being priced; each answer is a list of
// JSON strings, one product each with its terms. Only what the query asks for is looked up, all
// at once, each request bounded by the caller's signal. The SDK is loaded on first use.
type Pricing = typeof import('./sdk/pricing.js');
import type { LivePriceList, LivePriceQuery, LivePrices } from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws } from './errors.js';

/** The Price List API's own region: it answers for every region from here. */
export const PRICING_REGION = 'us-east-1';

/** One product of a GetProducts answer, reduced to what pricing it needs. */
export interface PriceItem {
  attributes: Record<string, string>;
  /** The on-demand price dimensions: unit ("Hrs", "GB", "GB-Mo"), USD per unit, first tier or not. */
  onDemand: { unit: string; usd: number; firstTier: boolean }[];
}

interface RawItem {
  product?: { attributes?: Record<string, string> };
  terms?: {
    OnDemand?: Record<
      string,
      {
        priceDimensions?: Record<string, { unit?: string; beginRange?: string; pricePerUnit?: { USD?: string } }>;
      }
    >;
  };
}

/** One PriceList entry (a JSON string) → its attributes and on-demand USD prices. */
export function parsePriceItem(json: string | object): PriceItem {
  // A string-like wrapper stringifies to the JSON; a plain object is taken as already parsed.
  const text = typeof json === 'string' ? json : String(json);
  const raw = (typeof json === 'string' || text.trimStart().startsWith('{') ? JSON.parse(text) : json) as RawItem;
  const onDemand: PriceItem['onDemand'] = [];
  for (const term of Object.values(raw.terms?.OnDemand ?? {})) {
    for (const dimension of Object.values(term.priceDimensions ?? {})) {
      const usd = Number(dimension.pricePerUnit?.USD);
      if (dimension.pricePerUnit?.USD === undefined || !Number.isFinite(usd)) continue;
      onDemand.push({
        unit: dimension.unit ?? '',
        usd,
        firstTier: dimension.beginRange === undefined || Number(dimension.beginRange) === 0,
      });
    }
  }
  return { attributes: raw.product?.attributes ?? {}, onDemand };
}

/** The first-tier on-demand price in `unit` of the first item that has one; undefined: none. */
export function firstPrice(items: PriceItem[], unit: string): number | undefined {
  for (const item of items) {
    const found = item.onDemand.find((d) => d.firstTier && d.unit.toLowerCase() === unit.toLowerCase());
    if (found) return found.usd;
  }
  return undefined;
}

/** The instance's price among GetProducts' products: the plain RunInstances box usage first. */
export function instanceHourOf(items: PriceItem[]): number | undefined {
  const box = items.filter((i) => /BoxUsage/.test(i.attributes.usagetype ?? ''));
  const plain = box.filter((i) => (i.attributes.operation ?? 'RunInstances') === 'RunInstances');
  return firstPrice(plain.length ? plain : box.length ? box : items, 'Hrs');
}

const usagetypeEnds = (items: PriceItem[], suffix: string) =>
  items.filter((i) => (i.attributes.usagetype ?? '').endsWith(suffix));

type Filter = [field: string, value: string, type?: 'TERM_MATCH' | 'CONTAINS'];

export class AwsPriceList implements LivePrices {
  private readonly pricing: () => Promise<{ sdk: Pricing; client: InstanceType<Pricing['PricingClient']> }>;

  constructor(settings: AwsSettings) {
    // One attempt: a lookup that fails falls back to the shipped table, so retries only delay.
    this.pricing = lazyClient(
      () => import('./sdk/pricing.js'),
      (sdk) =>
        new sdk.PricingClient(clientConfig({ ...settings, region: PRICING_REGION }, 'pricing', { maxAttempts: 1 })),
    );
  }

  async lookup(query: LivePriceQuery, signal: AbortSignal): Promise<LivePriceList> {
    const result: LivePriceList = { instanceHour: {} };
    const region: Filter = ['regionCode', query.region];
    const tasks: Promise<void>[] = [];
    for (const type of new Set(query.instanceTypes))
      tasks.push(
        this.products(
          'AmazonEC2',
          [
            ['instanceType', type],
            region,
            ['operatingSystem', 'Linux'],
            ['tenancy', 'Shared'],
            ['preInstalledSw', 'NA'],
            ['capacitystatus', 'Used'],
          ],
          signal,
        ).then((items) => {
          const hour = instanceHourOf(items);
          if (hour !== undefined) result.instanceHour[type] = hour;
        }),
      );
    if (query.ebsGp3)
      tasks.push(
        this.products('AmazonEC2', [['productFamily', 'Storage'], ['volumeApiName', 'gp3'], region], signal).then(
          (items) => {
            result.ebsGp3GbMonth = firstPrice(items, 'GB-Mo');
          },
        ),
      );
    if (query.natGateway)
      tasks.push(
        // Usage types carry a region prefix ("EUW1-NatGateway-Hours", none in us-east-1): matched by suffix.
        this.products('AmazonEC2', [['productFamily', 'NAT Gateway'], region], signal).then((items) => {
          result.natGatewayHour = firstPrice(usagetypeEnds(items, 'NatGateway-Hours'), 'Hrs');
          result.natGatewayGb = firstPrice(usagetypeEnds(items, 'NatGateway-Bytes'), 'GB');
        }),
      );
    if (query.publicIpv4)
      tasks.push(
        this.products('AmazonVPC', [['usagetype', 'PublicIPv4:InUseAddress', 'CONTAINS'], region], signal).then(
          (items) => {
            result.publicIpv4Hour = firstPrice(usagetypeEnds(items, 'PublicIPv4:InUseAddress'), 'Hrs');
          },
        ),
      );
    const settled = await Promise.allSettled(tasks);
    const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    // Some answers are worth keeping; none at all is the caller's fallback to the table.
    if (tasks.length && failed.length === tasks.length) throw failed[0]!.reason;
    for (const key of Object.keys(result) as (keyof LivePriceList)[]) if (result[key] === undefined) delete result[key];
    return result;
  }

  private async products(service: string, filters: Filter[], signal: AbortSignal): Promise<PriceItem[]> {
    const { sdk, client } = await this.pricing();
    const page = await aws('pricing:GetProducts', () =>
      client.send(
        new sdk.GetProductsCommand({
          ServiceCode: service,
          Filters: filters.map(([Field, Value, Type = 'TERM_MATCH']) => ({ Type, Field, Value })),
          FormatVersion: 'aws_v1',
          MaxResults: 100,
        }),
        { abortSignal: signal },
      ),
    );
    // Each entry is a JSON string (the SDK may hand it over wrapped in a string-like object).
    const entries: unknown[] = Array.isArray(page.PriceList) ? page.PriceList : [];
    return entries.map((entry) => parsePriceItem(typeof entry === 'object' && entry ? entry : String(entry)));
  }
}
