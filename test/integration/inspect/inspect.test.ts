// The operating commands against a real moto: log events seeded across streams and pages with
// the SDK, read back through the real adapters; status, health, history and logs run in-process.
import { testEnv } from '../../_helpers/fakes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  EC2Client,
  CreateVpcCommand,
  CreateSubnetCommand,
  RunInstancesCommand,
  DescribeImagesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { privateBuild, ydeploy } from '../../_helpers/sandbox.js';
import { CloudWatchLogStore } from '../../../cli/adapters/aws/logs.js';
import { Ec2Instances } from '../../../cli/adapters/aws/ec2.js';
import { SsmRemoteExec } from '../../../cli/adapters/aws/ssm-run.js';
import { S3ObjectStore } from '../../../cli/adapters/aws/s3.js';
import { CloudWatchAlarms } from '../../../cli/adapters/aws/alarms.js';
import { systemClock } from '../../../cli/adapters/clock.js';
import type { AwsSettings } from '../../../cli/adapters/aws/config.js';
import { followLogs, readLogs, type TaggedEvent } from '../../../cli/inspect/logs/read.js';
import { parseSelector } from '../../../cli/inspect/targets.js';
import { gatherStatus } from '../../../cli/inspect/status.js';
import { main } from '../../../cli/main.js';

const ENV = 'itest';
// The module's name for it: /ec2/<project>-<environment>-logs.
const GROUP = `/ec2/ydeploy-${ENV}-logs`;
let moto: Moto;
let settings: AwsSettings;
let dir: string;
const saved = { ...process.env };
const ids: Record<'legacy' | 'enhanced' | 'gone', string> = { legacy: '', enhanced: '', gone: '' };
let subnets: { public: string; private: string };
let image: string;
const base = Date.now() - 30 * 60_000;
const PER_STREAM = 2500;

const logsClient = () => new CloudWatchLogsClient({ region: 'us-east-1' });
const ec2 = () => new EC2Client({ region: 'us-east-1' });

async function launch(role: 'legacy' | 'enhanced', subnet: string, release: string): Promise<string> {
  const out = await ec2().send(
    new RunInstancesCommand({
      ImageId: image,
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnet,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'Role', Value: role },
            { Key: 'Environment', Value: ENV },
            { Key: 'Project', Value: 'ydeploy' },
            { Key: 'Release', Value: release },
          ],
        },
      ],
    }),
  );
  return out.Instances![0].InstanceId!;
}

async function put(stream: string, events: { timestamp: number; message: string }[]): Promise<void> {
  const client = logsClient();
  await client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream })).catch((e) => {
    if (e.name !== 'ResourceAlreadyExistsException') throw e;
  });
  for (let i = 0; i < events.length; i += 1000)
    await client.send(
      new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: events.slice(i, i + 1000) }),
    );
}

const pino = (level: number, msg: string, time: number) => JSON.stringify({ level, time, pid: 1, hostname: 'h', msg });

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env);
  settings = { region: 'us-east-1', env: process.env };
  const vpc = await ec2().send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }));
  const subnet = async (cidr: string, tier: string) =>
    (
      await ec2().send(
        new CreateSubnetCommand({
          VpcId: vpc.Vpc!.VpcId!,
          CidrBlock: cidr,
          TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Tier', Value: tier }] }],
        }),
      )
    ).Subnet!.SubnetId!;
  subnets = { public: await subnet('10.7.1.0/24', 'public'), private: await subnet('10.7.2.0/24', 'private') };
  image = (await ec2().send(new DescribeImagesCommand({}))).Images![0].ImageId!;
  ids.legacy = await launch('legacy', subnets.public, 'v1');
  ids.enhanced = await launch('enhanced', subnets.private, 'v2');
  ids.gone = await launch('enhanced', subnets.private, 'v0');
  await ec2().send(new TerminateInstancesCommand({ InstanceIds: [ids.gone] }));
  await logsClient().send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  // Three events per millisecond in every stream: timestamps collide within and across streams.
  for (const [role, id] of Object.entries(ids)) {
    for (const kind of ['bot', 'health']) {
      const events = Array.from({ length: PER_STREAM }, (_, n) => {
        const t = base + Math.floor(n / 3);
        return { timestamp: t, message: pino(n % 100 === 0 ? 50 : 30, `${role} ${kind} ${n}`, t) };
      });
      await put(`${id}-${kind}`, events);
    }
  }
  dir = await mkdtemp(join(tmpdir(), 'ydeploy-ops-'));
  await writeFile(
    join(dir, 'ydeploy.config.json'),
    JSON.stringify({
      project: 'ydeploy',
      environments: { [ENV]: { region: 'us-east-1', stateBucket: 'itest-state', tokenParameter: '/itest/token' } },
    }),
  );
  const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'itest-state' }));
  const journal = (id: string, outcome: string, started: string, ended: string) =>
    JSON.stringify({
      id,
      command: 'migrate',
      environment: ENV,
      logGroup: GROUP,
      who: 'ann@laptop',
      started,
      ended,
      outcome,
      steps: [{ id: 'enable-both', title: 'Step 1: enable both', started, ended, outcome }],
      state: {},
    });
  await s3.send(
    new PutObjectCommand({
      Bucket: 'itest-state',
      Key: `ydeploy/${ENV}/journal/20261125T100000Z-migrate-aaaa.json`,
      Body: journal('20261125T100000Z-migrate-aaaa', 'failed', '2026-11-25T10:00:00Z', '2026-11-25T10:02:00Z'),
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: 'itest-state',
      Key: `ydeploy/${ENV}/journal/20261126T100000Z-migrate-bbbb.json`,
      Body: journal('20261126T100000Z-migrate-bbbb', 'succeeded', '2026-11-26T10:00:00Z', '2026-11-26T10:05:00Z'),
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: 'itest-state',
      Key: `ydeploy/${ENV}/terraform.tfstate`,
      Body: JSON.stringify({
        version: 4,
        outputs: { network_configuration: { value: { vpc_id: vpc.Vpc!.VpcId, use_private_subnet: true } } },
      }),
    }),
  );
  const cw = new CloudWatchClient({ region: 'us-east-1' });
  for (const name of ['cpu-high-enhanced', 'nat-errors']) {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: `ydeploy-${ENV}-${name}`,
        MetricName: 'CPUUtilization',
        Namespace: 'AWS/EC2',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  }
  await cw.send(
    new SetAlarmStateCommand({
      AlarmName: `ydeploy-${ENV}-nat-errors`,
      StateValue: 'ALARM',
      StateReason: 'Threshold Crossed: 2% errors',
    }),
  );
});

afterAll(async () => {
  await moto?.stop();
  process.env = saved;
  if (dir) await rm(dir, { recursive: true, force: true });
});

const deps = () => ({
  logs: new CloudWatchLogStore(settings),
  instances: new Ec2Instances(settings, 'ydeploy'),
  clock: systemClock,
  environment: ENV,
  logGroup: GROUP,
});

describe('logs against moto', () => {
  it('reads every stream, gone instances included, merged by time over many pages, each event once', async () => {
    const pages: TaggedEvent[][] = [];
    for await (const page of readLogs(deps(), { selector: parseSelector(undefined), since: base - 1, pageSize: 2000 }))
      pages.push(page);
    const events = pages.flat();
    expect(pages.length).toBeGreaterThanOrEqual(7);
    expect(events).toHaveLength(6 * PER_STREAM);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (let i = 1; i < events.length; i++) expect(events[i].timestamp).toBeGreaterThanOrEqual(events[i - 1].timestamp);
    const byRole = new Map<string, number>();
    for (const e of events)
      byRole.set(`${e.instanceKind}/${e.kind}`, (byRole.get(`${e.instanceKind}/${e.kind}`) ?? 0) + 1);
    // The terminated instance is still described by EC2 (as moto and AWS do for a while): enhanced.
    expect(Object.fromEntries(byRole)).toEqual({
      'enhanced/bot': 2 * PER_STREAM,
      'enhanced/health': 2 * PER_STREAM,
      'legacy/bot': PER_STREAM,
      'legacy/health': PER_STREAM,
    });
  });

  it('narrows to one instance and one stream, and passes the filter pattern', async () => {
    const events: TaggedEvent[] = [];
    for await (const page of readLogs(deps(), {
      selector: parseSelector('legacy'),
      kind: 'health',
      since: base - 1,
      filterPattern: '"legacy health 1"',
    }))
      events.push(...page);
    expect(new Set(events.map((e) => e.stream))).toEqual(new Set([`${ids.legacy}-health`]));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.message.includes('legacy health 1'))).toBe(true);
  });

  it('--follow shows new events once (same millisecond included) and picks up a new instance', async () => {
    const controller = new AbortController();
    const since = Date.now() - 1000;
    const got: TaggedEvent[] = [];
    let newId = '';
    const writer = (async () => {
      await new Promise((r) => setTimeout(r, 600));
      const t = Date.now();
      await put(
        `${ids.enhanced}-bot`,
        [0, 1, 2].map((n) => ({ timestamp: t, message: pino(30, `follow same-ms ${n}`, t) })),
      );
      newId = await launch('enhanced', subnets.private, 'v3');
      await new Promise((r) => setTimeout(r, 300));
      const t2 = Date.now();
      await put(`${newId}-bot`, [{ timestamp: t2, message: pino(30, 'candidate ready', t2) }]);
      await put(`${newId}-health`, [{ timestamp: t2, message: pino(30, 'candidate healthy', t2) }]);
    })();
    const deadline = setTimeout(() => controller.abort(), 8000);
    for await (const page of followLogs(
      deps(),
      { selector: parseSelector(undefined), since, signal: controller.signal },
      { pollMs: 200, discoverEveryMs: 500 },
    )) {
      got.push(...page);
      if (got.length >= 5) controller.abort();
    }
    clearTimeout(deadline);
    await writer;
    expect(got.map((e) => JSON.parse(e.message).msg).sort()).toEqual([
      'candidate healthy',
      'candidate ready',
      'follow same-ms 0',
      'follow same-ms 1',
      'follow same-ms 2',
    ]);
    expect(got.find((e) => e.message.includes('candidate ready'))).toMatchObject({
      instanceId: newId,
      instanceKind: 'enhanced',
      kind: 'bot',
    });
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [newId] }));
  });
});

describe('status against moto', () => {
  it('gathers instances by kind, network, streams, alarms and the last deployment concurrently', async () => {
    const env = testEnv(ENV);
    const report = await gatherStatus({
      env,
      instances: new Ec2Instances(settings, 'ydeploy'),
      remote: new SsmRemoteExec(settings),
      logs: new CloudWatchLogStore(settings),
      store: new S3ObjectStore(settings, 'itest-state'),
      alarms: new CloudWatchAlarms(settings),
      clock: systemClock,
    });
    expect(report.tookMs).toBeLessThan(3000);
    expect(report.instances!.map((i) => [i.kind, i.id, i.subnet, i.release])).toEqual([
      ['legacy', ids.legacy, 'public', 'v1'],
      ['enhanced', ids.enhanced, 'private', 'v2'],
    ]);
    // moto's Run Command runs nothing: SSM answers, nothing is listening.
    expect(report.instances!.map((i) => i.health.state)).toEqual(['down', 'down']);
    expect(report.network).toMatchObject({ use_private_subnet: true });
    expect(
      report
        .streams!.filter((s) => s.instanceId === ids.enhanced)
        .map((s) => s.lastMessage && JSON.parse(s.lastMessage).msg),
    ).toEqual([expect.stringMatching(/^enhanced bot|^follow same-ms/), `enhanced health ${PER_STREAM - 1}`]);
    expect(report.alarms).toEqual([
      { name: `ydeploy-${ENV}-cpu-high-enhanced`, state: expect.any(String), reason: expect.anything() },
      { name: `ydeploy-${ENV}-nat-errors`, state: 'ALARM', reason: 'Threshold Crossed: 2% errors' },
    ]);
    expect(report.lastDeployment).toMatchObject({ id: '20261126T100000Z-migrate-bbbb', outcome: 'succeeded' });
    expect(report.errors).toEqual({});
  });
});

class Capture extends Writable {
  text = '';
  _write(chunk: Buffer, _: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, {
    stdout: stdout as never,
    stderr: stderr as never,
    env: { ...process.env, NO_COLOR: '1' },
    cwd: dir,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('the commands, in-process against moto', () => {
  it('logs --json prints the raw events as NDJSON', async () => {
    const { code, stdout } = await cli('logs', '--env', ENV, '--since', '1h', '--stream', 'health', '--json');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // The follow test above added one event from a candidate instance.
    const logs = lines.filter((l) => l.type === 'log' && !l.message.includes('candidate'));
    expect(logs).toHaveLength(3 * PER_STREAM);
    expect(logs[0]).toMatchObject({
      id: expect.any(String),
      timestamp: base,
      stream: expect.stringMatching(/-health$/),
      message: expect.stringContaining('"level"'),
    });
    expect(lines.at(-1)).toMatchObject({ type: 'result', events: lines.filter((l) => l.type === 'log').length });
  });

  it('logs prints tagged, merged lines', async () => {
    const { code, stdout } = await cli(
      'logs',
      '--env',
      ENV,
      '--since',
      '1h',
      '--instance',
      'legacy',
      '--stream',
      'bot',
    );
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(PER_STREAM);
    expect(lines[0]).toMatch(
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} legacy   ${ids.legacy} bot    ERROR legacy bot 0$`),
    );
    expect(lines[1]).toContain('INFO  legacy bot 1');
  });

  it('status --json and status print the screen, health exits 4 when not healthy, history reads the journal', async () => {
    const status = await cli('status', '--env', ENV, '--json');
    expect(status.code).toBe(0);
    const result = JSON.parse(status.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ type: 'result', environment: ENV });
    expect(result.instances).toHaveLength(2);
    const screen = await cli('status', '--env', ENV);
    expect(screen.stdout).toContain(`ydeploy status — ${ENV}`);
    expect(screen.stdout).toContain('ALARM');

    const health = await cli('health', '--env', ENV, '--instance', 'enhanced');
    expect(health.code).toBe(4);
    expect(health.stdout).toContain(ids.enhanced);
    expect(health.stderr).toContain(`enhanced ${ids.enhanced} is down`);
    const none = await cli('health', '--env', ENV, '--instance', 'i-0000000000');
    expect(none.code).toBe(4);
    expect(none.stderr).toContain(`no instance i-0000000000 in ${ENV}`);

    const history = await cli('history', '--env', ENV, '--limit', '5');
    expect(history.code).toBe(0);
    // Newest first, each entry's headline followed by its detail lines (steps, metrics).
    const lines = history.stdout.split('\n');
    const first = lines[0]!;
    expect(first).toContain('20261126T100000Z-migrate-bbbb  migrate by ann@laptop');
    expect(first).toContain('5m  succeeded');
    const second = lines.findIndex((l) => l.includes('20261125T100000Z-migrate-aaaa'));
    expect(second, history.stdout).toBeGreaterThan(0);
    expect(lines[second]).toMatch(/^20261125T100000Z-migrate-aaaa/);
    const bad = await cli('history', '--env', ENV, '--limit', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--limit x is not a count');
  });
});

describe('the built CLI (its bundled AWS SDK) against moto', () => {
  let build: Awaited<ReturnType<typeof privateBuild>>;
  beforeAll(async () => {
    build = await privateBuild();
  }, 180_000);
  afterAll(() => build?.cleanup());

  /** The environment without moto's keys: only its endpoint and region. */
  const endpointOnly = () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
      delete env[key];
    return env;
  };
  const statusOf = async (env: NodeJS.ProcessEnv, ...flags: string[]) => {
    const run = await ydeploy(['status', '--env', ENV, '--json', ...flags], env, dir, build.bin);
    return { ...run, result: run.stdout.trim() ? JSON.parse(run.stdout.trim().split('\n').at(-1)!) : undefined };
  };

  it('status --json reads every section with the endpoint and keys from the environment', async () => {
    const { code, stderr, result } = await statusOf({ ...process.env, NO_COLOR: '1' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(result).toMatchObject({ ok: true, environment: ENV, errors: {}, lock: null });
    expect(result.instances.map((i: { id: string }) => i.id).sort()).toEqual([ids.legacy, ids.enhanced].sort());
    expect(result.alarms).toContainEqual(
      expect.objectContaining({ name: `ydeploy-${ENV}-nat-errors`, state: 'ALARM' }),
    );
    expect(result.lastDeployment).toMatchObject({ id: '20261126T100000Z-migrate-bbbb' });
  });

  it('status --profile resolves the keys from the shared credentials file (the bundled ini provider)', async () => {
    const files = await mkdtemp(join(tmpdir(), 'ydeploy-profile-'));
    try {
      await writeFile(
        join(files, 'credentials'),
        '[itest]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
      );
      const env = { ...endpointOnly(), AWS_SHARED_CREDENTIALS_FILE: join(files, 'credentials') };
      const withProfile = await statusOf(env, '--profile', 'itest');
      expect(withProfile.code).toBe(0);
      expect(withProfile.result).toMatchObject({ ok: true, errors: {} });
      // The same profile missing from the file: no credentials, one error, exit 2.
      const missing = await statusOf(env, '--profile', 'nobody');
      expect(missing.code).toBe(2);
      expect(`${missing.stdout}${missing.stderr}`).toMatch(/no AWS credentials were found/);
    } finally {
      await rm(files, { recursive: true, force: true });
    }
  });
});
