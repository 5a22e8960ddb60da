// The runner with the hashicorp/aws provider from the plugin mirror, against a moto server this
// file starts, with state in moto's S3 (S3 backend, use_lockfile, path-style).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { TerraformRunner } from '../../../cli/adapters/terraform/runner.js';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { pluginDir, requireTool } from '../../_helpers/tools.js';
import { RecordingReporter } from '../../unit/adapters/terraform/recorder.js';
import { copyFixture, processesIn, removeDir } from './helpers.js';

requireTool('terraform');

let moto: Moto;
let dir: string;

beforeAll(async () => {
  moto = await startMoto();
  dir = copyFixture('aws');
});

afterAll(async () => {
  await moto?.stop();
  removeDir(dir);
});

describe('the aws provider from the mirror, state in S3 on moto', () => {
  it('applies a bucket and a parameter, reads outputs, plans no changes after, and destroys', async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const ssm = new SSMClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'tf-state' }));

    const reporter = new RecordingReporter();
    const terraform = new TerraformRunner({
      dir,
      reporter,
      environment: 'moto',
      pluginDir: pluginDir(),
      env: { ...process.env, ...moto.env, TF_CLI_CONFIG_FILE: '/nonexistent/terraformrc' },
    });
    await terraform.init({
      backendConfig: {
        bucket: 'tf-state',
        key: 'ydeploy/moto/terraform.tfstate',
        region: 'us-east-1',
        use_lockfile: 'true',
        use_path_style: 'true',
      },
    });
    // The mirror is also written as a CLI config, so later commands find the same providers.
    const rc = readFileSync(join(dir, '.ydeploy', 'terraform.rc'), 'utf8');
    expect(rc).toContain(`filesystem_mirror {\n    path = "${pluginDir()}"`);
    expect(existsSync(join(dir, '.ydeploy', 'moto', 'terraform', 'providers'))).toBe(true);

    const vars = { bucket_name: 'releases-test', parameter_name: '/ydeploy/test/release' };
    const applied = await terraform.apply({ vars });
    expect(applied).toMatchObject({ add: 2, change: 0, remove: 0 });
    expect(reporter.of('succeed').sort()).toEqual([
      'create aws_s3_bucket.releases',
      'create aws_ssm_parameter.release',
      'terraform apply',
    ]);

    const outputs = await terraform.output();
    expect(outputs.bucket).toBe('releases-test');
    expect(outputs.parameter_arn).toMatch(/^arn:aws:ssm:us-east-1:\d+:parameter\/ydeploy\/test\/release$/);
    expect((await ssm.send(new GetParameterCommand({ Name: '/ydeploy/test/release' }))).Parameter?.Value).toBe('v1');

    // State is in the bucket, and the lock file is gone once terraform is done.
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'tf-state' }))).Contents?.map((o) => o.Key);
    expect(keys).toEqual(['ydeploy/moto/terraform.tfstate']);
    const state = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: 'tf-state', Key: 'ydeploy/moto/terraform.tfstate' }))
      ).Body!.transformToString(),
    );
    expect(state.resources.map((r: { type: string }) => r.type).sort()).toEqual(['aws_s3_bucket', 'aws_ssm_parameter']);

    expect(await terraform.plan({ vars })).toMatchObject({ changed: false, add: 0, change: 0, remove: 0 });

    expect(await terraform.destroy({ vars })).toMatchObject({ remove: 2 });
    await expect(ssm.send(new GetParameterCommand({ Name: '/ydeploy/test/release' }))).rejects.toThrow(
      /ParameterNotFound|not found/i,
    );
    expect(processesIn(dir)).toEqual([]);
  });
});
