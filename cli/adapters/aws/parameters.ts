// Secrets over SSM Parameter Store. Values are never logged or put into error messages.
type Sdk = typeof import('./sdk/ssm.js');
import type { Parameter, Secrets } from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws } from './errors.js';

export class SsmParameters implements Secrets {
  private readonly api: () => Promise<{ sdk: Sdk; client: InstanceType<Sdk['SSMClient']> }>;

  constructor(settings: AwsSettings) {
    this.api = lazyClient(
      () => import('./sdk/ssm.js'),
      (sdk) => new sdk.SSMClient(clientConfig(settings, 'ssm')),
    );
  }

  async get(name: string, options: { decrypt?: boolean } = {}): Promise<Parameter | undefined> {
    const { sdk, client } = await this.api();
    try {
      const out = await client.send(
        new sdk.GetParameterCommand({ Name: name, WithDecryption: options.decrypt ?? false }),
      );
      const p = out.Parameter!;
      return { name: p.Name ?? name, type: (p.Type ?? 'String') as Parameter['type'], value: p.Value ?? '' };
    } catch (error) {
      if ((error as { name?: string }).name === 'ParameterNotFound') return undefined;
      return aws(`cannot read SSM parameter ${name}`, () => Promise.reject(error));
    }
  }

  async putSecure(name: string, value: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const { sdk, client } = await this.api();
    await aws(`cannot store SSM parameter ${name}`, () =>
      client.send(
        new sdk.PutParameterCommand({
          Name: name,
          Value: value,
          Type: 'SecureString',
          Overwrite: options.overwrite ?? false,
        }),
      ),
    );
  }

  async delete(name: string): Promise<boolean> {
    const { sdk, client } = await this.api();
    try {
      await client.send(new sdk.DeleteParameterCommand({ Name: name }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ParameterNotFound') return false;
      return aws(`cannot delete SSM parameter ${name}`, () => Promise.reject(error));
    }
  }
}
