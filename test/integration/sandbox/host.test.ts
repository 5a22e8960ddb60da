// The instance host against a real moto: it boots each running bot instance from its release,
// ships output to the right CloudWatch streams, restarts a crashed bot, stops the processes of a
// terminated instance (and kills those of a stopped one at once), and keeps its bots running while moto is down.
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstanceHost } from '../../../cli/sandbox/emulators/host/host.js';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import { readJson, type InstancesState } from '../../../cli/sandbox/state-files.js';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { freePort } from '../../_helpers/ports.js';
import { alive, eventually, tempSandboxDir, uploadFixtureRelease } from '../../_helpers/sandbox.js';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const GROUP = '/ec2/sandbox-logs';
let moto: Moto;
let temp: Awaited<ReturnType<typeof tempSandboxDir>>;
let host: InstanceHost;
let ec2: EC2Client;
let logs: CloudWatchLogsClient;
let crashFile: string;
const hostLog: string[] = [];

/** An instance as terraform tags it; `botRole` is the BotRole tag (without one the bot stands by). */
async function launch(role: string, botRole?: 'active' | 'standby'): Promise<string> {
  const images = await ec2.send(new DescribeImagesCommand({}));
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: images.Images![0].ImageId,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 't3.micro',
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'Project', Value: 'ydeploy' },
            { Key: 'Environment', Value: 'sandbox' },
            { Key: 'Role', Value: role },
            { Key: 'Release', Value: 'fx-1' },
            ...(botRole ? [{ Key: 'BotRole', Value: botRole }] : []),
          ],
        },
      ],
    }),
  );
  return out.Instances![0].InstanceId!;
}

async function hosted(): Promise<InstancesState> {
  return (await readJson<InstancesState>(sandboxFiles(temp.dir).instances))!;
}

async function streamMessages(stream: string): Promise<string[]> {
  const out = await logs.send(
    new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: [stream], interleaved: true }),
  );
  return (out.events ?? []).map((e) => e.message ?? '');
}

beforeAll(async () => {
  moto = await startMoto();
  temp = await tempSandboxDir();
  crashFile = join(temp.dir, 'crash-now');
  const aws = { region: 'us-east-1', endpoint: moto.endpoint, credentials };
  ec2 = new EC2Client(aws);
  logs = new CloudWatchLogsClient(aws);
  await uploadFixtureRelease(new S3Client({ ...aws, forcePathStyle: true }), 'rel-bucket', 'fx-1');
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  host = new InstanceHost({
    dir: temp.dir,
    project: 'ydeploy',
    region: 'us-east-1',
    motoEndpoint: moto.endpoint,
    credentials,
    releaseBucket: 'rel-bucket',
    tokenParameter: '/ydeploy/sandbox/discord-token',
    logGroup: GROUP,
    metricNamespace: 'ydeploy/ydeploy/sandbox',
    discordApi: 'http://127.0.0.1:1/api',
    healthPortBase: await freePort(),
    baseEnv: { PATH: process.env.PATH!, CRASH_FILE: crashFile },
    log: (line) => hostLog.push(line),
  });
  await host.start();
});

afterAll(async () => {
  await host?.stop();
  await moto?.stop();
  await temp?.cleanup();
});

describe('instance host', () => {
  let first: string;

  it('boots a running instance from its release: bot and health server, healthy', async () => {
    first = await launch('legacy', 'active');
    const instance = await eventually('the instance hosted', async () => (await hosted()).instances[first]);
    expect(instance).toMatchObject({ kind: 'legacy', release: 'fx-1', botRole: 'active' });
    const health = await eventually('healthy', async () => {
      const res = await fetch(`http://127.0.0.1:${instance.healthPort}/health`);
      return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
    });
    expect(health).toEqual({ status: 'healthy', instanceId: first, version: 'fx-1' });
    const state = await hosted();
    expect(alive(state.instances[first].units.bot.pid)).toBe(true);
    expect(alive(state.instances[first].units.health.pid)).toBe(true);
  });

  it("ships each process's output to its own CloudWatch stream", async () => {
    const bot = await eventually('bot lines in CloudWatch', async () => {
      const messages = await streamMessages(`${first}-bot`);
      return messages.some((m) => m.includes('heartbeat')) ? messages : undefined;
    });
    expect(JSON.parse(bot[0])).toMatchObject({
      msg: 'bot starting',
      instanceId: first,
      role: 'active',
      tokenParameter: '/ydeploy/sandbox/discord-token',
    });
    const health = await eventually('health lines in CloudWatch', async () => {
      const messages = await streamMessages(`${first}-health`);
      return messages.length ? messages : undefined;
    });
    expect(health.every((m) => m.includes('health request'))).toBe(true);
    expect(bot.some((m) => m.includes('health request'))).toBe(false);
  });

  it('restarts a crashed bot, as Restart=on-failure would', async () => {
    const before = (await hosted()).instances[first].units.bot;
    await writeFile(crashFile, '');
    await eventually('the crash seen', async () => (await hosted()).instances[first].units.bot.lastExit?.code === 3);
    await rm(crashFile);
    const after = await eventually('restarted', async () => {
      const unit = (await hosted()).instances[first].units.bot;
      return unit.status === 'active' && unit.pid !== before.pid ? unit : undefined;
    });
    expect(after.restarts).toBe(1);
    expect(alive(before.pid)).toBe(false);
    expect(alive(after.pid)).toBe(true);
  });

  it('starts a second bot of the environment as standby', async () => {
    const second = await launch('enhanced');
    const instance = await eventually('the second instance hosted', async () => (await hosted()).instances[second]);
    expect(instance.botRole).toBe('standby');
    expect(instance.healthPort).not.toBe((await hosted()).instances[first].healthPort);
  });

  it('stops the bot and health server when the instance is terminated', async () => {
    const { bot, health } = (await hosted()).instances[first].units;
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [first] }));
    await eventually('unhosted', async () => !(await hosted()).instances[first]);
    await eventually('processes gone', async () => !alive(bot.pid) && !alive(health.pid));
    // Its last words (logged on SIGTERM) still reach CloudWatch.
    await eventually('the shutdown line shipped', async () =>
      (await streamMessages(`${first}-bot`)).some((m) => m.includes('bot stopped')),
    );
  });

  it('kills the bot and health server at once when the instance is stopped, as a halted OS would (the handoff fences this way)', async () => {
    const third = await launch('enhanced');
    const instance = await eventually('the third instance running', async () => {
      const found = (await hosted()).instances[third];
      const units = found?.units;
      return units?.bot.pid && units.health.pid && alive(units.bot.pid) && existsSync(found.readyFile)
        ? found
        : undefined;
    });
    const { bot, health } = instance.units;
    const stoppedAt = Date.now();
    await ec2.send(new StopInstancesCommand({ InstanceIds: [third] }));
    await eventually('processes gone', async () => !alive(bot.pid!) && !alive(health.pid!), 5000, 20);
    // Within one poll (500 ms) and the kill: the handoff activates the new bot 1 s after EC2 says stopped.
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
    // Killed, not shut down: no last words, and its readiness file is left as it was.
    expect(await readFile(bot.log, 'utf8')).not.toContain('bot stopped');
    expect(existsSync(instance.readyFile)).toBe(true);
    expect(hostLog.some((line) => line.includes(`instance ${third}: killing its bot and health server`))).toBe(true);
    await eventually('unhosted', async () => !(await hosted()).instances[third]);
  });

  it('keeps its bots running while moto is down, and says so', async () => {
    const [remaining] = Object.values((await hosted()).instances);
    await moto.stop();
    const state = await eventually('the outage noticed', async () => {
      const s = await hosted();
      return s.lastError ? s : undefined;
    });
    expect(state.lastError).toMatch(/ECONNREFUSED|connect|socket/i);
    await new Promise((r) => setTimeout(r, 1500));
    expect(alive(remaining.units.bot.pid)).toBe(true);
    expect((await hosted()).instances[remaining.id].units.bot.status).toBe('active');
  });
});
