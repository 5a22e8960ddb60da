// What the team-bot e2e test and benchmark share: the fixture bot (test/fixtures/team-bot) set up
// as a team's own project (its own package.json and node_modules, a git checkout), and a prober
// that sends a slash command and a prefix message at a fixed interval and then counts, from the
// Discord emulator's own record of every answer attempt by every session, what was answered
// twice and what not at all.
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../orchestration/_harness.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 'team-bot');

/** Copies the fixture into `cwd`, depends on this ydeploy by folder, installs, commits v1. */
export async function prepareTeamProject(cwd: string): Promise<void> {
  await cp(FIXTURE, cwd, { recursive: true, filter: (src) => !/node_modules|\.ydeploy/.test(src) });
  const pkg = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8'));
  pkg.dependencies.ydeploy = `file:${ROOT.replace(/\/$/, '')}`;
  await writeFile(join(cwd, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await writeFile(join(cwd, '.gitignore'), 'node_modules/\n.ydeploy/\n');
  try {
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      {
        cwd,
        timeout: 300_000,
      },
    );
  } catch (error) {
    throw new Error(`npm install in the team's bot project failed: ${(error as { stderr?: string }).stderr ?? error}`);
  }
  await git(cwd, ['init', '-q', '-b', 'main']);
  await commit(cwd, 'dice-bot 1.0.0');
}

/** Release 2 of the team's bot: /coin added, package version 1.1.0, committed. */
export async function writeV2(cwd: string): Promise<void> {
  await cp(join(cwd, 'v2', 'bot.ts'), join(cwd, 'src', 'bot.ts'));
  const pkg = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8'));
  pkg.version = '1.1.0';
  await writeFile(join(cwd, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await commit(cwd, 'dice-bot 1.1.0: /coin');
}

/** A release whose bot throws as it starts (a missing setting, say): it must never serve. */
export async function writeBrokenV3(cwd: string): Promise<void> {
  const bot = await readFile(join(cwd, 'src', 'bot.ts'), 'utf8');
  await writeFile(
    join(cwd, 'src', 'bot.ts'),
    `${bot}\nif (!process.env.DICE_SETTING) throw new Error('DICE_SETTING is not set: dice-bot cannot start');\n`,
  );
  await commit(cwd, 'dice-bot: needs DICE_SETTING');
}

export async function headCommit(cwd: string): Promise<string> {
  return (await git(cwd, ['rev-parse', 'HEAD'])).trim();
}

async function commit(cwd: string, message: string): Promise<void> {
  await git(cwd, ['add', '-A']);
  await git(cwd, ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-q', '-m', message]);
}

async function git(cwd: string, args: string[]): Promise<string> {
  return (await run('git', args, { cwd })).stdout;
}

export async function startTeamSandbox(name: string): Promise<Sandbox> {
  return startSandbox(name, { prepare: prepareTeamProject });
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
 * A `/roll` and a `!roll` every `everyMs`. stop() waits `settleMs` (longer than Discord's 3 s
 * answer window and the standby's replay) and then counts from GET /control/answers.
 */
export function startTraffic(controlUrl: string, everyMs: number): { stop(settleMs?: number): Promise<TrafficStats> } {
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
    send('interaction', '/commands', { name: 'roll' });
    send('message', '/messages', { content: '!roll 20' });
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

/** Sends one slash command only a user could type (it must be registered); null when refused. */
export async function typeCommand(
  controlUrl: string,
  name: string,
): Promise<{ status: number; answeredBy: string[]; content?: string }> {
  const res = await fetch(`${controlUrl}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, registered: true, waitMs: 5000 }),
  });
  if (!res.ok) return { status: res.status, answeredBy: [] };
  const body = (await res.json()) as { answeredBy?: string[]; content?: string };
  return { status: res.status, answeredBy: body.answeredBy ?? [], content: body.content };
}

export { ROOT };
