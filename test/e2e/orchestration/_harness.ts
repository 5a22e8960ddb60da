// What the orchestration e2e tests share: a sandbox of their own (own folder, own port base, own
// build of the CLI), the built CLI run as a user runs it, and a slash-command prober that counts
// moments with nobody answering and commands answered twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorCommandProbe } from '../../../cli/adapters/discord-emulator.js';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import { readJson, type SandboxState } from '../../../cli/sandbox/state-files.js';
import { freePort } from '../../_helpers/ports.js';
import { isolatedEnv, privateBuild, resultOf, ydeploy as runCli } from '../../_helpers/sandbox.js';
import { requireTool } from '../../_helpers/tools.js';

export interface Sandbox {
  cwd: string;
  env: NodeJS.ProcessEnv;
  state: SandboxState;
  run(args: string[]): Promise<{ code: number; stdout: string; stderr: string; seconds: number }>;
  /** The CLI in the background, for Ctrl-C and kill tests. */
  spawn(args: string[]): Background;
  probe: EmulatorCommandProbe;
  down(): Promise<void>;
}

export interface Background {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  exited: Promise<number>;
}

/** `prepare` fills the project folder (a team's bot, its config) before `sandbox up` runs in it. */
export async function startSandbox(
  name: string,
  options: { prepare?(cwd: string): Promise<void> } = {},
): Promise<Sandbox> {
  requireTool('terraform');
  requireTool('moto_server');
  const build = await privateBuild();
  const cwd = await mkdtemp(join(tmpdir(), `ydeploy-orch-${name}-`));
  const base = (await freePort()) - ((await freePort()) % 100) + 60;
  const env = { ...isolatedEnv(join(cwd, '.ydeploy', 'sandbox'), base), USER: `e2e-${name}` };
  const run = (args: string[]) => runCli(args, env, cwd, build.bin);
  await options.prepare?.(cwd);
  const up = await run(['sandbox', 'up', '--json']);
  if (up.code !== 0) throw new Error(`sandbox up failed (${up.code}):\n${up.stderr}\n${up.stdout}`);
  const state = (await readJson<SandboxState>(sandboxFiles(resultOf(up.stdout).dir).state))!;
  const background: ChildProcess[] = [];
  return {
    cwd,
    env,
    state,
    run,
    spawn(args) {
      const child = spawn(process.execPath, [build.bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      background.push(child);
      let out = '';
      let err = '';
      child.stdout!.on('data', (c) => (out += c));
      child.stderr!.on('data', (c) => (err += c));
      const exited = new Promise<number>((resolve) =>
        child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 1))),
      );
      return { child, stderr: () => err, stdout: () => out, exited };
    },
    probe: new EmulatorCommandProbe(state.endpoints.discordControl),
    async down() {
      for (const child of background) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await run(['sandbox', 'down', '--purge']);
      await rm(cwd, { recursive: true, force: true });
      await build.cleanup();
    },
  };
}

export interface ProbeStats {
  sent: number;
  unanswered: number;
  doubled: number;
  longestGapMs: number;
  answeredBy: Record<string, number>;
  failures: string[];
}

/** A /ping every `everyMs`, each on its own (a slow answer never delays the next probe). */
export function startProber(probe: EmulatorCommandProbe, everyMs: number): { stop(): Promise<ProbeStats> } {
  const results: Promise<{ at: number; by: string[] } | { at: number; error: string }>[] = [];
  const timer = setInterval(() => {
    const at = Date.now();
    results.push(
      probe.interact('ping', { timeoutMs: 4000 }).then(
        (answer) => ({ at, by: answer.answeredBy }),
        (error: Error) => ({ at, error: error.message }),
      ),
    );
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      const all = await Promise.all(results);
      const stats: ProbeStats = {
        sent: all.length,
        unanswered: 0,
        doubled: 0,
        longestGapMs: 0,
        answeredBy: {},
        failures: [],
      };
      let lastAnswered: number | undefined;
      for (const r of all) {
        if ('error' in r) {
          stats.failures.push(r.error);
          stats.unanswered++;
          continue;
        }
        if (r.by.length === 0) stats.unanswered++;
        if (r.by.length > 1) stats.doubled++;
        for (const id of r.by) stats.answeredBy[id] = (stats.answeredBy[id] ?? 0) + 1;
        if (r.by.length) {
          if (lastAnswered !== undefined) stats.longestGapMs = Math.max(stats.longestGapMs, r.at - lastAnswered);
          lastAnswered = r.at;
        }
      }
      return stats;
    },
  };
}

export { resultOf };
