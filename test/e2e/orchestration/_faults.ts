// The faults a deployment meets on a bad day, run for real in one sandbox, one after the other:
// each row says what was done, the exit code, what the user was told, the lock afterwards, and
// (from the Discord emulator's record of every answer attempt, once the run has settled) how
// many /ping commands were answered twice or not at all while it ran. The faults e2e test
// asserts the rows; `npm run bench -- faults` prints them.
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import { AGENT_OFFLINE_FILE } from '../../../cli/sandbox/emulators/runcommand/commands.js';
import { resultOf, startSandbox, startTraffic, type Background, type Sandbox, type TrafficStats } from './_harness.js';

/** The lock's ttl in this sandbox: short, so a paused run's lock expires within the test. */
export const LOCK_TTL_SECONDS = 30;

export interface FaultRow {
  fault: string;
  /** What the test did, in a few words. */
  done: string;
  exit: number;
  expectedExit: number;
  stats: TrafficStats;
  /** "free", or who holds it. */
  lockAfter: string;
  /** The lines the user was told: errors, warnings and fixes. */
  told: string[];
  stderr: string;
  /** Facts a scenario checks beyond the row (instance states, concurrent runs, ...). */
  facts: Record<string, unknown>;
}

export interface FaultSandbox {
  sandbox: Sandbox;
  rows: FaultRow[];
  down(): Promise<void>;
}

/** A token Discord's gateway refuses (close 4004) while its REST API accepts it. */
const REJECTED_TOKEN = 'rejected-by-discord';

export async function startFaultSandbox(name: string): Promise<FaultSandbox> {
  const sandbox = await startSandbox(name, {
    async prepare(cwd) {
      await writeFile(
        join(cwd, 'ydeploy.config.json'),
        `${JSON.stringify({ project: 'faults', environments: { sandbox: { lockTtl: `${LOCK_TTL_SECONDS}s` } } }, null, 2)}\n`,
      );
    },
  });
  // The token the faults store to make a new bot fail: REST accepts it (so ydeploy's own Discord
  // checks pass), the gateway refuses it with 4004 (so the bot never becomes ready).
  const res = await fetch(`${sandbox.state.endpoints.discordControl}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: REJECTED_TOKEN, gatewayRejects: true }),
  });
  if (!res.ok) throw new Error(`POST /control/tokens: ${res.status} ${await res.text()}`);
  return { sandbox, rows: [], down: () => sandbox.down() };
}

/** Lines worth repeating from a run's stderr: errors (✖), warnings (⚠) and fixes (→). */
export function toldLines(stderr: string): string[] {
  return (
    stderr
      .split('\n')
      // In CI each progress line starts with its time (HH:MM:SS.mmm): what was said follows it.
      .map((line) => line.trim().replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''))
      .filter((line) => /^(✖|⚠|→)/.test(line))
  );
}

export async function setToken(sandbox: Sandbox, value: string): Promise<void> {
  const { state } = sandbox;
  const ssm = new SSMClient({
    region: state.region,
    endpoint: state.endpoints.aws,
    credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
  });
  try {
    await ssm.send(
      new PutParameterCommand({ Name: state.tokenParameter, Type: 'SecureString', Value: value, Overwrite: true }),
    );
  } finally {
    ssm.destroy();
  }
}

/** EC2's state of an instance, as moto reports it. */
export async function instanceState(sandbox: Sandbox, id: string): Promise<string | undefined> {
  const { state } = sandbox;
  const ec2 = new EC2Client({
    region: state.region,
    endpoint: state.endpoints.aws,
    credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
  });
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
  } finally {
    ec2.destroy();
  }
}

/** Takes an instance's SSM agent offline (or back): its bot keeps running, Run Command cannot reach it. */
export async function agentOffline(sandbox: Sandbox, id: string, offline: boolean): Promise<void> {
  const marker = join(sandboxFiles(sandbox.state.dir).instanceDir(id), AGENT_OFFLINE_FILE);
  if (offline) {
    await mkdir(join(marker, '..'), { recursive: true });
    await writeFile(marker, '');
  } else await rm(marker, { force: true });
}

export async function lockAfter(sandbox: Sandbox): Promise<string> {
  const status = resultOf((await sandbox.run(['lock', 'status', '--env', 'sandbox', '--json'])).stdout);
  return status.locked ? `held by ${status.lock.holder} (${status.lock.command})` : 'free';
}

/** The instance that answers a /ping now (exactly one expected). */
export async function serving(sandbox: Sandbox): Promise<string[]> {
  return (await sandbox.probe.interact('ping')).answeredBy;
}

export async function waitFor(cli: Background, pattern: RegExp, timeoutMs = 240_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(cli.stderr())) {
    if (cli.child.exitCode !== null)
      throw new Error(`exited ${cli.child.exitCode} before ${pattern}:\n${cli.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${cli.stderr()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function lockHeld(sandbox: Sandbox, timeoutMs = 120_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = resultOf((await sandbox.run(['lock', 'status', '--env', 'sandbox', '--json'])).stdout);
    if (status.locked) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the lock never appeared');
}

const DEPLOY = (release: string) => ['deploy', '--env', 'sandbox', '--release', release, '--yes', '--skip-preflight'];

/**
 * Runs `act` under /ping traffic every 100 ms and returns its row. `act` returns the run's exit
 * code and stderr; traffic is counted after a settle longer than Discord's 3 s answer window.
 */
async function row(
  f: FaultSandbox,
  fault: string,
  done: string,
  expectedExit: number,
  act: () => Promise<{ code: number; stderr: string; facts?: Record<string, unknown> }>,
): Promise<FaultRow> {
  const traffic = startTraffic(f.sandbox.state.endpoints.discordControl, 100, { command: 'ping' });
  const outcome = await act().catch(async (error: unknown) => {
    await traffic.stop(0);
    throw error;
  });
  const stats = await traffic.stop(5000);
  const result: FaultRow = {
    fault,
    done,
    exit: outcome.code,
    expectedExit,
    stats,
    lockAfter: await lockAfter(f.sandbox),
    told: toldLines(outcome.stderr),
    stderr: outcome.stderr,
    facts: outcome.facts ?? {},
  };
  f.rows.push(result);
  return result;
}

/** 1. migrate whose new bot is refused by Discord; concurrent runs meanwhile are told at once. */
export async function migrateFailsGate(f: FaultSandbox): Promise<FaultRow> {
  const { sandbox } = f;
  return row(f, 'migrate: the new bot fails the gate', 'token rejected by Discord, then migrate', 4, async () => {
    const legacy = await serving(sandbox);
    await setToken(sandbox, REJECTED_TOKEN);
    try {
      const first = sandbox.spawn(['migrate', '--env', 'sandbox', '--yes', '--skip-preflight']);
      const lock = await lockHeld(sandbox);
      const concurrent = [];
      for (const args of [
        ['migrate', '--env', 'sandbox', '--yes', '--skip-preflight'],
        ['migrate', '--env', 'sandbox', '--yes'],
        ['deploy', '--env', 'sandbox', '--yes'],
        ['rollback', '--emergency', '--env', 'sandbox', '--yes'],
      ]) {
        const told = await sandbox.run(args);
        concurrent.push({ args: args.join(' '), code: told.code, seconds: told.seconds, stderr: told.stderr });
      }
      const code = await first.exited;
      return {
        code,
        stderr: first.stderr(),
        facts: { legacy, lock: lock.lock, concurrent, after: await serving(sandbox) },
      };
    } finally {
      await setToken(sandbox, sandbox.state.discordToken);
    }
  });
}

/** Not a fault: the migration the next rows start from. */
export async function migrate(f: FaultSandbox): Promise<FaultRow> {
  return row(f, 'migrate (the starting point)', 'migrate', 0, async () => {
    const run = await f.sandbox.run(['migrate', '--env', 'sandbox', '--yes', '--skip-preflight']);
    return { code: run.code, stderr: run.stderr, facts: { after: await serving(f.sandbox) } };
  });
}

/** 2. deploy whose new bot fails the gate: exit 4, the serving bot answers throughout. */
export async function deployFailsGate(f: FaultSandbox): Promise<FaultRow> {
  const { sandbox } = f;
  return row(
    f,
    'deploy: the new bot fails the gate',
    "token rejected by Discord's gateway, then deploy v2",
    4,
    async () => {
      const before = await serving(sandbox);
      await setToken(sandbox, REJECTED_TOKEN);
      try {
        const run = await sandbox.run(DEPLOY('v2'));
        return { code: run.code, stderr: run.stderr, facts: { before, after: await serving(sandbox) } };
      } finally {
        await setToken(sandbox, sandbox.state.discordToken);
      }
    },
  );
}

/** 3. the serving instance's SSM agent is unreachable at the handoff: it is stopped (fenced) first. */
export async function oldUnreachable(f: FaultSandbox): Promise<FaultRow> {
  const { sandbox } = f;
  return row(
    f,
    'deploy: the old instance is unreachable at the handoff',
    "the serving instance's SSM agent taken offline during the gate, then deploy v3 goes on",
    0,
    async () => {
      const [old] = await serving(sandbox);
      const run = sandbox.spawn(DEPLOY('v3'));
      // Offline only once the candidate is up: the deploy's earlier reads of the old instance
      // work, and the handoff's step-down is what cannot reach it.
      await waitFor(run, /Health gate on the new release/, 240_000, 10);
      await agentOffline(sandbox, old, true);
      try {
        const code = await run.exited;
        return {
          code,
          stderr: run.stderr(),
          facts: { old, oldState: await instanceState(sandbox, old), after: await serving(sandbox) },
        };
      } finally {
        await agentOffline(sandbox, old, false);
      }
    },
  );
}

/** 4. Ctrl-C while the handoff runs: it finishes or hands back, then the run stops (exit 130). */
export async function ctrlCHandoff(f: FaultSandbox): Promise<FaultRow> {
  const { sandbox } = f;
  return row(f, 'deploy: Ctrl-C during the handoff', 'deploy v4, SIGINT as the handoff starts', 130, async () => {
    const before = await serving(sandbox);
    const run = sandbox.spawn(DEPLOY('v4'));
    await waitFor(run, /Hand traffic over to the new release/);
    run.child.kill('SIGINT');
    const code = await run.exited;
    const after = await serving(sandbox);
    return { code, stderr: run.stderr(), facts: { before, after } };
  });
}

/** After the Ctrl-C: --resume completes the deploy. */
export async function resumeAfterCtrlC(f: FaultSandbox): Promise<FaultRow> {
  const { sandbox } = f;
  return row(f, 'deploy --resume after the Ctrl-C', 'deploy --resume', 0, async () => {
    const run = await sandbox.run(['deploy', '--resume', '--env', 'sandbox', '--yes', '--skip-preflight']);
    return { code: run.code, stderr: run.stderr, facts: { after: await serving(sandbox) } };
  });
}

/**
 * 5. A deploy frozen (SIGSTOP) in its gate past the lock's ttl; another operator, seeing it dead,
 * runs `deploy --resume`, which takes the expired lock over and completes the deployment; the
 * first, thawed, stops before its next write with exit 5.
 */
export async function lockTakenOver(f: FaultSandbox): Promise<FaultRow> {
  const { sandbox } = f;
  return row(
    f,
    'deploy: its expired lock is taken over while it runs',
    `deploy v5 frozen for ${LOCK_TTL_SECONDS + 10}s in its gate; deploy --resume takes the lock and completes; the first thawed`,
    5,
    async () => {
      const first = sandbox.spawn(DEPLOY('v5'));
      // Frozen as its gate starts (the gate takes about 2 s here, so the output is watched closely).
      await waitFor(first, /Health gate on the new release/, 240_000, 10);
      first.child.kill('SIGSTOP');
      let second: Awaited<ReturnType<Sandbox['run']>>;
      try {
        await new Promise((r) => setTimeout(r, (LOCK_TTL_SECONDS + 10) * 1000));
        second = await sandbox.run(['deploy', '--resume', '--env', 'sandbox', '--yes', '--skip-preflight']);
      } finally {
        first.child.kill('SIGCONT');
      }
      const code = await first.exited;
      return {
        code,
        stderr: first.stderr(),
        facts: { second: { code: second.code, stderr: second.stderr }, after: await serving(sandbox) },
      };
    },
  );
}

/** 6. A planned rollback whose legacy bot fails its gate: exit 4, the enhanced bot answers on. */
export async function legacyFailsRollbackGate(f: FaultSandbox): Promise<FaultRow> {
  const { sandbox } = f;
  return row(
    f,
    'rollback: legacy fails its gate',
    'token rejected by Discord, then a planned rollback',
    4,
    async () => {
      const before = await serving(sandbox);
      await setToken(sandbox, REJECTED_TOKEN);
      try {
        const run = await sandbox.run(['rollback', '--env', 'sandbox', '--yes']);
        return { code: run.code, stderr: run.stderr, facts: { before, after: await serving(sandbox) } };
      } finally {
        await setToken(sandbox, sandbox.state.discordToken);
      }
    },
  );
}

/** Every scenario in the order they build on each other. */
export const SCENARIOS = [
  migrateFailsGate,
  migrate,
  deployFailsGate,
  oldUnreachable,
  ctrlCHandoff,
  resumeAfterCtrlC,
  lockTakenOver,
  legacyFailsRollbackGate,
];
