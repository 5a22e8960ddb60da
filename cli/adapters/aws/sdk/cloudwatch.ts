// The CloudWatch calls ydeploy makes (alarms, metrics), imported by name so the CLI's bundle
// holds only their schemas.
export {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';
