// `ydeploy sandbox up` from nothing, as a user runs it (the built CLI): a healthy legacy bot
// behind real terraform, reachable through the Run Command shim, logging to CloudWatch,
// answering slash commands; then `down` leaves no process behind.
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import {
  GetCommandInvocationCommand,
  SendCommandCommand,
  SSMClient,
  type GetCommandInvocationCommandOutput,
} from '@aws-sdk/client-ssm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSandbox } from '../../../cli/sandbox/control/ensure.js';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import { readJson, type InstancesState, type SandboxState } from '../../../cli/sandbox/state-files.js';
import { createReporter } from '../../../cli/output/reporter.js';
import { isFree } from '../../../cli/sandbox/control/daemons.js';
import { freePort } from '../../_helpers/ports.js';
import { alive, eventually, isolatedEnv, privateBuild, resultOf, ydeploy as run } from '../../_helpers/sandbox.js';
import { requireTool } from '../../_helpers/tools.js';

let cwd: string;
let env: NodeJS.ProcessEnv;
let state: SandboxState;
let legacyId: string;
let upSeconds = 0;
let build: Awaited<ReturnType<typeof privateBuild>>;
const ydeploy = (args: string[], e: NodeJS.ProcessEnv, dir: string) => run(args, e, dir, build.bin);
const pids: number[] = [];

function ssm(credentials = { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey }): SSMClient {
  return new SSMClient({ region: state.region, endpoint: state.endpoints.ssm, credentials, maxAttempts: 1 });
}

async function instances(): Promise<InstancesState> {
  return (await readJson<InstancesState>(sandboxFiles(state.dir).instances))!;
}

beforeAll(async () => {
  requireTool('terraform');
  requireTool('moto_server');
  build = await privateBuild();
  cwd = await mkdtemp(join(tmpdir(), 'ydeploy-sandbox-e2e-'));
  // A base of its own, so a developer's sandbox (29500) and other tests do not collide.
  env = isolatedEnv(join(cwd, '.ydeploy', 'sandbox'), (await freePort()) - ((await freePort()) % 100) + 40);
  const up = await ydeploy(['sandbox', 'up', '--json'], env, cwd);
  upSeconds = up.seconds;
  if (up.code !== 0) throw new Error(`sandbox up failed (${up.code}):\n${up.stderr}\n${up.stdout}`);
  const result = resultOf(up.stdout);
  legacyId = result.legacy.instanceId;
  state = (await readJson<SandboxState>(sandboxFiles(result.dir).state))!;
  pids.push(...Object.values(state.daemons).map((d) => d!.pid));
});

afterAll(async () => {
  if (env) await ydeploy(['sandbox', 'down', '--purge'], env, cwd);
  if (cwd) await rm(cwd, { recursive: true, force: true });
  await build?.cleanup();
});

describe('ydeploy sandbox', () => {
  it('comes up from nothing with a healthy legacy bot, on loopback', async () => {
    expect(legacyId).toMatch(/^i-[0-9a-f]+$/);
    expect(Object.keys(state.daemons).sort()).toEqual(['discord', 'host', 'moto', 'shim']);
    expect(Object.values(state.endpoints).every((url) => url.startsWith('http://127.0.0.1:'))).toBe(true);
    const legacy = (await instances()).instances[legacyId];
    expect(legacy).toMatchObject({
      kind: 'legacy',
      release: 'legacy-1',
      botRole: 'active',
      tags: { Role: 'legacy', Environment: 'sandbox' },
    });
    pids.push(legacy.units.bot.pid!, legacy.units.health.pid!);
    console.info(`sandbox up, from nothing to a healthy legacy bot: ${upSeconds.toFixed(1)} s`);
  });

  it("answers a health probe through the Run Command shim with the bot's real health JSON", async () => {
    const client = ssm();
    const sent = await client.send(
      new SendCommandCommand({
        InstanceIds: [legacyId],
        DocumentName: 'AWS-RunShellScript',
        Parameters: {
          commands: ['curl -s -w "\\n%{http_code}" "http://127.0.0.1:${YDEPLOY_HEALTH_PORT:-3000}/health"'],
        },
      }),
    );
    const out = await eventually<GetCommandInvocationCommandOutput>('the probe result', async () => {
      const r = await client.send(
        new GetCommandInvocationCommand({ CommandId: sent.Command!.CommandId!, InstanceId: legacyId }),
      );
      return ['Pending', 'InProgress'].includes(r.Status!) ? undefined : r;
    });
    expect(out.Status).toBe('Success');
    const [body, code] = out.StandardOutputContent!.trim().split('\n');
    expect(code).toBe('200');
    const health = JSON.parse(body);
    expect(health).toMatchObject({ status: 'healthy', instanceId: legacyId, version: 'legacy-1', role: 'active' });
    expect(health.discord.ready).toBe(true);
    expect(typeof health.uptime).toBe('number');
  });

  it('ships the bot and health logs to CloudWatch, each in its own stream', async () => {
    const logs = new CloudWatchLogsClient({
      region: state.region,
      endpoint: state.endpoints.aws,
      credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
    });
    const read = async (stream: string) =>
      (
        (
          await logs.send(
            new FilterLogEventsCommand({
              logGroupName: `/ec2/${state.project}-sandbox-logs`,
              logStreamNames: [stream],
              interleaved: true,
            }),
          )
        ).events ?? []
      ).map((e) => e.message ?? '');
    const bot = await eventually('bot stream', async () => {
      const m = await read(`${legacyId}-bot`);
      return m.some((line) => line.includes('ready on Discord')) ? m : undefined;
    });
    // The bot logs JSON lines (pino); node's own warnings on stderr land in the same stream, as in journald.
    const json = bot.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    expect(json.length).toBeGreaterThan(0);
    expect(json.every((line) => line.name === 'bot')).toBe(true);
    const health = await eventually('health stream', async () => {
      const m = await read(`${legacyId}-health`);
      return m.length ? m : undefined;
    });
    expect(health.some((line) => line.includes('"name":"bot"'))).toBe(false);
    expect([...bot, ...health].join('\n')).not.toContain(state.discordToken);
  });

  it('sends a slash command to the emulated Discord and shows who answered', async () => {
    const ping = await ydeploy(['sandbox', 'discord', 'ping'], env, cwd);
    expect(ping.code).toBe(0);
    expect(ping.stdout).toContain(`answered by ${legacyId}`);
  });

  it('is idempotent: a second up starts nothing, and ensureSandbox returns the standard variables', async () => {
    const again = await ydeploy(['sandbox', 'up', '--json'], env, cwd);
    expect(again.code).toBe(0);
    expect(resultOf(again.stdout)).toMatchObject({
      started: [],
      provisioned: false,
      pids: Object.fromEntries(Object.entries(state.daemons).map(([k, d]) => [k, d!.pid])),
    });
    const reporter = await createReporter({
      json: true,
      stdout: { write: () => true } as never,
      stderr: { write: () => true } as never,
    });
    const vars = await ensureSandbox({ cwd, env, reporter });
    expect(vars).toMatchObject({
      AWS_ENDPOINT_URL: state.endpoints.aws,
      AWS_ENDPOINT_URL_SSM: state.endpoints.ssm,
      AWS_ACCESS_KEY_ID: state.accessKeyId,
      AWS_SECRET_ACCESS_KEY: state.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      YDEPLOY_DISCORD_CONTROL: state.endpoints.discordControl,
    });
  });

  it('refuses a request to the shim signed with another key', async () => {
    const other = ssm({ accessKeyId: 'AKIAOTHERKEY00000000', secretAccessKey: 'x'.repeat(40) });
    await expect(
      other.send(
        new SendCommandCommand({
          InstanceIds: [legacyId],
          DocumentName: 'AWS-RunShellScript',
          Parameters: { commands: ['true'] },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('stops the bot when its instance is terminated in EC2', async () => {
    const { bot, health } = (await instances()).instances[legacyId].units;
    const ec2 = new EC2Client({
      region: state.region,
      endpoint: state.endpoints.aws,
      credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
    });
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [legacyId] }));
    await eventually('the bot and health server stopped', async () => !alive(bot.pid) && !alive(health.pid), 20_000);
    expect((await instances()).instances[legacyId]).toBeUndefined();
  });

  it('down leaves no process behind and frees its ports', async () => {
    const down = await ydeploy(['sandbox', 'down', '--json'], env, cwd);
    expect(down.code).toBe(0);
    expect(
      resultOf(down.stdout)
        .stopped.map((s: { name: string }) => s.name)
        .sort(),
    ).toEqual(['discord', 'host', 'moto', 'shim']);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    for (const port of [state.ports.moto, state.ports.shim, state.ports.discord])
      expect(await isFree(port), `port ${port}`).toBe(true);
    const status = await ydeploy(['sandbox', 'status', '--json'], env, cwd);
    expect(resultOf(status.stdout)).toMatchObject({
      running: false,
      daemons: { moto: 'stopped', shim: 'stopped', host: 'stopped', discord: 'stopped' },
    });
  });
});
