// Identity over STS: who is running ydeploy.
type Sdk = typeof import('./sdk/sts.js');
import type { Identity } from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class StsIdentity implements Identity {
  private readonly api: () => Promise<{ sdk: Sdk; client: InstanceType<Sdk['STSClient']> }>;

  constructor(settings: AwsSettings) {
    this.api = lazyClient(
      () => import('./sdk/sts.js'),
      (sdk) => new sdk.STSClient(clientConfig(settings, 'sts', { maxAttempts: 2 })),
    );
  }

  async whoami(): Promise<{ account: string; arn: string; userId: string }> {
    const { sdk, client } = await this.api();
    const out = await aws('cannot confirm AWS credentials', () => client.send(new sdk.GetCallerIdentityCommand({})));
    return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
  }
}
