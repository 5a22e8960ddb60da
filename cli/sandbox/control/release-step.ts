// Builds the bundled bot as a release and uploads it into the sandbox's release bucket (moto),
// through the release engineer's buildRelease/uploadRelease.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { buildRelease } from '../../release/build.js';
import { uploadRelease, type ReleaseStore } from '../../release/upload.js';
import type { SandboxState } from '../state-files.js';

export async function publishRelease(o: { state: SandboxState; version: string; workDir: string }): Promise<void> {
  const { state } = o;
  const s3 = new S3Client({
    region: state.region,
    endpoint: state.endpoints.aws,
    forcePathStyle: true,
    credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
  });
  const store: ReleaseStore = {
    put: async (key, body, options = {}) => {
      const out = await s3.send(new PutObjectCommand({ Bucket: state.releaseBucket, Key: key, Body: body, ContentType: options.contentType }));
      return { etag: out.ETag ?? '' };
    },
    get: async (key) => {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: state.releaseBucket, Key: key }));
        return { body: (await out.Body?.transformToString('utf8')) ?? '', etag: out.ETag ?? '' };
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
  };
  const { dir } = await buildRelease({ version: o.version, outDir: join(o.workDir, o.version) });
  await uploadRelease(store, dir, o.version);
}
