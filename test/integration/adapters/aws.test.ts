// The AWS adapters against a real moto server: conditional writes, paging, tags, parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  EC2Client,
  CreateVpcCommand,
  CreateSubnetCommand,
  RunInstancesCommand,
  DescribeImagesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { S3ObjectStore } from '../../../cli/adapters/aws/s3.js';
import { CloudWatchLogStore } from '../../../cli/adapters/aws/logs.js';
import { Ec2Instances } from '../../../cli/adapters/aws/ec2.js';
import { SsmParameters } from '../../../cli/adapters/aws/parameters.js';
import { StsIdentity } from '../../../cli/adapters/aws/sts.js';
import { PreconditionFailed } from '../../../cli/ports.js';
import type { AwsSettings } from '../../../cli/adapters/aws/config.js';

let moto: Moto;
let settings: AwsSettings;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env);
  settings = { region: 'us-east-1', env: process.env };
});

afterAll(async () => {
  await moto?.stop();
  process.env = saved;
});

describe('S3ObjectStore', () => {
  it('creates with If-None-Match once, then refuses; If-Match guards updates and deletes', async () => {
    const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'state' }));
    const store = new S3ObjectStore(settings, 'state');
    expect(await store.reachable()).toBe(true);
    expect(await new S3ObjectStore(settings, 'no-such-bucket').reachable()).toBe(false);
    const first = await store.put('ydeploy/x/lock.json', '{"holder":"a"}', { ifNoneMatch: '*' });
    await expect(store.put('ydeploy/x/lock.json', '{"holder":"b"}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailed,
    );
    const read = await store.get('ydeploy/x/lock.json');
    expect(read?.body).toBe('{"holder":"a"}');
    expect(read?.etag).toBe(first.etag);

    // If-Match with the etag read: the write goes through and the etag moves on.
    const second = await store.put('ydeploy/x/lock.json', '{"holder":"a","renewed":1}', { ifMatch: first.etag });
    expect(second.etag).not.toBe(first.etag);
    // If-Match with a stale etag: moto answers 412 itself (not only our mapping), nothing written.
    const raw = await s3
      .send(new PutObjectCommand({ Bucket: 'state', Key: 'ydeploy/x/lock.json', Body: 'x', IfMatch: first.etag }))
      .catch((e: { $metadata?: { httpStatusCode?: number } }) => e);
    expect(raw.$metadata?.httpStatusCode).toBe(412);
    await expect(
      store.put('ydeploy/x/lock.json', '{"holder":"stale"}', { ifMatch: first.etag }),
    ).rejects.toBeInstanceOf(PreconditionFailed);
    expect((await store.get('ydeploy/x/lock.json'))?.body).toBe('{"holder":"a","renewed":1}');
    // A conditional delete with a stale etag is refused too; with the current one it goes.
    await expect(store.delete('ydeploy/x/lock.json', { ifMatch: first.etag })).rejects.toBeInstanceOf(
      PreconditionFailed,
    );
    expect(await store.get('ydeploy/x/lock.json')).toBeDefined();
    await store.delete('ydeploy/x/lock.json', { ifMatch: second.etag });
    expect(await store.get('ydeploy/x/lock.json')).toBeUndefined();
    // If-Match on an object that is gone (S3 says NoSuchKey) is a lost condition, not an error.
    await expect(store.put('ydeploy/x/lock.json', '{}', { ifMatch: second.etag })).rejects.toBeInstanceOf(
      PreconditionFailed,
    );
    expect(await store.get('ydeploy/x/lock.json')).toBeUndefined();

    expect(await store.get('ydeploy/x/missing.json')).toBeUndefined();
    await store.put('ydeploy/x/journal/1.json', '{}');
    await store.put('ydeploy/x/journal/2.json', '{}');
    expect((await store.list('ydeploy/x/journal/')).map((o) => o.key)).toEqual([
      'ydeploy/x/journal/1.json',
      'ydeploy/x/journal/2.json',
    ]);
  });

  it("tells the server's time (HTTP Date) on reads and writes, and LastModified on reads", async () => {
    await new S3Client({ region: 'us-east-1', forcePathStyle: true }).send(
      new CreateBucketCommand({ Bucket: 'clock' }),
    );
    const store = new S3ObjectStore(settings, 'clock');
    const before = Date.now();
    const written = await store.put('ydeploy/x/clock.json', '{}');
    const read = await store.get('ydeploy/x/clock.json');
    // HTTP dates have whole seconds; moto runs on this machine's clock.
    for (const time of [written.serverTime, read?.serverTime, read?.lastModified]) {
      expect(time).toBeInstanceOf(Date);
      expect(Math.abs(time!.getTime() - before)).toBeLessThan(60_000);
    }
    expect(read!.serverTime!.getTime()).toBeGreaterThanOrEqual(read!.lastModified!.getTime() - 1000);
  });
});

describe('CloudWatchLogStore', () => {
  it('pages through interleaved events of named streams and keeps every event id', async () => {
    const client = new CloudWatchLogsClient({ region: 'us-east-1' });
    await client.send(new CreateLogGroupCommand({ logGroupName: '/ec2/test-logs' }));
    const base = Date.now() - 60_000;
    for (const stream of ['i-1-bot', 'i-1-health', 'i-2-bot']) {
      await client.send(new CreateLogStreamCommand({ logGroupName: '/ec2/test-logs', logStreamName: stream }));
      const events = Array.from({ length: 3000 }, (_, n) => ({
        timestamp: base + Math.floor(n / 3),
        message: `${stream} ${n}`,
      }));
      for (let i = 0; i < events.length; i += 1000) {
        await client.send(
          new PutLogEventsCommand({
            logGroupName: '/ec2/test-logs',
            logStreamName: stream,
            logEvents: events.slice(i, i + 1000),
          }),
        );
      }
    }
    const store = new CloudWatchLogStore(settings);
    const seen = new Set<string>();
    let pages = 0;
    let last = 0;
    for await (const page of store.pages({
      group: '/ec2/test-logs',
      streams: ['i-1-bot', 'i-1-health'],
      start: base - 1,
      pageSize: 1000,
    })) {
      pages++;
      for (const event of page) {
        seen.add(event.id);
        expect(event.stream === 'i-1-bot' || event.stream === 'i-1-health').toBe(true);
        expect(event.timestamp).toBeGreaterThanOrEqual(last - 0);
        last = Math.max(last, event.timestamp);
      }
    }
    expect(seen.size).toBe(6000);
    expect(pages).toBeGreaterThan(1);
    const streams = await store.streams('/ec2/test-logs');
    expect(streams.map((s) => s.name).sort()).toEqual(['i-1-bot', 'i-1-health', 'i-2-bot']);
    expect(await store.streams('/ec2/missing')).toEqual([]);
  });
});

describe('Ec2Instances', () => {
  it("lists the environment's bot instances with kind, release and subnet tier", async () => {
    const ec2 = new EC2Client({ region: 'us-east-1' });
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const subnet = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpc.Vpc!.VpcId!,
        CidrBlock: '10.9.1.0/24',
        TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Tier', Value: 'private' }] }],
      }),
    );
    const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
    const launch = (role: string, environment: string) =>
      ec2.send(
        new RunInstancesCommand({
          ImageId: image,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnet.Subnet!.SubnetId!,
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: [
                { Key: 'Role', Value: role },
                { Key: 'Environment', Value: environment },
                { Key: 'Project', Value: 'p' },
                { Key: 'Release', Value: 'v7' },
              ],
            },
          ],
        }),
      );
    const enhanced = (await launch('enhanced', 'staging')).Instances![0].InstanceId!;
    await launch('enhanced', 'other');
    const gone = (await launch('legacy', 'staging')).Instances![0].InstanceId!;
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [gone] }));
    const instances = await new Ec2Instances(settings, 'p').list('staging');
    expect(
      instances.map((i) => ({
        id: i.id,
        kind: i.kind,
        release: i.release,
        privateSubnet: i.privateSubnet,
        state: i.state,
      })),
    ).toEqual([{ id: enhanced, kind: 'enhanced', release: 'v7', privateSubnet: true, state: 'running' }]);
  });
});

describe('SsmParameters and StsIdentity', () => {
  it('stores a SecureString and reads it back decrypted; a missing one is undefined', async () => {
    const secrets = new SsmParameters(settings);
    await secrets.putSecure('/t/token', 'sekrit');
    expect(await secrets.get('/t/token', { decrypt: true })).toEqual({
      name: '/t/token',
      type: 'SecureString',
      value: 'sekrit',
    });
    expect(await secrets.get('/t/missing')).toBeUndefined();
    await expect(secrets.putSecure('/t/token', 'again')).rejects.toThrow(/cannot store SSM parameter \/t\/token/);
    expect((await new StsIdentity(settings).whoami()).account).toMatch(/^\d{12}$/);
  });
});
