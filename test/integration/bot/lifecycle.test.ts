// The bot and its health server as real processes against the Discord emulator: the guide's
// health flow, /ping, faults, and graceful shutdown.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
import { control, sendCommand, startEmulator, type DiscordEmulator } from '../../_helpers/discord.js';
import { startMoto, type Moto } from '../../_helpers/moto.js';

const TOKEN = 'MTA5.lifecycle-secret-token.Zx9';
let emulator: DiscordEmulator;
const procs: Proc[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ tokens: [TOKEN], gatewayRejectTokens: ['MTA5.revoked-secret-token.Qq1'] });
});
afterEach(async () => {
  await control(emulator, '/gateway', { stalled: false });
  await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
});
afterAll(() => emulator?.stop());

/** A bot and its health server sharing a scratch directory. */
async function pair(setup: { token?: string; instanceId?: string; extra?: Record<string, string> } = {}) {
  const dir = scratch();
  const env = botEnv({
    api: emulator.apiBase,
    token: setup.token ?? TOKEN,
    dir,
    instanceId: setup.instanceId ?? 'i-life',
    extra: setup.extra,
  });
  const health = await startHealth(env);
  procs.push(health);
  const startedAt = Date.now();
  const bot = spawnEntry('bot', env);
  procs.push(bot);
  return { dir, env, health, bot, startedAt };
}

/** Records every /health status seen until stopped. */
function watch(url: string) {
  const seen: string[] = [];
  let on = true;
  const done = (async () => {
    while (on) {
      const r = await probe(url).catch(() => undefined);
      if (r && seen.at(-1) !== r.body.status) seen.push(r.body.status);
      await sleep(5);
    }
  })();
  return { seen, stop: async () => ((on = false), await done, seen) };
}

const expectNoToken = (...outputs: string[]) => {
  for (const out of outputs) expect(out).not.toContain(TOKEN.split('.')[1]);
};

describe('bot lifecycle', () => {
  it('goes starting -> healthy, answers /ping with latency, instance and version, and stops gracefully on SIGTERM', async () => {
    const { health, bot, startedAt, dir } = await pair();
    expect((await probe(health.url)).body.status).toBe('starting');
    const healthy = await waitForStatus(health.url, 'healthy', 15_000, startedAt);
    console.info(`[bot] spawn -> healthy: ${healthy.ms} ms (sources through tsx)`);
    expect(healthy.body).toMatchObject({
      instanceId: 'i-life',
      version: 'v-test',
      role: 'active',
      discord: { ready: true, guilds: 1 },
    });
    expect(healthy.body.uptime).toBeGreaterThanOrEqual(0);

    const ping = await sendCommand(emulator, 'ping', 3000);
    expect(ping).toMatchObject({ answered: true, attempts: 1, answeredBy: ['i-life'] });
    expect(ping.content).toMatch(/^Pong! \d+ ms \(gateway -?\d+ ms\) · instance i-life · v-test$/);
    const status = await sendCommand(emulator, 'status', 3000);
    expect(status.content).toMatch(/instance i-life · v-test · active · up \d+ s · 1 guilds/);
    // A bot never registers slash commands itself (a standby must not change what users see):
    // the deploy syncs them.
    expect(await (await fetch(`${emulator.controlUrl}/commands`)).json()).toEqual([]);

    const watcher = watch(health.url);
    await sleep(50);
    const stopped = await bot.stop('SIGTERM');
    await sleep(300);
    const seen = await watcher.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(10_000);
    expect(seen).toEqual(['healthy', 'stopping', 'unhealthy']);
    expect(existsSync(join(dir, 'bot-ready'))).toBe(false);
    expect((await probe(health.url)).body).toMatchObject({
      status: 'unhealthy',
      reason: 'readiness file removed: the bot is not running',
    });
    expectNoToken(bot.output(), health.output());
    const done = await health.stop('SIGTERM');
    expect(done.code).toBe(0);
  });

  it('exits non-zero when Discord rejects the token (4004) and health never reads healthy', async () => {
    const { health, bot } = await pair({ token: 'MTA5.revoked-secret-token.Qq1' });
    const watcher = watch(health.url);
    const exit = await bot.exited;
    await sleep(400);
    expect(exit.code).toBe(1);
    expect(await watcher.stop()).toEqual(['starting']);
    expect(bot.output()).toContain('Authentication failed');
    expect(bot.output()).not.toContain('revoked-secret-token');
  });

  it('after a start that never became ready, the next one waits its backoff first and says why', async () => {
    const { env, bot } = await pair({
      token: 'MTA5.revoked-secret-token.Qq1',
      extra: { START_BACKOFF_MS: '1500' },
    });
    expect((await bot.exited).code).toBe(1);
    const again = spawnEntry('bot', env);
    procs.push(again);
    const started = Date.now();
    const exit = await again.exited;
    expect(exit.code).toBe(1);
    expect(exit.at - started).toBeGreaterThanOrEqual(1500);
    expect(again.output()).toMatch(
      /waiting 2 s before identifying: 1 start\(s\) in a row never became ready on Discord \(the last: login to Discord failed: [^)]*Authentication failed/,
    );
    expect(again.output()).not.toContain('revoked-secret-token');
  });

  it('runs two shards (BOT_SHARDS=0,1 of 2): healthy once both are ready, each listed in /health', async () => {
    const { health, startedAt, bot, dir } = await pair({
      instanceId: 'i-shards',
      extra: { BOT_SHARDS: '0,1', BOT_SHARD_COUNT: '2' },
    });
    // max_concurrency 1: discord.js identifies the second shard 5 s after the first.
    const healthy = await waitForStatus(health.url, 'healthy', 30_000, startedAt);
    console.info(`[bot] two shards: spawn -> healthy: ${healthy.ms} ms`);
    expect(healthy.body).toMatchObject({
      instanceId: 'i-shards',
      discord: { ready: true },
      shardCount: 2,
      shards: [
        { id: 0, status: 'ready', ping: expect.any(Number), guilds: expect.any(Number) },
        { id: 1, status: 'ready', ping: expect.any(Number), guilds: expect.any(Number) },
      ],
    });
    expect(bot.output()).toContain('"shards":[0,1],"shardCount":2');
    expect((await bot.stop('SIGTERM')).code).toBe(0);
    // A stop that was asked for leaves no start record behind: the next start identifies at once.
    expect(existsSync(join(dir, 'control.starts.json'))).toBe(false);
  });

  it('exits non-zero on a token REST rejects, without printing it', async () => {
    const { bot } = await pair({ token: 'MTA5.unknown-secret-token.Pp2' });
    expect((await bot.exited).code).toBe(1);
    expect(bot.output()).toContain('An invalid token was provided');
    expect(bot.output()).not.toContain('unknown-secret-token');
  });

  it('resumes after the emulator drops the connection, and health stays healthy', async () => {
    const { health, startedAt } = await pair({ instanceId: 'i-resume' });
    await waitForStatus(health.url, 'healthy', 15_000, startedAt);
    const watcher = watch(health.url);
    const { dropped } = await control(emulator, '/drop', { instance: 'i-resume' });
    expect(dropped).toHaveLength(1);
    const deadline = Date.now() + 10_000;
    let session: any;
    while (Date.now() < deadline) {
      session = (await (await fetch(`${emulator.controlUrl}/sessions`)).json()).find((s: any) => s.id === dropped[0]);
      if (session?.resumes >= 1 && session.connected) break;
      await sleep(50);
    }
    expect(session).toMatchObject({ resumes: 1, connected: true });
    expect(await watcher.stop()).toEqual(['healthy']);
    expect(await sendCommand(emulator, 'ping', 3000)).toMatchObject({ answered: true, answeredBy: ['i-resume'] });
  });

  it('reads unhealthy once Discord stays lost past the grace period', async () => {
    const { health, startedAt } = await pair({ instanceId: 'i-lost', extra: { DISCORD_GRACE_MS: '1000' } });
    await waitForStatus(health.url, 'healthy', 15_000, startedAt);
    await control(emulator, '/gateway', { stalled: true });
    // The bot may see the drop before the control call returns: time it from before the call.
    const lost = Date.now();
    await control(emulator, '/drop', { instance: 'i-lost' });
    const unhealthy = await waitForStatus(health.url, 'unhealthy', 10_000, lost);
    expect(unhealthy.body.reason).toMatch(/^Discord connection lost for \d+(\.\d)? s \(grace 1 s\)$/);
    expect(unhealthy.ms).toBeGreaterThanOrEqual(1000);
    await control(emulator, '/gateway', { stalled: false });
  });

  it('exits 0 within the deadline on SIGTERM while still connecting (client.destroy() would hang)', async () => {
    await control(emulator, '/gateway', { stalled: true });
    const { bot, health, dir } = await pair({ instanceId: 'i-stuck' });
    while (!bot.output().includes('connecting to Discord')) await sleep(20);
    await sleep(1000);
    expect(bot.child.exitCode).toBeNull();
    expect((await probe(health.url)).body.status).toBe('starting');
    const stopped = await bot.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(10_000);
    expect(existsSync(join(dir, 'bot-ready'))).toBe(false);
    expect(existsSync(join(dir, 'control.sock'))).toBe(false);
  });

  it('reads unhealthy within the stale window after kill -9 of the bot', async () => {
    const { health, bot, startedAt, dir } = await pair({ instanceId: 'i-killed' });
    await waitForStatus(health.url, 'healthy', 15_000, startedAt);
    await bot.stop('SIGKILL');
    const killed = Date.now();
    const unhealthy = await waitForStatus(health.url, 'unhealthy', 3000, killed);
    console.info(`[bot] kill -9 -> unhealthy: ${unhealthy.ms} ms (stale window 3000 ms)`);
    expect(unhealthy.body.reason).toBe(`bot process ${bot.pid} is not running`);
    expect(existsSync(join(dir, 'bot-ready'))).toBe(true); // the crash left it behind; it still does not read healthy
  });
});

describe('token from SSM Parameter Store', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(() => moto?.stop());

  it('reads DISCORD_TOKEN_PARAMETER with decryption and never prints the token', async () => {
    const ssm = new SSMClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await ssm.send(
      new PutParameterCommand({ Name: '/ydeploy/test/discord-token', Type: 'SecureString', Value: TOKEN }),
    );
    const dir = scratch();
    const { DISCORD_TOKEN: _unused, ...env } = botEnv({
      api: emulator.apiBase,
      token: TOKEN,
      dir,
      instanceId: 'i-ssm',
    });
    const health = await startHealth(env);
    procs.push(health);
    const started = Date.now();
    const bot = spawnEntry('bot', { ...env, ...moto.env, DISCORD_TOKEN_PARAMETER: '/ydeploy/test/discord-token' });
    procs.push(bot);
    await waitForStatus(health.url, 'healthy', 20_000, started);
    expect((await sendCommand(emulator, 'ping', 3000)).answeredBy).toEqual(['i-ssm']);
    await bot.stop('SIGTERM');
    expectNoToken(bot.output(), health.output());

    const missing = spawnEntry('bot', { ...env, ...moto.env, DISCORD_TOKEN_PARAMETER: '/ydeploy/test/absent' });
    procs.push(missing);
    expect((await missing.exited).code).toBe(2);
    expect(missing.output()).toContain(
      'reading the Discord token from SSM parameter /ydeploy/test/absent: ParameterNotFound',
    );
  });
});
