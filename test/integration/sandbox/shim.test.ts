// The Run Command shim against a real moto: commands really run with the instance's variables,
// results read back the SSM way, other SSM calls reach moto, other keys are refused.
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  ListCommandInvocationsCommand,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
  type GetCommandInvocationCommandOutput,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SsmRemoteExec } from '../../../cli/adapters/aws/ssm-run.js';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import { AGENT_OFFLINE_FILE } from '../../../cli/sandbox/emulators/runcommand/commands.js';
import { startRunCommandShim, type RunningShim } from '../../../cli/sandbox/emulators/runcommand/server.js';
import { writeUnitTools } from '../../../cli/sandbox/emulators/runcommand/unit-tools.js';
import { readJson, writeJson, type InstancesState } from '../../../cli/sandbox/state-files.js';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { freePort } from '../../_helpers/ports.js';
import { eventually, sandboxKey, tempSandboxDir } from '../../_helpers/sandbox.js';

const ID = 'i-0123456789abcdef0';
let moto: Moto;
let shim: RunningShim;
let temp: Awaited<ReturnType<typeof tempSandboxDir>>;
const key = sandboxKey();

function ssm(credentials = key, endpoint = shim.url): SSMClient {
  return new SSMClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
}

async function result(client: SSMClient, commandId: string): Promise<GetCommandInvocationCommandOutput> {
  return eventually('a final status', async () => {
    const out = await client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: ID }));
    return ['Pending', 'InProgress'].includes(out.Status!) ? undefined : out;
  });
}

beforeAll(async () => {
  moto = await startMoto();
  temp = await tempSandboxDir();
  const files = sandboxFiles(temp.dir);
  const state: InstancesState = {
    hostPid: process.pid,
    updatedAt: new Date().toISOString(),
    instances: {
      [ID]: {
        id: ID,
        kind: 'legacy',
        release: 'v1',
        tags: { Role: 'legacy', Environment: 'sandbox' },
        healthPort: 23456,
        readyFile: join(temp.dir, 'ready'),
        controlSocket: join(temp.dir, 'control.sock'),
        releaseDir: temp.dir,
        botRole: 'active',
        startedAt: new Date().toISOString(),
        units: {
          bot: { status: 'active', pid: process.pid, restarts: 0, log: join(temp.dir, 'bot.log') },
          health: { status: 'failed', restarts: 5, log: join(temp.dir, 'health.log') },
        },
      },
    },
  };
  await writeJson(files.instances, state);
  await writeUnitTools(files.bin);
  shim = await startRunCommandShim({
    port: await freePort(),
    motoEndpoint: moto.endpoint,
    credentials: key,
    instancesFile: files.instances,
    binDir: files.bin,
    baseEnv: { PATH: process.env.PATH! },
  });
});

afterAll(async () => {
  await shim?.close();
  await moto?.stop();
  await temp?.cleanup();
});

describe('Run Command shim', () => {
  it("runs the commands with the instance's own variables and records stdout, stderr and exit code", async () => {
    const client = ssm();
    const sent = await client.send(
      new SendCommandCommand({
        InstanceIds: [ID],
        DocumentName: 'AWS-RunShellScript',
        Parameters: {
          commands: [
            'echo "port=${YDEPLOY_HEALTH_PORT:-3000} id=$INSTANCE_ID ready=${YDEPLOY_READY_FILE:-/tmp/bot-ready}"',
            'echo oops >&2',
          ],
        },
      }),
    );
    expect(sent.Command?.Status).toMatch(/Pending|InProgress/);
    const out = await result(client, sent.Command!.CommandId!);
    expect(out.Status).toBe('Success');
    expect(out.ResponseCode).toBe(0);
    expect(out.StandardOutputContent).toBe(`port=23456 id=${ID} ready=${join(temp.dir, 'ready')}\n`);
    expect(out.StandardErrorContent).toBe('oops\n');
  });

  it('reports a failing command as Failed with its exit code', async () => {
    const client = ssm();
    const sent = await client.send(
      new SendCommandCommand({
        InstanceIds: [ID],
        DocumentName: 'AWS-RunShellScript',
        Parameters: { commands: ['exit 7'] },
      }),
    );
    const out = await result(client, sent.Command!.CommandId!);
    expect(out.Status).toBe('Failed');
    expect(out.ResponseCode).toBe(7);
  });

  it('times a command out after executionTimeout', async () => {
    const client = ssm();
    const sent = await client.send(
      new SendCommandCommand({
        InstanceIds: [ID],
        DocumentName: 'AWS-RunShellScript',
        Parameters: { commands: ['sleep 20'], executionTimeout: ['1'] },
      }),
    );
    const out = await result(client, sent.Command!.CommandId!);
    expect(out.Status).toBe('TimedOut');
  });

  it('cancels a running command and lists invocations with details', async () => {
    const client = ssm();
    const sent = await client.send(
      new SendCommandCommand({
        InstanceIds: [ID],
        DocumentName: 'AWS-RunShellScript',
        Parameters: { commands: ['echo started', 'sleep 20'] },
      }),
    );
    const commandId = sent.Command!.CommandId!;
    await eventually(
      'InProgress',
      async () =>
        (await client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: ID }))).Status ===
        'InProgress',
    );
    await client.send(new CancelCommandCommand({ CommandId: commandId }));
    expect((await result(client, commandId)).Status).toBe('Cancelled');
    const listed = await client.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }));
    expect(listed.CommandInvocations).toHaveLength(1);
    expect(listed.CommandInvocations![0].Status).toBe('Cancelled');
    expect(listed.CommandInvocations![0].CommandPlugins![0].Output).toContain('started');
  });

  it('says hosted instances are Online and refuses unknown ones', async () => {
    const client = ssm();
    const info = await client.send(
      new DescribeInstanceInformationCommand({
        Filters: [{ Key: 'InstanceIds', Values: [ID, 'i-00000000000000000'] }],
      }),
    );
    expect(info.InstanceInformationList?.map((i) => [i.InstanceId, i.PingStatus])).toEqual([[ID, 'Online']]);
    await expect(
      client.send(
        new SendCommandCommand({
          InstanceIds: ['i-00000000000000000'],
          DocumentName: 'AWS-RunShellScript',
          Parameters: { commands: ['true'] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidInstanceId' });
  });

  it('an instance whose agent is offline reports ConnectionLost and gets its command only once it is back', async () => {
    const client = ssm();
    const marker = join(sandboxFiles(temp.dir).instanceDir(ID), AGENT_OFFLINE_FILE);
    await mkdir(dirname(marker), { recursive: true });
    await writeFile(marker, '');
    try {
      const info = await client.send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [ID] }] }),
      );
      expect(info.InstanceInformationList?.map((i) => i.PingStatus)).toEqual(['ConnectionLost']);
      const online = await client.send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: 'PingStatus', Values: ['Online'] }] }),
      );
      expect(online.InstanceInformationList).toEqual([]);
      const sent = await client.send(
        new SendCommandCommand({
          InstanceIds: [ID],
          DocumentName: 'AWS-RunShellScript',
          TimeoutSeconds: 30,
          Parameters: { commands: ['echo delivered'] },
        }),
      );
      const commandId = sent.Command!.CommandId!;
      // Still waiting for the agent after several delivery attempts.
      await new Promise((r) => setTimeout(r, 1200));
      const waiting = await client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: ID }));
      expect(waiting.Status).toBe('Pending');
      await rm(marker);
      const out = await result(client, commandId);
      expect(out.Status).toBe('Success');
      expect(out.StandardOutputContent).toBe('delivered\n');
    } finally {
      await rm(marker, { force: true });
    }
  });

  it('times a command out undelivered when the agent stays offline past its delivery timeout', async () => {
    const marker = join(sandboxFiles(temp.dir).instanceDir(ID), AGENT_OFFLINE_FILE);
    await mkdir(dirname(marker), { recursive: true });
    await writeFile(marker, '');
    try {
      const instance = (await readJson<InstancesState>(sandboxFiles(temp.dir).instances))!.instances[ID];
      // The runner directly: SendCommand's own minimum delivery timeout is 30 s.
      const record = shim.runner.send(
        {
          documentName: 'AWS-RunShellScript',
          comment: '',
          parameters: { commands: ['echo never'] },
          instanceIds: [ID],
          targets: [],
          executionTimeout: 60,
          deliveryTimeout: 1,
        },
        [instance],
      );
      const invocation = record.invocations.get(ID)!;
      await eventually('delivery timed out', async () => invocation.status !== 'Pending');
      expect(invocation).toMatchObject({ status: 'TimedOut', details: 'DeliveryTimedOut', stdout: '' });
    } finally {
      await rm(marker, { force: true });
    }
  });

  it("answers the guide's systemctl / journalctl from the instance host's state", async () => {
    const client = ssm();
    const sent = await client.send(
      new SendCommandCommand({
        InstanceIds: [ID],
        DocumentName: 'AWS-RunShellScript',
        Parameters: {
          commands: ['systemctl is-active discord-bot', 'systemctl is-active discord-health || echo "exit=$?"'],
        },
      }),
    );
    const out = await result(client, sent.Command!.CommandId!);
    expect(out.StandardOutputContent).toBe('active\nfailed\nexit=3\n');
  });

  it('works through the RemoteExec adapter core uses', async () => {
    // The adapter reads endpoint and credentials from the standard variables.
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SSM: shim.url,
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    });
    try {
      const fresh = new SsmRemoteExec({ region: 'us-east-1', env: process.env }, 50);
      expect((await fresh.online([ID])).get(ID)).toBe('Online');
      const run = await fresh.run(ID, ['echo hello from $INSTANCE_ID']);
      expect(run).toMatchObject({ status: 'Success', exitCode: 0, stdout: `hello from ${ID}\n` });
    } finally {
      process.env = saved;
    }
  });

  it('forwards every other SSM call to moto', async () => {
    await ssm().send(
      new PutParameterCommand({ Name: '/shim/test', Type: 'SecureString', Value: 's3cr3t', Overwrite: true }),
    );
    const direct = ssm({ accessKeyId: 'testing', secretAccessKey: 'testing' }, moto.endpoint);
    const read = await direct.send(new GetParameterCommand({ Name: '/shim/test', WithDecryption: true }));
    expect(read.Parameter?.Value).toBe('s3cr3t');
    const through = await ssm().send(new GetParameterCommand({ Name: '/shim/test', WithDecryption: true }));
    expect(through.Parameter?.Value).toBe('s3cr3t');
  });

  it('refuses a request signed with another key, and one with a wrong secret', async () => {
    const other = ssm(sandboxKey());
    await expect(other.send(new GetParameterCommand({ Name: '/shim/test' }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      other.send(
        new SendCommandCommand({
          InstanceIds: [ID],
          DocumentName: 'AWS-RunShellScript',
          Parameters: { commands: ['touch /tmp/should-not-run'] },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    const forged = ssm({ accessKeyId: key.accessKeyId, secretAccessKey: 'not-the-secret' });
    await expect(forged.send(new DescribeInstanceInformationCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
  });
});
