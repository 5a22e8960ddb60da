// Exactly one bot answers (bot side), with the bundled release: a standby answers
// nothing; step-down + activate hands over under a command every 100 ms with no double and no
// lost answer; botctl's refusals and exit codes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../../cli/release/build.js';
import {
  botEnv,
  probe,
  scratch,
  sleep,
  spawnEntry,
  startHealth,
  waitForStatus,
  type Proc,
} from '../../_helpers/bot.js';
import {
  interactionOf,
  sendCommand,
  startEmulator,
  type DiscordEmulator,
  type InteractionSummary,
} from '../../_helpers/discord.js';

const TOKEN = 'MTA5.roles-secret-token.Rr3';
let emulator: DiscordEmulator;
let release: string;
const procs: Proc[] = [];
const bots: Record<'old' | 'new', { env: Record<string, string>; health: string; bot: Proc }> = {} as never;

async function start(name: 'old' | 'new', role: 'active' | 'standby') {
  const env = botEnv({
    api: emulator.apiBase,
    token: TOKEN,
    dir: scratch(),
    instanceId: `i-${name}`,
    role,
    version: name === 'old' ? 'v1' : 'v2',
  });
  const health = await startHealth(env, { release });
  const started = Date.now();
  const bot = spawnEntry('bot', env, { release });
  procs.push(health, bot);
  await waitForStatus(health.url, 'healthy', 15_000, started);
  bots[name] = { env, health: health.url, bot };
}

async function botctl(name: 'old' | 'new', ...args: string[]): Promise<{ code: number | null; json: any }> {
  const proc = spawnEntry('botctl', { CONTROL_SOCKET: bots[name].env.CONTROL_SOCKET! }, { release }, args);
  const { code } = await proc.exited;
  return { code, json: JSON.parse(proc.output().trim().split('\n').at(-1)!) };
}

beforeAll(async () => {
  emulator = await startEmulator({ tokens: [TOKEN] });
  release = (await buildRelease({ version: 'v-roles', outDir: mkdtempSync(join(tmpdir(), 'ydb-release-')) })).dir;
  await start('old', 'active');
  await start('new', 'standby');
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGTERM')));
  await emulator?.stop();
});

describe('active and standby', () => {
  it('the standby is connected, ready and healthy, reports its role, and answers nothing', async () => {
    expect((await probe(bots.new.health)).body).toMatchObject({
      status: 'healthy',
      role: 'standby',
      instanceId: 'i-new',
      version: 'v2',
    });
    expect((await probe(bots.old.health)).body).toMatchObject({ status: 'healthy', role: 'active' });
    const sessions = await (await fetch(`${emulator.controlUrl}/sessions`)).json();
    expect(sessions.map((s: any) => s.instance).sort()).toEqual(['i-new', 'i-old']);
    for (let i = 0; i < 5; i++) {
      const ping = await sendCommand(emulator, 'ping', 2000);
      expect(ping.deliveredTo.map((d) => d.instance).sort()).toEqual(['i-new', 'i-old']);
      expect(ping).toMatchObject({ answered: true, attempts: 1, answeredBy: ['i-old'] });
    }
    expect((await botctl('new', 'status')).json).toMatchObject({ ok: true, role: 'standby', lastEventAt: null });
  });

  it('hands over under a command every 100 ms: none answered twice, none lost', async () => {
    const sent: Promise<InteractionSummary>[] = [];
    let sending = true;
    const sender = (async () => {
      while (sending) {
        sent.push(sendCommand(emulator, 'ping'));
        await sleep(100);
      }
    })();
    await sleep(700);
    const down = await botctl('old', 'step-down');
    expect(down).toMatchObject({ code: 0, json: { ok: true, role: 'standby' } });
    expect(down.json.after).toMatch(/^\d{17,20}$/);
    await sleep(300); // the gap two SSM commands leave between step-down and activate
    const up = await botctl('new', 'activate', '--after', down.json.after);
    expect(up).toMatchObject({ code: 0, json: { ok: true, role: 'active', alreadyActive: false } });
    await sleep(700);
    sending = false;
    await sender;
    await sleep(1500);

    const records = await Promise.all((await Promise.all(sent)).map((s) => interactionOf(emulator, s.id)));
    const twice = records.filter((r) => r.attempts > 1);
    const lost = records.filter((r) => !r.answered);
    const answeredAt = records
      .flatMap((r) => r.answers.filter((a) => a.accepted).map((a) => r.sentAt + a.latencyMs))
      .sort((a, b) => a - b);
    const gap = Math.max(...answeredAt.slice(1).map((t, i) => t - answeredAt[i]!));
    console.info(
      `[roles] ${records.length} commands, ${up.json.replayed.length} answered from the standby's buffer, answered twice: ${twice.length}, not answered: ${lost.length}, longest gap between answers: ${gap} ms`,
    );
    expect(twice).toEqual([]);
    expect(lost).toEqual([]);
    expect(new Set(records.flatMap((r) => r.answeredBy))).toEqual(new Set(['i-old', 'i-new']));
    expect(up.json.replayed.length).toBeGreaterThan(0);
    expect(records.at(-1)!.answeredBy).toEqual(['i-new']);

    // Health and status show the new roles.
    expect((await probe(bots.old.health)).body.role).toBe('standby');
    expect((await probe(bots.new.health)).body.role).toBe('active');
    const status = await botctl('new', 'status');
    expect(status.json).toMatchObject({ role: 'active', lastInteractionId: records.at(-1)!.id });
    const sessions = await (await fetch(`${emulator.controlUrl}/sessions`)).json();
    expect(sessions.find((s: any) => s.instance === 'i-new').presence.activities[0].state).toBe(
      'instance i-new · v2 · active',
    );
  });

  it('refuses to promote while the peer still reports active, and without --after', async () => {
    const refused = await botctl('old', 'activate', '--after', '0', '--peer-active');
    expect(refused).toMatchObject({ code: 3, json: { ok: false, error: 'refused' } });
    expect((await botctl('old', 'activate')).code).toBe(3);
    expect((await botctl('old', 'status')).json.role).toBe('standby');
    expect((await sendCommand(emulator, 'ping', 2000)).answeredBy).toEqual(['i-new']);
  });

  it('a bot that crashes and restarts keeps the role botctl gave it, not its launch BOT_ROLE', async () => {
    await bots.new.bot.stop('SIGKILL');
    const started = Date.now();
    const again = spawnEntry('bot', bots.new.env, { release }); // env still says BOT_ROLE=standby
    procs.push(again);
    bots.new.bot = again;
    let body: any;
    while (Date.now() - started < 15_000 && body?.pid !== again.pid) {
      body = (await probe(bots.new.health)).body;
      await sleep(20);
    }
    expect(body).toMatchObject({ status: 'healthy', pid: again.pid, role: 'active' });
    expect(again.output()).toMatch(/"role":"active","roleFrom":"role file","roleFile":"[^"]+\.role"/);
    expect((await sendCommand(emulator, 'ping', 3000)).answeredBy).toEqual(['i-new']);
  });

  it('botctl: usage errors exit 2, an unreachable bot exits 1', async () => {
    expect((await botctl('old', 'promote')).code).toBe(2);
    expect((await botctl('old', 'activate', '--after', 'yesterday')).code).toBe(2);
    const gone = await botctl('old', 'status', '--socket', join(scratch(), 'none.sock'));
    expect(gone).toMatchObject({ code: 1, json: { ok: false, error: 'unreachable' } });
  });

  it('the bundled release stops gracefully with exit 0, and the token never appeared in any output', async () => {
    const stopped = await bots.old.bot.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(10_000);
    await waitForStatus(bots.old.health, 'unhealthy', 3000);
    for (const proc of procs) expect(proc.output()).not.toContain('roles-secret-token');
  });
});
