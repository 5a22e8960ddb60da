// The STS call ydeploy makes, imported by name so the CLI's bundle holds only its schema.
export { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
