// The prices ydeploy ships: AWS's public on-demand prices (USD, Linux, no free tier, no
// savings plan) for the regions and instance types bot teams use most. A price that was not
// stated here with certainty is left out: the line it would price says "unpriced" instead of
// carrying a guess.
import type { LiveOrigin } from './model.js';

/** What one region charges for what the module runs. Every field may be missing: unpriced. */
export interface RegionPrices {
  /** EC2 on-demand, Linux, per instance-hour. */
  instanceHour: Record<string, number>;
  /** EBS gp3 storage, per GB-month. */
  ebsGp3GbMonth?: number;
  /** NAT gateway, per hour it exists. */
  natGatewayHour?: number;
  /** NAT gateway, per GB it processes (either direction). */
  natGatewayGb?: number;
  /** A public IPv4 address (Elastic IP or an instance's public IP), per hour, in use or idle. */
  publicIpv4Hour?: number;
  /** CloudWatch Logs standard ingestion, per GB. */
  logsIngestGb?: number;
  /** Vended logs (VPC flow logs) delivered to CloudWatch Logs, first tier, per GB. */
  vendedLogsIngestGb?: number;
  /** CloudWatch Logs storage (archive), per GB-month. */
  logsStorageGbMonth?: number;
  /** A customer-managed KMS key, per month. */
  kmsKeyMonth?: number;
  /** A standard-resolution alarm, per metric it evaluates, per month. */
  alarmMetricMonth?: number;
  /** A custom metric (first 10,000), per month. */
  customMetricMonth?: number;
  /** An interface VPC endpoint, per availability zone, per hour. */
  interfaceEndpointHour?: number;
  /** An interface VPC endpoint, per GB it processes (first PB). */
  interfaceEndpointGb?: number;
}

export interface PriceTable {
  /** When the prices were read off AWS's pages. */
  asOf: string;
  /** Where they were read. */
  sources: string[];
  currency: 'USD';
  regions: Record<string, RegionPrices>;
}

// t3, t3a, t4g and m7g cost the same per hour in us-east-1, us-east-2 and us-west-2.
const US_INSTANCES: Record<string, number> = {
  't2.nano': 0.0058,
  't2.micro': 0.0116,
  't2.small': 0.023,
  't3.nano': 0.0052,
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  't3a.nano': 0.0047,
  't3a.micro': 0.0094,
  't3a.small': 0.0188,
  't3a.medium': 0.0376,
  't3a.large': 0.0752,
  't4g.nano': 0.0042,
  't4g.micro': 0.0084,
  't4g.small': 0.0168,
  't4g.medium': 0.0336,
  't4g.large': 0.0672,
  'm7g.medium': 0.0408,
  'm7g.large': 0.0816,
};

const US: Omit<RegionPrices, 'instanceHour'> = {
  ebsGp3GbMonth: 0.08,
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  publicIpv4Hour: 0.005,
  logsIngestGb: 0.5,
  vendedLogsIngestGb: 0.5,
  logsStorageGbMonth: 0.03,
  kmsKeyMonth: 1,
  alarmMetricMonth: 0.1,
  customMetricMonth: 0.3,
  interfaceEndpointHour: 0.01,
  interfaceEndpointGb: 0.01,
};

export const PRICE_TABLE: PriceTable = {
  asOf: '2025-06-01',
  sources: [
    'https://aws.amazon.com/ec2/pricing/on-demand/',
    'https://aws.amazon.com/ebs/pricing/',
    'https://aws.amazon.com/vpc/pricing/',
    'https://aws.amazon.com/privatelink/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
    'https://aws.amazon.com/kms/pricing/',
    'https://aws.amazon.com/sns/pricing/',
    'https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json',
  ],
  currency: 'USD',
  regions: {
    'us-east-1': { ...US, instanceHour: US_INSTANCES },
    'us-east-2': { ...US, instanceHour: US_INSTANCES },
    'us-west-2': { ...US, instanceHour: US_INSTANCES },
    'eu-west-1': {
      instanceHour: {
        't3.nano': 0.0057,
        't3.micro': 0.0114,
        't3.small': 0.0228,
        't3.medium': 0.0456,
        't3.large': 0.0912,
        't3a.nano': 0.0051,
        't3a.micro': 0.0102,
        't3a.small': 0.0204,
        't3a.medium': 0.0408,
        't3a.large': 0.0816,
        't4g.nano': 0.0046,
        't4g.micro': 0.0092,
        't4g.small': 0.0184,
        't4g.medium': 0.0368,
        't4g.large': 0.0736,
      },
      ebsGp3GbMonth: 0.088,
      natGatewayHour: 0.048,
      natGatewayGb: 0.048,
      publicIpv4Hour: 0.005,
      logsIngestGb: 0.57,
      vendedLogsIngestGb: 0.57,
      logsStorageGbMonth: 0.03,
      kmsKeyMonth: 1,
      alarmMetricMonth: 0.1,
      customMetricMonth: 0.3,
      interfaceEndpointHour: 0.011,
      interfaceEndpointGb: 0.01,
    },
    'eu-central-1': {
      instanceHour: {
        't3.nano': 0.006,
        't3.micro': 0.012,
        't3.small': 0.024,
        't3.medium': 0.048,
        't3.large': 0.096,
        't3a.nano': 0.0054,
        't3a.micro': 0.0108,
        't3a.small': 0.0216,
        't3a.medium': 0.0432,
        't3a.large': 0.0864,
        't4g.nano': 0.0048,
        't4g.micro': 0.0096,
        't4g.small': 0.0192,
        't4g.medium': 0.0384,
        't4g.large': 0.0768,
      },
      ebsGp3GbMonth: 0.0952,
      natGatewayHour: 0.052,
      natGatewayGb: 0.052,
      publicIpv4Hour: 0.005,
      logsIngestGb: 0.63,
      vendedLogsIngestGb: 0.63,
      logsStorageGbMonth: 0.0324,
      kmsKeyMonth: 1,
      alarmMetricMonth: 0.1,
      customMetricMonth: 0.3,
      interfaceEndpointHour: 0.012,
      interfaceEndpointGb: 0.01,
    },
    'ap-southeast-1': {
      instanceHour: {
        't3.nano': 0.0066,
        't3.micro': 0.0132,
        't3.small': 0.0264,
        't3.medium': 0.0528,
        't3.large': 0.1056,
        't3a.nano': 0.0059,
        't3a.micro': 0.0118,
        't3a.small': 0.0236,
        't3a.medium': 0.0472,
        't3a.large': 0.0944,
        't4g.nano': 0.0053,
        't4g.micro': 0.0106,
        't4g.small': 0.0212,
        't4g.medium': 0.0424,
        't4g.large': 0.0848,
      },
      ebsGp3GbMonth: 0.096,
      natGatewayHour: 0.059,
      natGatewayGb: 0.059,
      publicIpv4Hour: 0.005,
      logsIngestGb: 0.7,
      vendedLogsIngestGb: 0.7,
      logsStorageGbMonth: 0.033,
      kmsKeyMonth: 1,
      alarmMetricMonth: 0.1,
      customMetricMonth: 0.3,
      interfaceEndpointHour: 0.013,
      interfaceEndpointGb: 0.01,
    },
  },
};

/** Where a price list came from, said beside every estimate. */
export interface Prices {
  table: PriceTable;
  /** "ydeploy's price table of 2025-06-01", or the live list's description. */
  origin: string;
  /** Which of `table`'s prices were read from the AWS Price List API (cost/live.ts). */
  live?: LiveOrigin;
  /** Why live prices were tried and not used: the estimate says so in a note. */
  unavailable?: string;
}

export function shippedPrices(): Prices {
  return { table: PRICE_TABLE, origin: `ydeploy's price table of ${PRICE_TABLE.asOf} (${PRICE_TABLE.sources[0]} …)` };
}
