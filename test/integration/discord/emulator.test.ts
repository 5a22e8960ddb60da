// The emulator speaks enough Discord for discord.js (DESIGN.md §6), checked with a raw client, and
// behaves like Discord for a sharded bot (routing by shard, Discord's identify limits), checked with raw
// clients and a sharded discord.js client.
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { DiscordEmulatorOptions } from '../../../cli/sandbox/emulators/discord/index.js';
import { control, sendCommand, startEmulator, type DiscordEmulator } from '../../_helpers/discord.js';

const TOKEN = 'emulator-test-token-1';
let emulator: DiscordEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ tokens: [TOKEN], gatewayRejectTokens: ['gateway-rejected-token'] });
});
afterAll(() => emulator?.stop());

const rest = (path: string, init: RequestInit = {}, token = TOKEN) =>
  fetch(`${emulator.apiBase}/v10${path}`, {
    ...init,
    headers: { authorization: `Bot ${token}`, 'content-type': 'application/json', ...init.headers },
  });

/** A gateway connection that collects every payload. */
async function connect(target = emulator) {
  const ws = new WebSocket(`${target.gatewayUrl}?v=10&encoding=json`);
  const payloads: any[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (raw) => payloads.push(JSON.parse(raw.toString())));
  await new Promise((resolve) => ws.once('open', resolve));
  const next = async (match: (p: any) => boolean, timeoutMs = 3000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = payloads.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no matching payload; got ${JSON.stringify(payloads.map((p) => p.t ?? p.op))}`);
  };
  return { ws, payloads, closed, next, send: (p: unknown) => ws.send(JSON.stringify(p)) };
}

const identify = (token: string, instance = 'i-raw', shard?: unknown, intents = 1) => ({
  op: 2,
  d: {
    token,
    intents,
    ...(shard === undefined ? {} : { shard }),
    properties: { os: 'linux', browser: 'test', device: 'test' },
    presence: { activities: [{ type: 4, name: 'Custom Status', state: `instance ${instance} · v1 · active` }] },
  },
});

describe('REST', () => {
  it('serves gateway discovery as JSON and rejects bad tokens with 401', async () => {
    const res = await rest('/gateway/bot');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      url: emulator.gatewayUrl,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
    });
    expect((await rest('/gateway/bot', {}, 'nope-nope-nope')).status).toBe(401);
    expect((await rest('/users/@me')).status).toBe(200);
    expect((await rest('/nothing/here')).status).toBe(404);
  });

  it('bulk-overwrites and lists application commands, and takes channel messages', async () => {
    const appId = emulator.state.applicationId;
    const put = await rest(`/applications/${appId}/commands`, {
      method: 'PUT',
      body: JSON.stringify([{ name: 'ping', description: 'p' }]),
    });
    expect(await put.json()).toMatchObject([{ name: 'ping', application_id: appId }]);
    expect(await (await rest(`/applications/${appId}/commands`)).json()).toMatchObject([{ name: 'ping' }]);
    const msg = await rest('/channels/123/messages', { method: 'POST', body: JSON.stringify({ content: 'hello' }) });
    expect(await msg.json()).toMatchObject({ channel_id: '123', content: 'hello' });
  });
});

describe('gateway', () => {
  it('HELLO, IDENTIFY -> READY with application -> GUILD_CREATE, heartbeat ACK', async () => {
    const c = await connect();
    expect((await c.next((p) => p.op === 10)).d.heartbeat_interval).toBeGreaterThan(0);
    c.send(identify(TOKEN));
    const ready = await c.next((p) => p.t === 'READY');
    expect(ready.d).toMatchObject({
      v: 10,
      application: { id: emulator.state.applicationId },
      resume_gateway_url: emulator.gatewayUrl,
      user: { bot: true },
    });
    expect((await c.next((p) => p.t === 'GUILD_CREATE')).d).toMatchObject({ unavailable: false });
    c.send({ op: 1, d: 2 });
    await c.next((p) => p.op === 11);
    expect(
      (await (await fetch(`${emulator.controlUrl}/sessions`)).json()).find((s: any) => s.id === ready.d.session_id),
    ).toMatchObject({ instance: 'i-raw', connected: true });
    c.ws.close();
  });

  it('closes with 4004 on an unknown token and on a token the gateway rejects', async () => {
    for (const token of ['unknown-token-123', 'gateway-rejected-token']) {
      const c = await connect();
      c.send(identify(token));
      expect(await c.closed).toBe(4004);
    }
  });

  it('RESUME replays what was missed, then RESUMED; a bad session gets op 9', async () => {
    const c = await connect();
    c.send(identify(TOKEN, 'i-resume'));
    const ready = await c.next((p) => p.t === 'READY');
    const seq = (await c.next((p) => p.t === 'GUILD_CREATE')).s;
    const dropped = await control(emulator, '/drop', { session: ready.d.session_id });
    expect(dropped.dropped).toEqual([ready.d.session_id]);
    await c.closed;
    const missed = await sendCommand(emulator, 'ping');
    const r = await connect();
    r.send({ op: 6, d: { token: TOKEN, session_id: ready.d.session_id, seq } });
    const replayed = await r.next((p) => p.t === 'INTERACTION_CREATE');
    expect(replayed.d.id).toBe(missed.id);
    await r.next((p) => p.t === 'RESUMED');
    r.ws.close();
    const bad = await connect();
    bad.send({ op: 6, d: { token: TOKEN, session_id: 'nope', seq: 0 } });
    expect((await bad.next((p) => p.op === 9)).d).toBe(false);
    bad.ws.close();
  });
});

describe('a client that closes its session', () => {
  it('with 1000 ends it: no more deliveries, no resume (a stopped bot is gone)', async () => {
    const c = await connect();
    c.send(identify(TOKEN, 'i-stopped'));
    const ready = await c.next((p) => p.t === 'READY');
    const seq = (await c.next((p) => p.t === 'GUILD_CREATE')).s;
    c.ws.close(1000);
    await c.closed;
    const sent = await sendCommand(emulator, 'ping');
    const record = await (await fetch(`${emulator.controlUrl}/interactions/${sent.id}`)).json();
    expect(record.deliveredTo.map((d: { instance?: string }) => d.instance)).not.toContain('i-stopped');
    const r = await connect();
    r.send({ op: 6, d: { token: TOKEN, session_id: ready.d.session_id, seq } });
    expect((await r.next((p) => p.op === 9)).d).toBe(false);
    r.ws.close();
  });
});

describe('control API: who answered', () => {
  it('records which instance answered, and rejects a second acknowledgement like Discord', async () => {
    const a = await connect();
    a.send(identify(TOKEN, 'i-a'));
    await a.next((p) => p.t === 'GUILD_CREATE');
    const b = await connect();
    b.send(identify(TOKEN, 'i-b'));
    await b.next((p) => p.t === 'GUILD_CREATE');

    const sent = await sendCommand(emulator, 'ping');
    const atA = await a.next((p) => p.t === 'INTERACTION_CREATE' && p.d.id === sent.id);
    const atB = await b.next((p) => p.t === 'INTERACTION_CREATE' && p.d.id === sent.id);
    expect(atA.d.token).not.toBe(atB.d.token);
    expect(atA.d.data).toMatchObject({ name: 'ping', type: 1 });
    const callback = (token: string, content: string) =>
      fetch(`${emulator.apiBase}/v10/interactions/${sent.id}/${token}/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 4, data: { content } }),
      });
    expect((await callback(atB.d.token, 'from b')).status).toBe(204);
    const second = await callback(atA.d.token, 'from a');
    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({ code: 40060 });

    const record = await (await fetch(`${emulator.controlUrl}/interactions/${sent.id}`)).json();
    expect(record).toMatchObject({ answered: true, attempts: 2, answeredBy: ['i-b', 'i-a'], content: 'from b' });
    expect(record.answers.map((x: any) => [x.instance, x.accepted, x.rejected])).toEqual([
      ['i-b', true, undefined],
      ['i-a', false, 'already-acknowledged'],
    ]);
    a.ws.close();
    b.ws.close();
  });

  it('rejects an answer after the 3 s window with 10062, as Discord does', async () => {
    const a = await connect();
    a.send(identify(TOKEN, 'i-late'));
    await a.next((p) => p.t === 'GUILD_CREATE');
    const sent = await sendCommand(emulator, 'ping');
    const got = await a.next((p) => p.t === 'INTERACTION_CREATE' && p.d.id === sent.id);
    await new Promise((r) => setTimeout(r, 3100));
    const late = await fetch(`${emulator.apiBase}/v10/interactions/${sent.id}/${got.d.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'late' } }),
    });
    expect(late.status).toBe(404);
    expect(await late.json()).toMatchObject({ code: 10062 });
    const record = await (await fetch(`${emulator.controlUrl}/interactions/${sent.id}`)).json();
    expect(record).toMatchObject({
      answered: false,
      attempts: 1,
      answers: [{ instance: 'i-late', accepted: false, rejected: 'expired' }],
    });
    a.ws.close();
  });

  it('validates control input', async () => {
    const res = await fetch(`${emulator.controlUrl}/commands`, {
      method: 'POST',
      body: JSON.stringify({ name: 'has spaces' }),
    });
    expect(res.status).toBe(400);
    expect((await fetch(`${emulator.controlUrl}/interactions/1`)).status).toBe(404);
    expect((await fetch(`${emulator.controlUrl}/commands`, { method: 'POST', body: '{oops' })).status).toBe(400);
  });
});

describe('shards', () => {
  const SHARD_TOKEN = 'shard-test-token-1';
  const started: DiscordEmulator[] = [];
  afterAll(async () => {
    for (const c of clients) await c.destroy();
    await Promise.all(started.map((e) => e.stop()));
  });
  const clients: Client[] = [];

  async function fresh(options: Partial<DiscordEmulatorOptions> = {}) {
    const target = await startEmulator({ tokens: [SHARD_TOKEN], ...options });
    started.push(target);
    return target;
  }
  const getJson = async (target: DiscordEmulator, path: string) => (await fetch(`${target.controlUrl}${path}`)).json();
  const post = async (target: DiscordEmulator, path: string, body: unknown) => {
    const res = await fetch(`${target.controlUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  const gatewayBot = async (target: DiscordEmulator, token = SHARD_TOKEN) =>
    fetch(`${target.apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${token}` } });
  /** Discord's routing formula, as the test's oracle. */
  const shardOf = (guildId: string, count: number) => Number((BigInt(guildId) >> 22n) % BigInt(count));
  const outcomes = async (target: DiscordEmulator) =>
    ((await getJson(target, '/limits')).identifies as { outcome: string }[]).map((i) => i.outcome);

  /** A raw session identified as `shard`, once READY and every GUILD_CREATE arrived. */
  async function session(target: DiscordEmulator, shard: [number, number], instance: string, intents = 1) {
    const c = await connect(target);
    c.send(identify(SHARD_TOKEN, instance, shard, intents));
    const ready = await c.next((p) => p.t === 'READY');
    const guildCreates = () => c.payloads.filter((p) => p.t === 'GUILD_CREATE').map((p) => p.d.id as string);
    await c.next(() => guildCreates().length === ready.d.guilds.length);
    return { ...c, ready, guildCreates };
  }
  type Raw = Awaited<ReturnType<typeof session>>;
  const got = (c: Raw, t: string, id?: string) =>
    c.payloads.filter((p) => p.t === t && (id === undefined || p.d.id === id || p.d.user?.id === id));

  it('READY carries the shard and its guilds only; events of a guild go to its shard in every set (4 and 8); DMs to shard 0', async () => {
    const target = await fresh({ guildCount: 16 });
    const intents = 1 | (1 << 1) | (1 << 9) | (1 << 15);
    const oldSet = await Promise.all([0, 1, 2, 3].map((i) => session(target, [i, 4], `i-old-${i}`, intents)));
    const newSet = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => session(target, [i, 8], `i-new-${i}`, intents)),
    );
    const guilds = (await getJson(target, '/guilds?shards=8')) as { id: string; shard: number }[];
    expect(guilds).toHaveLength(16);
    for (const [count, set] of [
      [4, oldSet],
      [8, newSet],
    ] as const) {
      for (const [i, s] of set.entries()) {
        const mine = guilds.filter((g) => shardOf(g.id, count) === i).map((g) => g.id);
        expect(mine).toHaveLength(16 / count);
        expect(s.ready.d.shard).toEqual([i, count]);
        expect(s.ready.d.guilds.map((g: { id: string }) => g.id)).toEqual(mine);
        expect(s.guildCreates()).toEqual(mine);
      }
    }
    expect(guilds.map((g) => g.shard)).toEqual(guilds.map((g) => shardOf(g.id, 8)));

    const since = Date.now();
    for (const guild of guilds) {
      const { json: sent } = await post(target, '/commands', { name: 'ping', guildId: guild.id });
      expect(sent.guildId).toBe(guild.id);
      expect(sent.deliveredTo.map((d: { instance: string; shard: number[] }) => [d.instance, d.shard])).toEqual([
        [`i-old-${shardOf(guild.id, 4)}`, [shardOf(guild.id, 4), 4]],
        [`i-new-${shardOf(guild.id, 8)}`, [shardOf(guild.id, 8), 8]],
      ]);
    }

    // One guild on shard 5 of 8 (so shard 1 of 4): both sets get it, nobody else; the new set answers first.
    const guild = guilds.find((g) => g.shard === 5)!;
    const { json: sent } = await post(target, '/commands', { name: 'roll', guildId: guild.id });
    const atNew = (await newSet[5]!.next((p) => p.t === 'INTERACTION_CREATE' && p.d.id === sent.id)).d;
    const atOld = (await oldSet[1]!.next((p) => p.t === 'INTERACTION_CREATE' && p.d.id === sent.id)).d;
    expect(atNew).toMatchObject({
      guild_id: guild.id,
      channel_id: guild.id,
      member: { user: { id: expect.any(String) } },
    });
    expect(atNew.token).not.toBe(atOld.token);
    await new Promise((r) => setTimeout(r, 100));
    const receivers = [...oldSet, ...newSet].filter((s) => got(s, 'INTERACTION_CREATE', sent.id).length);
    expect(receivers.map((s) => s.ready.d.shard)).toEqual([
      [1, 4],
      [5, 8],
    ]);
    const callback = (token: string) =>
      fetch(`${target.apiBase}/v10/interactions/${sent.id}/${token}/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 4, data: { content: 'rolled' } }),
      });
    expect((await callback(atNew.token)).status).toBe(204);
    expect((await callback(atOld.token)).status).toBe(400);

    // A DM has no guild: shard 0 of each set.
    const { json: dm } = await post(target, '/commands', { name: 'ping', dm: true });
    expect(dm.guildId).toBeUndefined();
    expect(dm.deliveredTo.map((d: { shard: number[] }) => d.shard)).toEqual([
      [0, 4],
      [0, 8],
    ]);
    const atZero = (await oldSet[0]!.next((p) => p.t === 'INTERACTION_CREATE' && p.d.id === dm.id)).d;
    expect(atZero).toMatchObject({ channel: { type: 1 }, user: { username: 'tester' }, context: 1 });
    expect(atZero.guild_id).toBeUndefined();

    // Who answered, per shard, from the emulator's own record.
    const answers = await getJson(target, `/answers?since=${since}&shards=8`);
    expect(answers.interactions).toHaveLength(18);
    expect(answers.interactions.find((i: { id: string }) => i.id === sent.id)).toMatchObject({
      guildId: guild.id,
      shards: [
        [1, 4],
        [5, 8],
      ],
      attempts: [
        { instance: 'i-new-5', shard: [5, 8], accepted: true },
        { instance: 'i-old-1', shard: [1, 4], accepted: false, rejected: 'already-acknowledged' },
      ],
    });
    expect(answers.byShard['5/8']).toEqual({ sent: 3, answered: 1, unanswered: 2, answeredTwice: 1, attempts: 1 });
    expect(answers.byShard['1/4']).toEqual({ sent: 5, answered: 1, unanswered: 4, answeredTwice: 1, attempts: 1 });
    expect(answers.byShard['0/8']).toEqual({ sent: 3, answered: 0, unanswered: 3, answeredTwice: 0, attempts: 0 });
    expect(answers.routed.shardCount).toBe(8);
    expect(answers.routed.shards[5]).toEqual({ shard: 5, sent: 3, answered: 1, unanswered: 2, answeredTwice: 1 });
    expect(answers.routed.shards[0]).toEqual({ shard: 0, sent: 3, answered: 0, unanswered: 3, answeredTwice: 0 });
    const counts = await getJson(target, `/answers?since=${since}&shards=4&list=false`);
    expect(Object.keys(counts).sort()).toEqual(['byShard', 'forgotten', 'routed']);
    expect(counts.routed.shards[1]).toEqual({ shard: 1, sent: 5, answered: 1, unanswered: 4, answeredTwice: 1 });
    expect(counts.forgotten).toBe(0);

    // A user message and a member join in that guild reach the same two sessions only.
    const { json: message } = await post(target, '/messages', { content: 'hi', channelId: guild.id });
    expect(message.deliveredTo.map((d: { instance: string }) => d.instance)).toEqual(['i-old-1', 'i-new-5']);
    const { json: member } = await post(target, '/members', { username: 'joiner', guildId: guild.id });
    expect(member.deliveredTo.map((d: { shard: number[] }) => d.shard)).toEqual([
      [1, 4],
      [5, 8],
    ]);
    await newSet[5]!.next((p) => p.t === 'GUILD_MEMBER_ADD' && p.d.user.id === member.id);
    expect((await post(target, '/commands', { name: 'ping', guildId: '42' })).json).toMatchObject({ code: 10004 });
    for (const s of [...oldSet, ...newSet]) s.ws.close();
  });

  it('closes 4010 for an invalid shard and 4011 when a session would carry too many guilds', async () => {
    const target = await fresh({ guildCount: 10 });
    for (const shard of [[2, 2], [0, 0], [-1, 2], [0.5, 2], '0,1', [0]]) {
      const c = await connect(target);
      c.send(identify(SHARD_TOKEN, 'i-bad', shard));
      expect(await c.closed).toBe(4010);
    }
    expect((await post(target, '/limits', { guildsPerSession: 3 })).json).toMatchObject({ guildsPerSession: 3 });
    for (const shard of [undefined, [0, 2], [1, 2]]) {
      const c = await connect(target);
      c.send(identify(SHARD_TOKEN, 'i-big', shard));
      expect(await c.closed).toBe(4011);
    }
    const fits = await session(target, [3, 4], 'i-fits');
    expect(fits.ready.d.guilds.length).toBeLessThanOrEqual(3);
    fits.ws.close();
    const limits = await getJson(target, '/limits');
    expect(limits.identifies.map((i: { outcome: string }) => i.outcome)).toEqual([
      ...Array(6).fill('invalid-shard'),
      ...Array(3).fill('sharding-required'),
      'accepted',
    ]);
    expect(limits.identifies.at(-1)).toMatchObject({ shard: [3, 4], session: fits.ready.d.session_id });
    // Every IDENTIFY with a valid token counts against the budget, whatever came of it.
    expect(limits).toMatchObject({ total: 1000, remaining: 990 });
    expect((await post(target, '/limits', { guildsPerSession: 0 })).status).toBe(400);
    expect((await post(target, '/limits', { maxConcurrency: 'two' })).json.message).toMatch(/^limits: maxConcurrency/);
    expect((await post(target, '/limits', { identifyTotl: 5 })).json.message).toMatch(/unknown field identifyTotl/);
  });

  it('answers op 9 to a second IDENTIFY in a max_concurrency bucket within 5 s', async () => {
    const target = await fresh({ guildCount: 4 });
    await post(target, '/limits', { maxConcurrency: 2 });
    expect((await (await gatewayBot(target)).json()).session_start_limit.max_concurrency).toBe(2);
    const first = await session(target, [0, 4], 'i-s0');
    const early = await connect(target);
    early.send(identify(SHARD_TOKEN, 'i-s2', [2, 4]));
    expect((await early.next((p) => p.op === 9)).d).toBe(false);
    const other = await session(target, [1, 4], 'i-s1');
    expect(early.ws.readyState).toBe(WebSocket.OPEN);
    expect(await outcomes(target)).toEqual(['accepted', 'rate-limited', 'accepted']);
    const firstAt = ((await getJson(target, '/limits')).identifies[0] as { at: number }).at;
    await new Promise((r) => setTimeout(r, Math.max(0, firstAt + 5000 - Date.now())));
    early.send(identify(SHARD_TOKEN, 'i-s2', [2, 4]));
    expect((await early.next((p) => p.t === 'READY')).d.shard).toEqual([2, 4]);
    expect(await outcomes(target)).toEqual(['accepted', 'rate-limited', 'accepted', 'accepted']);
    for (const c of [first, early, other]) c.ws.close();
  });

  it('a spent identify budget resets the token (4004 everywhere, REST 401) until the control API adds it again', async () => {
    const target = await fresh();
    await post(target, '/limits', { identifyTotal: 2 });
    expect((await (await gatewayBot(target)).json()).session_start_limit).toEqual({
      total: 2,
      remaining: 2,
      reset_after: 0,
      max_concurrency: 1,
    });
    const a = await session(target, [0, 1], 'i-a');
    const b = await session(target, [0, 1], 'i-b');
    const limit = (await (await gatewayBot(target)).json()).session_start_limit;
    expect(limit.remaining).toBe(0);
    expect(limit.reset_after).toBeGreaterThan(23 * 3600_000);

    const spent = await connect(target);
    spent.send(identify(SHARD_TOKEN, 'i-c'));
    expect(await spent.closed).toBe(4004);
    expect([await a.closed, await b.closed]).toEqual([4004, 4004]);
    expect((await gatewayBot(target)).status).toBe(401);
    const refused = await connect(target);
    refused.send(identify(SHARD_TOKEN, 'i-d'));
    expect(await refused.closed).toBe(4004);
    const resumed = await connect(target);
    resumed.send({ op: 6, d: { token: SHARD_TOKEN, session_id: a.ready.d.session_id, seq: 1 } });
    expect((await resumed.next((p) => p.op === 9)).d).toBe(false);
    resumed.ws.close();
    const limits = await getJson(target, '/limits');
    expect(limits.identifies.map((i: { outcome: string }) => i.outcome)).toEqual(['accepted', 'accepted', 'exhausted']);
    expect(limits.tokenResets).toEqual([{ at: expect.any(Number), sessionsClosed: 2 }]);

    // The token is back, the budget is not: the next IDENTIFY resets it again; a new total restores it.
    await post(target, '/tokens', { token: SHARD_TOKEN });
    expect((await gatewayBot(target)).status).toBe(200);
    const again = await connect(target);
    again.send(identify(SHARD_TOKEN, 'i-e'));
    expect(await again.closed).toBe(4004);
    await post(target, '/tokens', { token: SHARD_TOKEN });
    await post(target, '/limits', { identifyTotal: 3, resetAfterMs: 300 });
    const back = await session(target, [0, 1], 'i-back');
    expect((await getJson(target, '/limits')).remaining).toBe(2);
    await new Promise((r) => setTimeout(r, 350));
    expect((await getJson(target, '/limits')).remaining).toBe(3);
    back.ws.close();
  });

  it('/gateway/bot recommends a shard per 1000 guilds', async () => {
    const target = await fresh();
    for (const [count, shards] of [
      [0, 1],
      [1000, 1],
      [1001, 2],
      [2500, 3],
      [10_000, 10],
    ]) {
      expect((await post(target, '/guilds', { count })).json).toEqual({ count, recommendedShards: shards });
      expect((await (await gatewayBot(target)).json()).shards).toBe(shards);
    }
    const spread = (await getJson(target, '/guilds?shards=8')) as { shard: number }[];
    expect(Array.from({ length: 8 }, (_, i) => spread.filter((g) => g.shard === i).length)).toEqual(
      Array(8).fill(1250),
    );
    expect((await post(target, '/guilds', { count: -1 })).status).toBe(400);
  });

  it('a discord.js client with shards [0, 1] of 2 gets each shard its own guilds, paced by max_concurrency', async () => {
    const target = await fresh({ guildCount: 6, limits: { maxConcurrency: 1 } });
    const client = new Client({
      intents: [GatewayIntentBits.Guilds],
      shards: [0, 1],
      shardCount: 2,
      rest: { api: target.apiBase },
      waitGuildTimeout: 2000,
    });
    clients.push(client);
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(SHARD_TOKEN);
    await ready;
    const guilds = (await getJson(target, '/guilds')) as { id: string }[];
    expect([...client.guilds.cache.keys()].sort()).toEqual(guilds.map((g) => g.id).sort());
    for (const guild of client.guilds.cache.values()) expect(guild.shardId).toBe(shardOf(guild.id, 2));
    const sessions = ((await getJson(target, '/sessions')) as { shard: number[]; connected: boolean }[]).filter(
      (s) => s.connected,
    );
    expect(sessions.map((s) => s.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const identifies = (await getJson(target, '/limits')).identifies as { at: number; outcome: string }[];
    expect(identifies.map((i) => i.outcome)).toEqual(['accepted', 'accepted']);
    expect(identifies[1]!.at - identifies[0]!.at).toBeGreaterThanOrEqual(5000);

    const onShard1 = guilds.find((g) => shardOf(g.id, 2) === 1)!;
    client.once(Events.InteractionCreate, (i) => void (i.isChatInputCommand() && i.reply(`shard ${i.guild!.shardId}`)));
    const { json: answered } = await post(target, '/commands', { name: 'ping', guildId: onShard1.id, waitMs: 3000 });
    expect(answered).toMatchObject({ answered: true, content: 'shard 1', answers: [{ shard: [1, 2] }] });
  });
});
