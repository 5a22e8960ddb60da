// Identity over STS: who is running ydeploy.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Identity } from '../../ports.js';
import { clientConfig, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class StsIdentity implements Identity {
  private readonly client: STSClient;

  constructor(settings: AwsSettings) {
    this.client = new STSClient(clientConfig(settings, { maxAttempts: 2 }));
  }

  async whoami(): Promise<{ account: string; arn: string; userId: string }> {
    const out = await aws('cannot confirm AWS credentials', () => this.client.send(new GetCallerIdentityCommand({})));
    return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
  }
}
