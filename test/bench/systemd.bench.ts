// The sandbox in systemd mode against process mode, side by side in one run: `sandbox up` from
// nothing to a healthy legacy bot (the root filesystem's first build reported apart), instance
// boot -> healthy (the migrate's enhanced instance: EC2 launch -> its bot ready, from the gate),
// and the memory of one instance (every process of its container).
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRootfs } from '../../cli/sandbox/emulators/machine/rootfs.js';
import { sandboxFiles } from '../../cli/sandbox/layout.js';
import { readJson, type InstancesState } from '../../cli/sandbox/state-files.js';
import type { BenchResult } from './run.js';
import { freePort } from '../_helpers/ports.js';
import { isolatedEnv, privateBuild, resultOf, ydeploy } from '../_helpers/sandbox.js';
import { ensureCommand, requireTool } from '../_helpers/tools.js';

export default async function (): Promise<BenchResult[]> {
  requireTool('terraform');
  requireTool('moto_server');
  ensureCommand('systemd-nspawn');
  ensureCommand('debootstrap');
  const rootfs = await ensureRootfs({ log: (line) => process.stderr.write(`${line}\n`) });
  const build = await privateBuild();
  const results: BenchResult[] = [
    {
      name: 'instance root filesystem',
      value: rootfs.builtSeconds ?? 0,
      unit: 's',
      detail: rootfs.builtSeconds === undefined ? `cached (${rootfs.key})` : `first build (${rootfs.key})`,
    },
  ];
  try {
    const up: Record<string, number> = {};
    const ready: Record<string, number> = {};
    let memory = 0;
    for (const mode of ['process', 'systemd'] as const) {
      const cwd = await mkdtemp(join(tmpdir(), `ydeploy-${mode}-bench-`));
      const base = await freePort();
      const env = isolatedEnv(join(cwd, '.ydeploy', 'sandbox'), base - (base % 100) + 60);
      try {
        const started = await ydeploy(['sandbox', 'up', '--instances', mode, '--json'], env, cwd, build.bin);
        if (started.code !== 0) throw new Error(`sandbox up (${mode}) failed: ${started.stderr.slice(-2000)}`);
        up[mode] = started.seconds;
        const migrate = await ydeploy(['migrate', '--env', 'sandbox', '--yes', '--json'], env, cwd, build.bin);
        if (migrate.code !== 0) throw new Error(`migrate (${mode}) failed: ${migrate.stderr.slice(-2000)}`);
        ready[mode] = resultOf(migrate.stdout).state.gate.readinessSeconds;
        if (mode === 'systemd') {
          const hosted = await readJson<InstancesState>(sandboxFiles(resultOf(started.stdout).dir).instances);
          const enhanced = Object.values(hosted?.instances ?? {}).find((i) => i.kind === 'enhanced');
          const rss = await execa('nsenter', [
            `--target=${enhanced!.machine!.leader}`,
            '--all',
            '--',
            'sh',
            '-c',
            "ps -e -o rss= | awk '{ s += $1 } END { print s }'",
          ]);
          memory = Number(rss.stdout.trim()) / 1024;
        }
      } finally {
        await ydeploy(['sandbox', 'down', '--purge'], env, cwd, build.bin);
        await rm(cwd, { recursive: true, force: true });
      }
    }
    results.push(
      {
        name: 'sandbox up, systemd mode (root filesystem cached)',
        value: up.systemd!,
        unit: 's',
        target: '<= 120 s',
        pass: up.systemd! <= 120,
        detail: `process mode ${up.process!.toFixed(1)} s (${(up.systemd! / up.process!).toFixed(2)}x)`,
      },
      {
        name: 'instance boot -> healthy, systemd mode',
        value: ready.systemd!,
        unit: 's',
        target: '<= 20 s',
        pass: ready.systemd! <= 20,
        detail: `EC2 launch -> bot ready (migrate's gate); process mode ${ready.process!.toFixed(1)} s`,
      },
      {
        name: 'memory of one systemd-mode instance',
        value: memory,
        unit: 'MiB',
        detail: 'resident memory of every process of its container (systemd, journald, rsyslog, agents, bot, health)',
      },
    );
    return results;
  } finally {
    await build.cleanup();
  }
}
