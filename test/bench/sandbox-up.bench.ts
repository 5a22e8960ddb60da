// `ydeploy sandbox up`, from nothing (no state folder, nothing running) to a healthy legacy bot,
// with the built CLI as a user runs it; then the same command again (already up), and `down`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './run.js';
import { freePort } from '../_helpers/ports.js';
import { isolatedEnv, privateBuild, resultOf, ydeploy } from '../_helpers/sandbox.js';
import { requireTool } from '../_helpers/tools.js';

export default async function (): Promise<BenchResult[]> {
  requireTool('terraform');
  requireTool('moto_server');
  const build = await privateBuild();
  const cwd = await mkdtemp(join(tmpdir(), 'ydeploy-sandbox-bench-'));
  const base = await freePort();
  const env = isolatedEnv(join(cwd, '.ydeploy', 'sandbox'), base - (base % 100) + 60);
  try {
    const up = await ydeploy(['sandbox', 'up', '--json'], env, cwd, build.bin);
    if (up.code !== 0) throw new Error(`sandbox up failed: ${up.stderr.slice(-2000)}`);
    const steps = up.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter(
        (e) =>
          e.type === 'step' &&
          e.status === 'succeeded' &&
          /^(terraform apply|Build and upload|Wait for the legacy)/.test(e.title),
      );
    const again = await ydeploy(['sandbox', 'up', '--json'], env, cwd, build.bin);
    const down = await ydeploy(['sandbox', 'down'], env, cwd, build.bin);
    return [
      {
        name: 'sandbox up: nothing -> healthy legacy bot',
        value: up.seconds,
        unit: 's',
        target: '<= 90 s',
        pass: up.seconds <= 90,
        detail:
          steps.map((s) => `${s.title.split(':')[0]} ${s.seconds.toFixed(1)}s`).join(', ') +
          ` (legacy ${resultOf(up.stdout).legacy.instanceId})`,
      },
      {
        name: 'sandbox up: already running',
        value: again.seconds,
        unit: 's',
        detail: `started ${JSON.stringify(resultOf(again.stdout).started)}`,
      },
      { name: 'sandbox down', value: down.seconds, unit: 's', detail: 'stops the bots gracefully, then the daemons' },
    ];
  } finally {
    await ydeploy(['sandbox', 'down', '--purge'], env, cwd, build.bin);
    await rm(cwd, { recursive: true, force: true });
    await build.cleanup();
  }
}
