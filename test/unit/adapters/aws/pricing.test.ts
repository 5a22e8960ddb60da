// The Price List adapter: the GetProducts answer parsed (on-demand USD, never the reserved
// term), the filters each lookup sends, only what the query asks for, and every request carrying
// the caller's abort signal. The SDK module is replaced: no network.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsPriceList, instanceHourOf, parsePriceItem, PRICING_REGION } from '../../../../cli/adapters/aws/pricing.js';
import { simpleProduct, T3_MICRO_US_EAST_1 } from './pricing-sample.js';

interface Sent {
  input: { ServiceCode: string; Filters: { Type: string; Field: string; Value: string }[] };
  signal?: AbortSignal;
}

const sdk = vi.hoisted(() => ({
  sent: [] as Sent[],
  config: [] as { region?: string; maxAttempts?: number }[],
  answer: (_input: Sent['input']): Promise<{ PriceList?: string[] }> => Promise.resolve({ PriceList: [] }),
}));

vi.mock('@aws-sdk/client-pricing', () => ({
  PricingClient: class {
    constructor(config: { region?: string; maxAttempts?: number }) {
      sdk.config.push(config);
    }
    send(command: { input: Sent['input'] }, options?: { abortSignal?: AbortSignal }) {
      sdk.sent.push({ input: command.input, signal: options?.abortSignal });
      return sdk.answer(command.input);
    }
  },
  GetProductsCommand: class {
    constructor(readonly input: Sent['input']) {}
  },
}));

const field = (input: Sent['input'], name: string) => input.Filters.find((f) => f.Field === name);

/** us-east-1's answers by what was asked. */
function answers(input: Sent['input']): Promise<{ PriceList?: string[] }> {
  if (field(input, 'instanceType')?.Value === 't3.micro') return Promise.resolve({ PriceList: [T3_MICRO_US_EAST_1] });
  if (field(input, 'volumeApiName'))
    return Promise.resolve({
      PriceList: [simpleProduct('AmazonEC2', 'Storage', 'EBS:VolumeUsage.gp3', 'GB-Mo', '0.0800000000')],
    });
  if (field(input, 'productFamily')?.Value === 'NAT Gateway')
    return Promise.resolve({
      PriceList: [
        simpleProduct('AmazonEC2', 'NAT Gateway', 'NatGateway-Bytes', 'GB', '0.0450000000'),
        simpleProduct('AmazonEC2', 'NAT Gateway', 'NatGateway-Hours', 'Hrs', '0.0450000000'),
      ],
    });
  if (input.ServiceCode === 'AmazonVPC')
    return Promise.resolve({
      PriceList: [
        simpleProduct('AmazonVPC', 'VPC Public IPv4 Address', 'USE1-PublicIPv4:InUseAddress', 'Hrs', '0.0050000000'),
      ],
    });
  return Promise.resolve({ PriceList: [] });
}

beforeEach(() => {
  sdk.sent.length = 0;
  sdk.config.length = 0;
  sdk.answer = answers;
});

const settings = { region: 'eu-west-1', env: {} };
const everything = {
  region: 'us-east-1',
  instanceTypes: ['t3.micro'],
  ebsGp3: true,
  natGateway: true,
  publicIpv4: true,
};

describe('parsing a GetProducts answer', () => {
  it("t3.micro in us-east-1: the on-demand $0.0104 an hour, not the reserved term's", () => {
    const item = parsePriceItem(T3_MICRO_US_EAST_1);
    expect(item.attributes).toMatchObject({
      instanceType: 't3.micro',
      regionCode: 'us-east-1',
      operation: 'RunInstances',
    });
    expect(item.onDemand).toEqual([{ unit: 'Hrs', usd: 0.0104, firstTier: true }]);
    expect(instanceHourOf([item])).toBe(0.0104);
  });

  it('a string-like wrapper (as the SDK may give) parses the same', () => {
    const wrapped = { toString: () => T3_MICRO_US_EAST_1 };
    expect(instanceHourOf([parsePriceItem(wrapped)])).toBe(0.0104);
  });

  it('a product with no on-demand term prices nothing', () => {
    const reservedOnly = JSON.stringify({ ...JSON.parse(T3_MICRO_US_EAST_1), terms: { Reserved: {} } });
    expect(instanceHourOf([parsePriceItem(reservedOnly)])).toBeUndefined();
  });
});

describe('AwsPriceList.lookup', () => {
  it('reads every price the query asks for, from us-east-1 whatever region is priced', async () => {
    const signal = new AbortController().signal;
    const prices = await new AwsPriceList(settings).lookup(everything, signal);
    expect(prices).toEqual({
      instanceHour: { 't3.micro': 0.0104 },
      ebsGp3GbMonth: 0.08,
      natGatewayHour: 0.045,
      natGatewayGb: 0.045,
      publicIpv4Hour: 0.005,
    });
    expect(sdk.config[0]).toMatchObject({ region: PRICING_REGION, maxAttempts: 1 });
    expect(sdk.sent).toHaveLength(4);
    expect(sdk.sent.every((s) => s.signal === signal)).toBe(true);
    const instance = sdk.sent.find((s) => field(s.input, 'instanceType'))!.input;
    expect(instance.ServiceCode).toBe('AmazonEC2');
    expect(Object.fromEntries(instance.Filters.map((f) => [f.Field, `${f.Type} ${f.Value}`]))).toEqual({
      instanceType: 'TERM_MATCH t3.micro',
      regionCode: 'TERM_MATCH us-east-1',
      operatingSystem: 'TERM_MATCH Linux',
      tenancy: 'TERM_MATCH Shared',
      preInstalledSw: 'TERM_MATCH NA',
      capacitystatus: 'TERM_MATCH Used',
    });
  });

  it('asks only for what the query needs: a NAT instance setup looks up no NAT gateway', async () => {
    const prices = await new AwsPriceList(settings).lookup(
      {
        region: 'us-east-1',
        instanceTypes: ['t3.micro', 't4g.nano'],
        ebsGp3: false,
        natGateway: false,
        publicIpv4: false,
      },
      new AbortController().signal,
    );
    expect(sdk.sent.map((s) => field(s.input, 'instanceType')?.Value)).toEqual(['t3.micro', 't4g.nano']);
    // t4g.nano: no product in the answer, so no price (never a guess).
    expect(prices).toEqual({ instanceHour: { 't3.micro': 0.0104 } });
  });

  it('some lookups failing keeps the others; all of them failing rejects with the reason', async () => {
    sdk.answer = (input) =>
      input.ServiceCode === 'AmazonVPC'
        ? Promise.reject(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }))
        : answers(input);
    const partial = await new AwsPriceList(settings).lookup(everything, new AbortController().signal);
    expect(partial.publicIpv4Hour).toBeUndefined();
    expect(partial.instanceHour['t3.micro']).toBe(0.0104);

    sdk.answer = () =>
      Promise.reject(
        Object.assign(new Error('User is not authorized to perform: pricing:GetProducts'), {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 400 },
        }),
      );
    await expect(new AwsPriceList(settings).lookup(everything, new AbortController().signal)).rejects.toThrow(
      /pricing:GetProducts.*AccessDeniedException/,
    );
  });
});
