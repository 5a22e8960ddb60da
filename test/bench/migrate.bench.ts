// A full sandbox migrate with the built CLI, a /ping every 250 ms throughout. Reports ydeploy's
// own time (total minus terraform minus waiting on the bot), how soon "healthy" was detected,
// and the probes that found no serving bot.
import type { BenchResult } from './run.js';
import { resultOf, startSandbox, startTraffic } from '../e2e/orchestration/_harness.js';
import { readJson, type InstancesState } from '../../cli/sandbox/state-files.js';
import { sandboxFiles } from '../../cli/sandbox/layout.js';
import { readFile } from 'node:fs/promises';

interface StepEvent {
  type: string;
  status: string;
  title: string;
  seconds: number;
  detail?: string;
  step?: string;
  check?: string;
}

export default async function (): Promise<BenchResult[]> {
  const sandbox = await startSandbox('bench-migrate');
  try {
    const traffic = startTraffic(sandbox.state.endpoints.discordControl, 250, { command: 'ping' });
    const run = await sandbox.run(['migrate', '--env', 'sandbox', '--yes', '--skip-preflight', '--json']);
    const probes = await traffic.stop();
    if (run.code !== 0) throw new Error(`migrate failed (${run.code}): ${run.stderr.slice(-2000)}`);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StepEvent);
    const done = events.filter((e) => e.type === 'step' && e.status === 'succeeded');
    const terraform =
      sum(done.filter((e) => e.step === 'terraform-init').map((e) => e.seconds)) +
      sum(done.map((e) => Number(/in ([\d.]+)s of terraform/.exec(e.detail ?? '')?.[1] ?? 0)));
    // Waiting on the bot: the gate's checks and the handoff's Run Command round trips.
    const gateSteps = done.filter((e) => e.step === 'gate-enhanced' || e.step === 'handoff');
    const bot = sum(gateSteps.map((e) => e.seconds));
    const own = run.seconds - terraform - bot;
    const result = resultOf(run.stdout);
    const gate = result.state.gate;
    const lag = await detectionLag(sandbox.state.dir, gate);
    return [
      {
        name: 'migrate: total',
        value: run.seconds,
        unit: 's',
        detail: `terraform ${terraform.toFixed(1)}s, gate + handoff ${bot.toFixed(1)}s`,
      },
      {
        name: "migrate: ydeploy's own time",
        value: own,
        unit: 's',
        target: '<= 5 s',
        pass: own <= 5,
        detail: 'total - terraform - waiting on the bot (node start, SDK, S3 journal/lock, reporter)',
      },
      {
        name: 'migrate: healthy detected after the bot was ready',
        value: lag.value,
        unit: 'ms',
        target: '<= 1 poll (500 ms)',
        pass: lag.value <= 500,
        detail: lag.detail,
      },
      {
        name: 'migrate: launch time (guide metric)',
        value: gate.launchSeconds ?? NaN,
        unit: 's',
        detail: 'instance launch -> Online in SSM (terraform waits ~10 s for "running" against moto)',
      },
      {
        name: 'migrate: bot readiness time (guide metric)',
        value: gate.readinessSeconds ?? NaN,
        unit: 's',
        detail: `instance launch -> "healthy"; "starting" seen: ${gate.startingSeen}`,
      },
      {
        name: 'migrate: probes with no serving bot',
        value: probes.unanswered,
        unit: 'probes',
        target: '0',
        pass: probes.unanswered === 0,
        detail: `${probes.interactions} /ping probes every 250 ms; answered twice: ${probes.answeredTwice}; longest gap ${probes.longestGapMs} ms`,
      },
    ];
  } finally {
    await sandbox.down();
  }
}

/** The bot's own readyAt (its readiness file) against when the gate saw "healthy". */
async function detectionLag(
  dir: string,
  gate: { instanceId: string; healthyAt: string; checks: { name: string; seconds: number }[] },
): Promise<{ value: number; detail: string }> {
  const instances = await readJson<InstancesState>(sandboxFiles(dir).instances);
  const hosted = instances?.instances[gate.instanceId];
  const ready = hosted
    ? await readFile(hosted.readyFile, 'utf8').then(
        (t) => JSON.parse(t) as { readyAt?: number },
        () => undefined,
      )
    : undefined;
  if (!ready?.readyAt) return { value: NaN, detail: 'the readiness file was not readable' };
  const healthyAt = Date.parse(gate.healthyAt);
  const pollStarted =
    healthyAt - gate.checks.filter((c) => c.name.startsWith('/health')).reduce((s, c) => s + c.seconds * 1000, 0);
  // When the bot was ready before the gate began polling, the lag is measured from the first poll.
  const from = Math.max(ready.readyAt, pollStarted);
  return {
    value: Math.max(0, healthyAt - from),
    detail: `bot ready ${new Date(ready.readyAt).toISOString()}, gate polling from ${new Date(pollStarted).toISOString()}, healthy seen ${gate.healthyAt}`,
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
