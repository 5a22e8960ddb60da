// Shared by the ops e2e test and the ops benchmarks: a sandbox of their own, the second
// instance of a migration's step 1, `logs --follow` as a child process, and a real bot line
// on demand (botctl status through the Run Command shim makes the bot log "control: status").
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, DescribeSubnetsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import { readJson, type SandboxState } from '../../../cli/sandbox/state-files.js';
import { sandboxEnv } from '../../../cli/sandbox/control/env.js';
import { SsmRemoteExec } from '../../../cli/adapters/aws/ssm-run.js';
import { statusScript } from '../../../cli/core/handoff/botctl.js';
import { freePort } from '../../_helpers/ports.js';
import { isolatedEnv, resultOf, ydeploy } from '../../_helpers/sandbox.js';

export const BIN = new URL('../../../bin/ydeploy.js', import.meta.url).pathname;

export interface OpsSandbox {
  cwd: string;
  env: NodeJS.ProcessEnv;
  state: SandboxState;
  legacyId: string;
  /** The SDK's view of the sandbox (endpoints and key). */
  aws: Record<string, string>;
  down(): Promise<void>;
}

export async function opsSandbox(): Promise<OpsSandbox> {
  const cwd = await mkdtemp(join(tmpdir(), 'ydeploy-ops-e2e-'));
  const port = await freePort();
  const env = isolatedEnv(join(cwd, '.ydeploy', 'sandbox'), port - (port % 100) + 60);
  const up = await ydeploy(['sandbox', 'up', '--json'], env, cwd);
  if (up.code !== 0) {
    await ydeploy(['sandbox', 'down', '--purge'], env, cwd);
    throw new Error(`sandbox up failed (${up.code}):\n${up.stderr}\n${up.stdout}`);
  }
  const result = resultOf(up.stdout);
  const state = (await readJson<SandboxState>(sandboxFiles(result.dir).state))!;
  return {
    cwd,
    env,
    state,
    legacyId: result.legacy.instanceId,
    aws: sandboxEnv(state),
    down: async () => {
      await ydeploy(['sandbox', 'down', '--purge'], env, cwd);
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` with the SDK pointed at the sandbox. */
export async function withSandboxAws<T>(sb: OpsSandbox, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, sb.aws);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** Migration step 1 as terraform leaves it: an enhanced instance in the private subnet beside legacy. */
export async function launchEnhanced(sb: OpsSandbox, release = 'legacy-1'): Promise<string> {
  return withSandboxAws(sb, async () => {
    const ec2 = new EC2Client({ region: sb.state.region });
    const legacy = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [sb.legacyId] }))).Reservations![0]
      .Instances![0];
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'tag:Tier', Values: ['private'] },
          { Name: 'vpc-id', Values: [legacy.VpcId!] },
        ],
      }),
    );
    const tags = Object.fromEntries((legacy.Tags ?? []).map((t) => [t.Key!, t.Value!]));
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: legacy.ImageId!,
        InstanceType: legacy.InstanceType,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnets.Subnets![0].SubnetId!,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Project', Value: tags.Project },
              { Key: 'Environment', Value: 'sandbox' },
              { Key: 'Role', Value: 'enhanced' },
              { Key: 'Release', Value: release },
              { Key: 'Name', Value: `${tags.Project}-sandbox-enhanced` },
            ],
          },
        ],
      }),
    );
    return out.Instances![0].InstanceId!;
  });
}

/** Makes the bot of an instance write a log line now ("control: status"). */
export async function pokeBot(sb: OpsSandbox, instanceId: string): Promise<void> {
  await withSandboxAws(sb, async () => {
    const result = await new SsmRemoteExec({ region: sb.state.region, env: process.env }, 50).run(
      instanceId,
      [statusScript()],
      { timeoutSeconds: 30 },
    );
    if (result.status !== 'Success')
      throw new Error(`botctl status on ${instanceId}: ${result.status} ${result.stderr}`);
  });
}

export interface FollowLine {
  receivedAt: number;
  event: { id: string; timestamp: number; stream: string; instanceId: string; role: string; message: string };
}

/** `ydeploy logs --follow --json` as a child process, its events as they arrive. */
export class Follower {
  readonly lines: FollowLine[] = [];
  readonly child: ChildProcess;
  stderr = '';
  private buffer = '';
  private waiters: (() => void)[] = [];

  constructor(sb: OpsSandbox, args: string[] = []) {
    this.child = spawn(process.execPath, [BIN, 'logs', '--env', 'sandbox', '--follow', '--json', ...args], {
      cwd: sb.cwd,
      env: sb.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const receivedAt = Date.now();
      this.buffer += chunk.toString();
      let cut: number;
      while ((cut = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 1);
        const parsed = JSON.parse(line);
        if (parsed.type === 'log') this.lines.push({ receivedAt, event: parsed });
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`logs --follow: timed out waiting for ${what}; stderr: ${this.stderr.slice(-500)}`);
      if (this.child.exitCode !== null)
        throw new Error(
          `logs --follow exited (${this.child.exitCode}) while waiting for ${what}: ${this.stderr.slice(-500)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Ctrl-C: resolves with the exit code. */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}

/** Pokes the bot and measures how long its line took to reach `logs --follow` (from the bot's own pino time). */
export async function followLatency(sb: OpsSandbox, follower: Follower, instanceId: string): Promise<number> {
  const before = follower.lines.length;
  await pokeBot(sb, instanceId);
  const line = await follower.waitFor('the bot\'s "control: status" line', () =>
    follower.lines
      .slice(before)
      .find((l) => l.event.instanceId === instanceId && l.event.message.includes('"control: status"')),
  );
  const written = Date.parse(JSON.parse(line.event.message).time);
  return line.receivedAt - written;
}
