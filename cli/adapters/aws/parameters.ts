// Secrets over SSM Parameter Store. Values are never logged or put into error messages.
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Parameter, Secrets } from '../../ports.js';
import { clientConfig, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class SsmParameters implements Secrets {
  private readonly client: SSMClient;

  constructor(settings: AwsSettings) {
    this.client = new SSMClient(clientConfig(settings));
  }

  async get(name: string, options: { decrypt?: boolean } = {}): Promise<Parameter | undefined> {
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: name, WithDecryption: options.decrypt ?? false }));
      const p = out.Parameter!;
      return { name: p.Name ?? name, type: (p.Type ?? 'String') as Parameter['type'], value: p.Value ?? '' };
    } catch (error) {
      if ((error as { name?: string }).name === 'ParameterNotFound') return undefined;
      return aws(`cannot read SSM parameter ${name}`, () => Promise.reject(error));
    }
  }

  async putSecure(name: string, value: string, options: { overwrite?: boolean } = {}): Promise<void> {
    await aws(`cannot store SSM parameter ${name}`, () =>
      this.client.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: options.overwrite ?? false })),
    );
  }
}
