// The CloudWatch Logs calls ydeploy makes, imported by name so the CLI's bundle holds only their
// schemas.
export {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
