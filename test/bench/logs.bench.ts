// `ydeploy logs` over 100,000 events seeded in moto (4 streams, 2 instances): the built CLI's
// peak RSS (target ≤ 150 MiB) and whether output streams as pages arrive (first line long
// before the last), plus throughput.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMoto } from '../_helpers/moto.js';
import type { BenchResult } from './run.js';

const TOTAL = 100_000;
const BIN = new URL('../../bin/ydeploy.js', import.meta.url).pathname;

function rssPeakKb(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function runLogs(dir: string, env: Record<string, string>, since: string) {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'logs', '--env', 'bench', '--since', since], {
    cwd: dir,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lines = 0;
  let first: number | undefined;
  let peakKb = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    first ??= performance.now() - started;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, rssPeakKb(child.pid!) ?? 0)), 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`ydeploy logs exited ${code}: ${stderr}`);
  return { lines, first, peakKb, seconds: (performance.now() - started) / 1000 };
}

export default async function (): Promise<BenchResult[]> {
  const moto = await startMoto();
  const dir = await mkdtemp(join(tmpdir(), 'ydeploy-logs-bench-'));
  try {
    const saved = { ...process.env };
    Object.assign(process.env, moto.env);
    const ec2 = new EC2Client({ region: 'us-east-1' });
    const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
    const ids: string[] = [];
    for (const role of ['legacy', 'enhanced']) {
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: image,
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: [
                { Key: 'Role', Value: role },
                { Key: 'Environment', Value: 'bench' },
                { Key: 'Project', Value: 'ydeploy' },
              ],
            },
          ],
        }),
      );
      ids.push(out.Instances![0].InstanceId!);
    }
    // As after a real apply: the state object holds terraform's outputs, which name the roles.
    const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-state' }));
    const instances = { legacy: { id: ids[0] }, enhanced: { id: ids[1] }, candidate: null };
    await s3.send(
      new PutObjectCommand({
        Bucket: 'bench-state',
        Key: 'ydeploy/bench/terraform.tfstate',
        Body: JSON.stringify({ version: 4, outputs: { network_configuration: { value: { instances } } } }),
      }),
    );
    const logs = new CloudWatchLogsClient({ region: 'us-east-1' });
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ec2/bench-logs' }));
    const streams = ids.flatMap((id) => [`${id}-bot`, `${id}-health`]);
    const start = Date.now() - 60 * 60_000;
    const perStream = TOTAL / streams.length;
    for (const [s, stream] of streams.entries()) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/ec2/bench-logs', logStreamName: stream }));
      for (let i = 0; i < perStream; i += 5000) {
        const batch = Array.from({ length: Math.min(5000, perStream - i) }, (_, k) => {
          const t = start + Math.floor(((i + k) * 4 + s) / 2);
          return {
            timestamp: t,
            message: JSON.stringify({
              level: 30,
              time: t,
              pid: 1,
              hostname: 'h',
              msg: `event ${i + k} of ${stream}`,
              guilds: 1,
            }),
          };
        });
        await logs.send(
          new PutLogEventsCommand({ logGroupName: '/ec2/bench-logs', logStreamName: stream, logEvents: batch }),
        );
      }
    }
    process.env = saved;
    await writeFile(
      join(dir, 'ydeploy.config.json'),
      JSON.stringify({ environments: { bench: { stateBucket: 'bench-state', tokenParameter: '/bench/token' } } }),
    );

    const full = await runLogs(dir, moto.env, '2h');
    // The same command over no events: what loading the CLI and its SDK clients costs alone.
    const empty = await runLogs(dir, moto.env, '1s');
    const { lines, first, peakKb, seconds } = full;
    const peakMiB = peakKb / 1024;
    return [
      {
        name: 'logs over 100,000 events: peak RSS',
        value: Math.round(peakMiB),
        unit: 'MiB',
        target: '≤ 150 MiB',
        pass: peakMiB <= 150,
        detail: `${lines} lines in ${seconds.toFixed(1)} s`,
      },
      {
        name: 'logs over 100,000 events: first line shown',
        value: Math.round(first ?? 0),
        unit: 'ms',
        target: 'streams as pages arrive (first line well before the end)',
        pass: lines === TOTAL && first !== undefined && first < (seconds * 1000) / 2,
        detail: `all ${lines} lines after ${Math.round(seconds * 1000)} ms`,
      },
      { name: 'logs over 100,000 events: throughput', value: Math.round(lines / seconds), unit: 'events/s' },
      {
        name: 'logs over 100,000 events: RSS above the same command over no events',
        value: Math.round((peakKb - empty.peakKb) / 1024),
        unit: 'MiB',
        target: 'flat (bounded by a page, not by the events)',
        pass: peakKb - empty.peakKb < 40 * 1024,
        detail: `no events: ${Math.round(empty.peakKb / 1024)} MiB peak`,
      },
    ];
  } finally {
    await moto.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
