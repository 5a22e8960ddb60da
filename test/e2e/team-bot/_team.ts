// What the team-bot e2e test and benchmark share: the fixture bot (test/fixtures/team-bot) set up
// as a team's own project (its own package.json and node_modules, a git checkout), and a prober
// that sends a slash command and a prefix message at a fixed interval and then counts, from the
// Discord emulator's own record of every answer attempt by every session (the counting lives in
// the orchestration harness), what was answered twice and what not at all.
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startSandbox, startTraffic, type Sandbox } from '../orchestration/_harness.js';

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

/** The team bot's traffic: a `/roll` and a `!roll 20` every `everyMs`. */
export function startTeamTraffic(controlUrl: string, everyMs: number) {
  return startTraffic(controlUrl, everyMs, { command: 'roll', message: '!roll 20' });
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

export type { TrafficStats } from '../orchestration/_harness.js';
