import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, Imds, type ImdsFacts } from '../../../../cli/sandbox/emulators/machine/imds.js';

const facts: ImdsFacts = {
  instanceId: 'i-0abc',
  region: 'eu-west-1',
  availabilityZone: 'eu-west-1a',
  privateIp: '10.0.1.7',
  localHostname: 'ip-10-0-1-7.eu-west-1.compute.internal',
  instanceType: 't3.small',
  amiId: 'ami-1',
  tags: { BotRole: 'standby', Role: 'enhanced' },
  metadata: { httpTokens: 'required', httpEndpoint: 'enabled', hopLimit: 1, tags: true },
  iamRole: 'bot-instance',
  credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'secret' },
};

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(f: ImdsFacts | undefined): Promise<string> {
  const imds = new Imds(async () => f);
  server = createServer((req, res) => void imds.handle(req, res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('IMDSv2 stand-in', () => {
  it('hands out a token for a PUT with a TTL and answers with it; refuses without one when tokens are required', async () => {
    const url = await serve(facts);
    expect((await fetch(`${url}/latest/meta-data/instance-id`)).status).toBe(401);
    expect((await fetch(`${url}/latest/api/token`, { method: 'PUT' })).status).toBe(400);
    const put = await fetch(`${url}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
    });
    const token = await put.text();
    const get = (path: string, t = token) => fetch(`${url}${path}`, { headers: { 'x-aws-ec2-metadata-token': t } });
    expect(await (await get('/latest/meta-data/instance-id')).text()).toBe('i-0abc');
    expect(await (await get('/latest/meta-data/tags/instance/BotRole')).text()).toBe('standby');
    expect((await get('/latest/meta-data/instance-id', 'forged')).status).toBe(401);
    const creds = JSON.parse(await (await get('/latest/meta-data/iam/security-credentials/bot-instance')).text());
    expect(creds).toMatchObject({ Code: 'Success', AccessKeyId: 'AKIA1', SecretAccessKey: 'secret' });
  });

  it('refuses a token request relayed by a proxy (X-Forwarded-For), as EC2 does', async () => {
    const url = await serve(facts);
    const put = await fetch(`${url}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '172.17.0.2' },
    });
    expect(put.status).toBe(403);
  });

  it('answers without a token when tokens are optional (IMDSv1)', async () => {
    const url = await serve({ ...facts, metadata: { ...facts.metadata, httpTokens: 'optional' } });
    expect(await (await fetch(`${url}/latest/meta-data/local-ipv4`)).text()).toBe('10.0.1.7');
  });

  it("serves a shard group's Shards and ShardCount tags verbatim, as the launcher reads them", async () => {
    const url = await serve({
      ...facts,
      tags: { ...facts.tags, Shards: '0,1', ShardCount: '4', ShardGroup: 's0-1of4' },
    });
    const token = await (
      await fetch(`${url}/latest/api/token`, {
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      })
    ).text();
    const get = async (path: string) =>
      (
        await fetch(`${url}/latest/meta-data/tags/instance${path}`, { headers: { 'x-aws-ec2-metadata-token': token } })
      ).text();
    expect(await get('')).toBe('BotRole\nRole\nShardCount\nShardGroup\nShards');
    expect(await get('/Shards')).toBe('0,1');
    expect(await get('/ShardCount')).toBe('4');
    // A single-shard instance has no such tags: the launcher's lookup gets EC2's 404.
    expect(answer('/latest/meta-data/tags/instance/Shards', facts)).toBeUndefined();
  });

  it('has tags only with instance metadata tags enabled, and 404s what EC2 would', () => {
    expect(answer('/latest/meta-data/tags/instance', facts)).toBe('BotRole\nRole');
    expect(
      answer('/latest/meta-data/tags/instance/BotRole', { ...facts, metadata: { ...facts.metadata, tags: false } }),
    ).toBeUndefined();
    expect(answer('/latest/meta-data/iam/security-credentials/other-role', facts)).toBeUndefined();
    expect(answer('/latest/meta-data/nope', facts)).toBeUndefined();
    expect(answer('/latest/meta-data/iam/security-credentials/', facts)).toBe('bot-instance');
  });
});
