// SDK clients pointed at the moto a test file started, and the fixtures every stack needs.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  EC2Client,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Moto } from '../../_helpers/moto.js';

export const REGION = 'us-east-1';
export const STATE_BUCKET = 'ydeploy-tf-module-state';

export interface Clients {
  ec2: EC2Client;
  s3: S3Client;
  ssm: SSMClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  iam: IAMClient;
  kms: KMSClient;
}

export function clients(moto: Moto): Clients {
  const config = {
    endpoint: moto.endpoint,
    region: REGION,
    credentials: { accessKeyId: moto.env.AWS_ACCESS_KEY_ID!, secretAccessKey: moto.env.AWS_SECRET_ACCESS_KEY! },
    maxAttempts: 2,
  };
  return {
    ec2: new EC2Client(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    ssm: new SSMClient(config),
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    iam: new IAMClient(config),
    kms: new KMSClient(config),
  };
}

/** The state bucket (created through the SDK, as ydeploy does before its first init). */
export async function createStateBucket(aws: Clients): Promise<void> {
  await aws.s3.send(new CreateBucketCommand({ Bucket: STATE_BUCKET }));
}

/** The token parameter of an environment, holding a recognisable secret; returns the secret. */
export async function putToken(aws: Clients, name: string): Promise<string> {
  const secret = `MTA-secret-${Math.random().toString(36).slice(2)}.Gx7a1b.${Math.random().toString(36).slice(2)}`;
  await aws.ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: secret }));
  return secret;
}

export async function describeInstance(aws: Clients, id: string): Promise<Instance> {
  const out = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const instance = out.Reservations?.[0]?.Instances?.[0];
  if (!instance) throw new Error(`instance ${id} not found in moto`);
  return instance;
}

export async function userData(aws: Clients, id: string): Promise<string> {
  const out = await aws.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
  return Buffer.from(out.UserData?.Value ?? '', 'base64').toString('utf8');
}

export async function stateObject(aws: Clients, key: string): Promise<string> {
  const out = await aws.s3.send(new GetObjectCommand({ Bucket: STATE_BUCKET, Key: key }));
  return out.Body!.transformToString();
}

export function tag(instance: Instance, key: string): string | undefined {
  return instance.Tags?.find((t) => t.Key === key)?.Value;
}

export function stopAll(aws: Clients | undefined): void {
  if (!aws) return;
  for (const client of Object.values(aws)) client.destroy();
}
