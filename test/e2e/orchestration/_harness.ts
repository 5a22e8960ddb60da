// What the orchestration e2e tests share: a sandbox of their own (own folder, own port base, own
// build of the CLI), the built CLI run as a user runs it, and traffic (slash commands, prefix
// messages) counted from the Discord emulator's record of every answer attempt: commands nobody
// answered and commands answered twice.
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
  /** `sandbox up --json`'s result. */
  up: Record<string, any>;
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
  options: { prepare?(cwd: string): Promise<void>; upArgs?: string[] } = {},
): Promise<Sandbox> {
  requireTool('terraform');
  requireTool('moto_server');
  const build = await privateBuild();
  const cwd = await mkdtemp(join(tmpdir(), `ydeploy-orch-${name}-`));
  const base = (await freePort()) - ((await freePort()) % 100) + 60;
  const env = { ...isolatedEnv(join(cwd, '.ydeploy', 'sandbox'), base), USER: `e2e-${name}` };
  const run = (args: string[]) => runCli(args, env, cwd, build.bin);
  await options.prepare?.(cwd);
  const up = await run(['sandbox', 'up', '--json', ...(options.upArgs ?? [])]);
  if (up.code !== 0) throw new Error(`sandbox up failed (${up.code}):\n${up.stderr}\n${up.stdout}`);
  const state = (await readJson<SandboxState>(sandboxFiles(resultOf(up.stdout).dir).state))!;
  const background: ChildProcess[] = [];
  return {
    cwd,
    env,
    state,
    up: resultOf(up.stdout),
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

export interface TrafficStats {
  interactions: number;
  messages: number;
  /** Sent probes with more than one answer attempt (any session, accepted or not). */
  answeredTwice: number;
  /** Sent probes with no answer attempt at all. */
  unanswered: number;
  /** The longest time between two answered probes, by when they were sent. */
  longestGapMs: number;
  answeredBy: Record<string, number>;
  /** Probes the emulator refused to send (should be none). */
  sendErrors: string[];
  doubles: string[];
}

interface Answers {
  interactions: { id: string; attempts: { instance?: string; session: string }[] }[];
  messages: { id: string; replies: { instance?: string; session: string }[] }[];
}

/**
 * A slash command (and a prefix message, when given) every `everyMs`, each sent on its own. stop() waits `settleMs` (longer than Discord's 3 s
 * answer window and the standby's replay) and then counts from GET /control/answers.
 */
export function startTraffic(
  controlUrl: string,
  everyMs: number,
  what: { command: string; message?: string },
): { stop(settleMs?: number): Promise<TrafficStats> } {
  const since = Date.now();
  const sent: Promise<{ kind: 'interaction' | 'message'; id?: string; at: number; error?: string }>[] = [];
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${controlUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as { id: string };
  };
  const send = (kind: 'interaction' | 'message', path: string, body: unknown) => {
    const at = Date.now();
    sent.push(
      post(path, body).then(
        (r) => ({ kind, id: r.id, at }),
        (error: Error) => ({ kind, at, error: error.message }),
      ),
    );
  };
  const timer = setInterval(() => {
    send('interaction', '/commands', { name: what.command });
    if (what.message) send('message', '/messages', { content: what.message });
  }, everyMs);
  return {
    async stop(settleMs = 5000) {
      clearInterval(timer);
      const probes = await Promise.all(sent);
      await new Promise((r) => setTimeout(r, settleMs));
      const res = await fetch(`${controlUrl}/answers?since=${since}`);
      if (!res.ok) throw new Error(`GET /answers: ${res.status} ${await res.text()}`);
      const answers = (await res.json()) as Answers;
      const attempts = new Map<string, { instance?: string; session: string }[]>();
      for (const i of answers.interactions) attempts.set(i.id, i.attempts);
      for (const m of answers.messages) attempts.set(m.id, m.replies);
      const stats: TrafficStats = {
        interactions: 0,
        messages: 0,
        answeredTwice: 0,
        unanswered: 0,
        longestGapMs: 0,
        answeredBy: {},
        sendErrors: [],
        doubles: [],
      };
      let lastAnswered: number | undefined;
      for (const probe of probes.sort((a, b) => a.at - b.at)) {
        if (probe.error || !probe.id) {
          stats.sendErrors.push(probe.error ?? 'no id');
          continue;
        }
        stats[probe.kind === 'interaction' ? 'interactions' : 'messages']++;
        const by = attempts.get(probe.id) ?? [];
        if (by.length === 0) stats.unanswered++;
        if (by.length > 1) {
          stats.answeredTwice++;
          stats.doubles.push(`${probe.kind} ${probe.id}: ${by.map((b) => b.instance ?? b.session).join(', ')}`);
        }
        for (const b of by)
          stats.answeredBy[b.instance ?? b.session] = (stats.answeredBy[b.instance ?? b.session] ?? 0) + 1;
        if (by.length) {
          if (lastAnswered !== undefined) stats.longestGapMs = Math.max(stats.longestGapMs, probe.at - lastAnswered);
          lastAnswered = probe.at;
        }
      }
      return stats;
    },
  };
}

export { resultOf };
