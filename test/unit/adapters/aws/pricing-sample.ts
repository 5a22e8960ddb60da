// GetProducts answers as the Price List API gives them (aws_v1 format, one JSON string per
// product), written by hand after the real ones for us-east-1.

/** t3.micro, Linux, shared tenancy, on demand in us-east-1: $0.0104 an hour; with a reserved term beside it. */
export const T3_MICRO_US_EAST_1 = JSON.stringify({
  product: {
    productFamily: 'Compute Instance',
    attributes: {
      enhancedNetworkingSupported: 'Yes',
      intelTurboAvailable: 'Yes',
      memory: '1 GiB',
      dedicatedEbsThroughput: 'Up to 2085 Mbps',
      vcpu: '2',
      classicnetworkingsupport: 'false',
      capacitystatus: 'Used',
      locationType: 'AWS Region',
      storage: 'EBS only',
      instanceFamily: 'General purpose',
      operatingSystem: 'Linux',
      intelAvx2Available: 'Yes',
      regionCode: 'us-east-1',
      physicalProcessor: 'Intel Skylake E5 2686 v5',
      clockSpeed: '3.1 GHz',
      ecu: 'Variable',
      networkPerformance: 'Up to 5 Gigabit',
      servicename: 'Amazon Elastic Compute Cloud',
      gpuMemory: 'NA',
      vpcnetworkingsupport: 'true',
      instanceType: 't3.micro',
      tenancy: 'Shared',
      usagetype: 'BoxUsage:t3.micro',
      normalizationSizeFactor: '0.5',
      intelAvxAvailable: 'Yes',
      processorFeatures: 'AVX; AVX2; Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo',
      servicecode: 'AmazonEC2',
      licenseModel: 'No License required',
      currentGeneration: 'Yes',
      preInstalledSw: 'NA',
      location: 'US East (N. Virginia)',
      processorArchitecture: '64-bit',
      marketoption: 'OnDemand',
      operation: 'RunInstances',
      availabilityzone: 'NA',
    },
    sku: 'QSCN6A7KZ4S5Y4MR',
  },
  serviceCode: 'AmazonEC2',
  terms: {
    OnDemand: {
      'QSCN6A7KZ4S5Y4MR.JRTCKXETXF': {
        priceDimensions: {
          'QSCN6A7KZ4S5Y4MR.JRTCKXETXF.6YS6EN2CT7': {
            unit: 'Hrs',
            endRange: 'Inf',
            description: '$0.0104 per On Demand Linux t3.micro Instance Hour',
            appliesTo: [],
            rateCode: 'QSCN6A7KZ4S5Y4MR.JRTCKXETXF.6YS6EN2CT7',
            beginRange: '0',
            pricePerUnit: { USD: '0.0104000000' },
          },
        },
        sku: 'QSCN6A7KZ4S5Y4MR',
        effectiveDate: '2025-06-01T00:00:00Z',
        offerTermCode: 'JRTCKXETXF',
        termAttributes: {},
      },
    },
    Reserved: {
      'QSCN6A7KZ4S5Y4MR.4NA7Y494T4': {
        priceDimensions: {
          'QSCN6A7KZ4S5Y4MR.4NA7Y494T4.6YS6EN2CT7': {
            unit: 'Hrs',
            endRange: 'Inf',
            description: 'Linux/UNIX (Amazon VPC), t3.micro reserved instance applied',
            appliesTo: [],
            rateCode: 'QSCN6A7KZ4S5Y4MR.4NA7Y494T4.6YS6EN2CT7',
            beginRange: '0',
            pricePerUnit: { USD: '0.0065000000' },
          },
        },
        sku: 'QSCN6A7KZ4S5Y4MR',
        effectiveDate: '2025-06-01T00:00:00Z',
        offerTermCode: '4NA7Y494T4',
        termAttributes: { LeaseContractLength: '1yr', OfferingClass: 'standard', PurchaseOption: 'No Upfront' },
      },
    },
  },
  version: '20250605190316',
  publicationDate: '2025-06-05T19:03:16Z',
});

/** A product with one on-demand dimension: `usagetype`, `unit`, `usd`. */
export function simpleProduct(
  serviceCode: string,
  productFamily: string,
  usagetype: string,
  unit: string,
  usd: string,
  attributes: Record<string, string> = {},
): string {
  return JSON.stringify({
    product: {
      productFamily,
      attributes: { servicecode: serviceCode, regionCode: 'us-east-1', usagetype, ...attributes },
      sku: `SKU${usagetype.length}`,
    },
    serviceCode,
    terms: {
      OnDemand: {
        'SKU.JRTCKXETXF': {
          priceDimensions: {
            'SKU.JRTCKXETXF.6YS6EN2CT7': {
              unit,
              endRange: 'Inf',
              description: `$${usd} per ${unit}`,
              appliesTo: [],
              rateCode: 'SKU.JRTCKXETXF.6YS6EN2CT7',
              beginRange: '0',
              pricePerUnit: { USD: usd },
            },
          },
          offerTermCode: 'JRTCKXETXF',
          termAttributes: {},
        },
      },
    },
    version: '20250605190316',
    publicationDate: '2025-06-05T19:03:16Z',
  });
}
