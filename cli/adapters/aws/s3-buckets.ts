// BucketSettings over S3: reads and sets a bucket's versioning, default encryption, public
// access block and policy. "Not configured" answers (no encryption, no public access block, no
// policy) read as undefined, not as errors.
type Sdk = typeof import('./sdk/s3.js');
import type { BucketSettings, PublicAccessBlock } from '../../ports.js';
import { clientConfig, lazyClient, usesCustomEndpoint, type AwsSettings } from './config.js';
import { toApiError } from './errors.js';

const NOT_CONFIGURED = new Set([
  'ServerSideEncryptionConfigurationNotFoundError',
  'NoSuchPublicAccessBlockConfiguration',
  'NoSuchBucketPolicy',
]);

export class S3BucketSettings implements BucketSettings {
  private readonly api: () => Promise<{ sdk: Sdk; client: InstanceType<Sdk['S3Client']> }>;
  readonly plainHttpLoopback: boolean;

  constructor(settings: AwsSettings) {
    const endpoint = clientConfig(settings, 's3').endpoint;
    this.plainHttpLoopback = endpoint !== undefined && isPlainHttpLoopback(endpoint);
    this.api = lazyClient(
      () => import('./sdk/s3.js'),
      (sdk) =>
        new sdk.S3Client({ ...clientConfig(settings, 's3'), forcePathStyle: usesCustomEndpoint(settings.env, 's3') }),
    );
  }

  async versioning(bucket: string): Promise<'Enabled' | 'Suspended' | undefined> {
    const { sdk, client } = await this.api();
    const out = await this.call(`cannot read the versioning of s3://${bucket}`, () =>
      client.send(new sdk.GetBucketVersioningCommand({ Bucket: bucket })),
    );
    const status = out?.Status;
    return status === 'Enabled' || status === 'Suspended' ? status : undefined;
  }

  async encryption(bucket: string): Promise<string | undefined> {
    const { sdk, client } = await this.api();
    const out = await this.call(`cannot read the default encryption of s3://${bucket}`, () =>
      client.send(new sdk.GetBucketEncryptionCommand({ Bucket: bucket })),
    );
    const rule = out?.ServerSideEncryptionConfiguration?.Rules?.find(
      (r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    );
    return rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
  }

  async publicAccessBlock(bucket: string): Promise<PublicAccessBlock | undefined> {
    const { sdk, client } = await this.api();
    const out = await this.call(`cannot read the public access block of s3://${bucket}`, () =>
      client.send(new sdk.GetPublicAccessBlockCommand({ Bucket: bucket })),
    );
    const c = out?.PublicAccessBlockConfiguration;
    if (!c) return undefined;
    return {
      blockPublicAcls: c.BlockPublicAcls === true,
      ignorePublicAcls: c.IgnorePublicAcls === true,
      blockPublicPolicy: c.BlockPublicPolicy === true,
      restrictPublicBuckets: c.RestrictPublicBuckets === true,
    };
  }

  async policy(bucket: string): Promise<string | undefined> {
    const { sdk, client } = await this.api();
    const out = await this.call(`cannot read the policy of s3://${bucket}`, () =>
      client.send(new sdk.GetBucketPolicyCommand({ Bucket: bucket })),
    );
    return out?.Policy || undefined;
  }

  async create(bucket: string, region: string): Promise<boolean> {
    const { sdk, client } = await this.api();
    try {
      await client.send(
        new sdk.CreateBucketCommand({
          Bucket: bucket,
          // us-east-1 is S3's default location and must not be named.
          ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'BucketAlreadyOwnedByYou') return false;
      throw toApiError(`cannot create s3://${bucket} in ${region}`, error);
    }
  }

  async enableVersioning(bucket: string): Promise<void> {
    const { sdk, client } = await this.api();
    await this.call(`cannot enable versioning of s3://${bucket}`, () =>
      client.send(
        new sdk.PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      ),
    );
  }

  async enableEncryption(bucket: string): Promise<void> {
    const { sdk, client } = await this.api();
    await this.call(`cannot set the default encryption of s3://${bucket}`, () =>
      client.send(
        new sdk.PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
        }),
      ),
    );
  }

  async blockPublicAccess(bucket: string): Promise<void> {
    const { sdk, client } = await this.api();
    await this.call(`cannot block public access to s3://${bucket}`, () =>
      client.send(
        new sdk.PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        }),
      ),
    );
  }

  async putPolicy(bucket: string, policy: string): Promise<void> {
    const { sdk, client } = await this.api();
    await this.call(`cannot set the policy of s3://${bucket}`, () =>
      client.send(new sdk.PutBucketPolicyCommand({ Bucket: bucket, Policy: policy })),
    );
  }

  /** The call's answer; undefined when S3 says the setting is not configured. */
  private async call<T>(what: string, send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await send();
    } catch (error) {
      if (NOT_CONFIGURED.has((error as { name?: string }).name ?? '')) return undefined;
      throw toApiError(what, error);
    }
  }
}

/** http://127.0.0.1:…, http://localhost:… or http://[::1]:… */
export function isPlainHttpLoopback(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}
