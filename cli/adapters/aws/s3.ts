// ObjectStore over S3, with the conditional writes the lock relies on (If-None-Match / If-Match).
type Sdk = typeof import('./sdk/s3.js');
import type { GetObjectCommandOutput, PutObjectCommandOutput } from '@aws-sdk/client-s3';
import { PreconditionFailed, type ObjectStore, type StoredObject } from '../../ports.js';
import { clientConfig, lazyClient, usesCustomEndpoint, type AwsSettings } from './config.js';
import { aws, toApiError } from './errors.js';

export class S3ObjectStore implements ObjectStore {
  private readonly api: () => Promise<{ sdk: Sdk; client: InstanceType<Sdk['S3Client']> }>;

  constructor(
    settings: AwsSettings,
    readonly bucket: string,
  ) {
    this.api = lazyClient(
      () => import('./sdk/s3.js'),
      (sdk) =>
        new sdk.S3Client({ ...clientConfig(settings, 's3'), forcePathStyle: usesCustomEndpoint(settings.env, 's3') }),
    );
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const { sdk, client } = await this.api();
    try {
      const { output: out, serverTime } = await sendDated<GetObjectCommandOutput>(
        client,
        new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return {
        body: (await out.Body?.transformToString('utf8')) ?? '',
        etag: out.ETag ?? '',
        lastModified: out.LastModified,
        serverTime,
      };
    } catch (error) {
      if (isStatus(error, 404) || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw toApiError(`cannot read s3://${this.bucket}/${key}`, error);
    }
  }

  async put(
    key: string,
    body: string | Uint8Array,
    options: { ifNoneMatch?: '*'; ifMatch?: string; contentType?: string } = {},
  ): Promise<{ etag: string; serverTime?: Date }> {
    const { sdk, client } = await this.api();
    try {
      const { output: out, serverTime } = await sendDated<PutObjectCommandOutput>(
        client,
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType:
            options.contentType ?? (typeof body === 'string' ? 'application/json' : 'application/octet-stream'),
          IfNoneMatch: options.ifNoneMatch,
          IfMatch: options.ifMatch,
        }),
      );
      return { etag: out.ETag ?? '', serverTime };
    } catch (error) {
      if (isStatus(error, 412) || isStatus(error, 409)) throw new PreconditionFailed(key);
      // If-Match on an object that is gone: S3 answers NoSuchKey; the object is not the one read.
      if (options.ifMatch !== undefined && isStatus(error, 404)) throw new PreconditionFailed(key);
      throw toApiError(`cannot write s3://${this.bucket}/${key}`, error);
    }
  }

  async delete(key: string, options: { ifMatch?: string } = {}): Promise<void> {
    const { sdk, client } = await this.api();
    try {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: options.ifMatch }));
    } catch (error) {
      if (isStatus(error, 412)) throw new PreconditionFailed(key);
      if (isStatus(error, 404)) return;
      throw toApiError(`cannot delete s3://${this.bucket}/${key}`, error);
    }
  }

  async list(prefix: string): Promise<{ key: string; lastModified?: Date; size?: number }[]> {
    const { sdk, client } = await this.api();
    const items: { key: string; lastModified?: Date; size?: number }[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await aws(`cannot list s3://${this.bucket}/${prefix}`, () =>
        client.send(new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken })),
      );
      for (const o of page.Contents ?? []) items.push({ key: o.Key ?? '', lastModified: o.LastModified, size: o.Size });
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return items;
  }

  async reachable(): Promise<boolean> {
    const { sdk, client } = await this.api();
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket: this.bucket }));
      return true;
    } catch (error) {
      if (isStatus(error, 404) || isStatus(error, 403) || (error as { name?: string }).name === 'NotFound')
        return false;
      throw toApiError(`cannot reach s3://${this.bucket}`, error);
    }
  }
}

/**
 * Send a command and keep the server's HTTP Date of its answer: S3's clock, which judges the
 * lock's age together with LastModified (the SDK's output carries no response headers).
 */
async function sendDated<Output>(
  client: { send(command: never): Promise<unknown> },
  command: { middlewareStack: object },
): Promise<{ output: Output; serverTime?: Date }> {
  let serverTime: Date | undefined;
  type Next = (args: unknown) => Promise<{ response?: { headers?: Record<string, string | undefined> } }>;
  const stack = command.middlewareStack as {
    add(middleware: (next: Next) => Next, options: { step: 'deserialize'; name: string }): void;
  };
  stack.add(
    (next) => async (args) => {
      const result = await next(args);
      const date = result.response?.headers?.date ?? result.response?.headers?.Date;
      const parsed = date ? Date.parse(date) : NaN;
      if (Number.isFinite(parsed)) serverTime = new Date(parsed);
      return result;
    },
    { step: 'deserialize', name: 'ydeployServerDate' },
  );
  const output = (await client.send(command as never)) as Output;
  return { output, serverTime };
}

function isStatus(error: unknown, status: number): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === status;
}
