// The EC2 calls ydeploy makes, imported by name: the CLI's bundle then holds these commands'
// schemas only, not EC2's thousands (a megabyte of code loaded on every command that reads EC2).
export {
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
