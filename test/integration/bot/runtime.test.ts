// A team's bot through the runtime (runBotModule + defineBot) against the Discord emulator:
// --describe, the entry's failures, prefix commands, events and jobs only while active,
// buffered messages handled on activation, and handlers that throw.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendControl } from '../../../bot/roles/protocol.js';
import { botEnv, probe, scratch, sleep, startHealth, waitForStatus, type Proc } from '../../_helpers/bot.js';
import { control, sendCommand, startEmulator, type DiscordEmulator } from '../../_helpers/discord.js';

const TOKEN = 'MTA5.runtime-secret-token.Rt4';
const entry = join(import.meta.dirname, 'fixtures', 'entry.ts');
let emulator: DiscordEmulator;
const procs: Proc[] = [];

function run(env: Record<string, string>, args: string[] = []): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { PATH: process.env.PATH!, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const proc: Proc = {
    pid: child.pid!,
    child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      const sent = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const done = await exited;
      return { code: done.code, signal: done.signal, ms: done.at - sent };
    },
  };
  procs.push(proc);
  return proc;
}

const lines = (proc: Proc) =>
  proc
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));

async function sendMessage(content: string, waitMs = 0) {
  return control(emulator, '/messages', { content, waitMs });
}

beforeAll(async () => {
  emulator = await startEmulator({ tokens: [TOKEN] });
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  await emulator?.stop();
});

describe('runBotModule', () => {
  it('--describe prints one JSON line and exits 0, with no token and no connection', async () => {
    const proc = run({}, ['--describe']);
    expect((await proc.exited).code).toBe(0);
    expect(JSON.parse(proc.output().trim())).toEqual({
      commands: [
        { name: 'roll', description: 'Roll a die' },
        { name: 'boom', description: 'Throws' },
      ],
      prefix: '!',
      messageCommands: ['roll', 'crash'],
      events: ['guildMemberAdd'],
      jobs: [{ name: 'tick', everyMs: 150 }],
      intents: [1, 2, 512, 32768],
    });
  });

  it('an entry that exports no bot exits 2 naming the file; a bad definition exits 2; a module that throws exits 1', async () => {
    const none = run({ FIXTURE: 'not-a-bot', YDEPLOY_DESCRIBE: '1' });
    expect((await none.exited).code).toBe(2);
    expect(none.output()).toContain('fixtures/not-a-bot.ts: must export default defineBot({...}) from "ydeploy/bot"');
    const bad = run({ FIXTURE: 'bad-definition', YDEPLOY_DESCRIBE: '1' });
    expect((await bad.exited).code).toBe(2);
    expect(bad.output()).toContain('fixtures/bad-definition.ts: job "digest".every: "often" is not a duration');
    const throws = run({ FIXTURE: 'throws', DISCORD_TOKEN: TOKEN });
    expect((await throws.exited).code).toBe(1);
    expect(lines(throws).at(-1)).toMatchObject({ level: 60, msg: 'loading fixtures/throws.ts failed' });
    expect(throws.output()).toContain('the team module failed to load');
  });
});

describe('a team bot on the runtime', () => {
  it('a standby handles nothing; activated, it handles the buffered message, then events and jobs', async () => {
    const dir = scratch();
    const env = botEnv({ api: emulator.apiBase, token: TOKEN, dir, instanceId: 'i-team', role: 'standby' });
    const health = await startHealth(env);
    procs.push(health);
    const started = Date.now();
    const bot = run(env);
    await waitForStatus(health.url, 'healthy', 20_000, started);

    const early = await sendMessage('!roll 20', 300);
    expect(early.deliveredTo.map((d: { instance: string }) => d.instance)).toEqual(['i-team']);
    expect(early.replies).toEqual([]);
    await control(emulator, '/members', { username: 'ignored_member' });
    await sleep(400);
    expect(lines(bot).some((l) => l.msg === 'tick ran' || l.msg === 'welcomed')).toBe(false);

    const activated = await sendControl(env.CONTROL_SOCKET!, { cmd: 'activate', after: '0' });
    expect(activated).toMatchObject({ ok: true, role: 'active', replayed: [early.id] });
    await sleep(500);
    const replayed = await (await fetch(`${emulator.controlUrl}/messages/${early.id}`)).json();
    expect(replayed.replies.map((r: { content: string }) => r.content)).toEqual(['rolled 20 on i-team']);

    const alias = await sendMessage('!R', 3000);
    expect(alias.replies).toMatchObject([{ content: 'rolled 6 on i-team', instance: 'i-team' }]);
    expect((await sendCommand(emulator, 'roll', 3000)).content).toBe('rolled 4');
    await control(emulator, '/members', { username: 'new_member' });
    await sleep(300);
    const logged = lines(bot);
    expect(logged.filter((l) => l.msg === 'welcomed').map((l) => l.member)).toEqual(['new_member']);
    expect(logged.filter((l) => l.msg === 'tick ran').length).toBeGreaterThanOrEqual(2);
    expect(logged.filter((l) => l.msg === 'tick ran').every((l) => l.role === 'active')).toBe(true);

    // Handlers that throw are logged with their event; the bot keeps answering.
    const boom = await sendCommand(emulator, 'boom', 3000);
    expect(boom.content).toBe('/boom failed');
    await sendMessage('!crash', 300);
    expect((await sendMessage('!roll 3', 3000)).replies).toHaveLength(1);
    expect(lines(bot)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'interaction handler failed', kind: 'interaction', command: 'boom' }),
        expect.objectContaining({ msg: 'message handler failed', kind: 'message', command: '!crash' }),
      ]),
    );

    // Stepped down: jobs stop, and nothing more is handled.
    const down = await sendControl(env.CONTROL_SOCKET!, { cmd: 'step-down' });
    expect(down).toMatchObject({ ok: true, role: 'standby', lastHandledKind: 'message' });
    const ticks = lines(bot).filter((l) => l.msg === 'tick ran').length;
    await sleep(500);
    expect(lines(bot).filter((l) => l.msg === 'tick ran').length).toBe(ticks);
    expect((await sendMessage('!roll 2', 300)).replies).toEqual([]);
    expect((await probe(health.url)).body).toMatchObject({ status: 'healthy', role: 'standby' });

    expect((await bot.stop('SIGTERM')).code).toBe(0);
    expect(bot.output()).not.toContain(TOKEN.split('.')[1]);
  });
});
