// The emulator speaks enough Discord for discord.js (DESIGN.md §6), checked with a raw client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
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
async function connect() {
  const ws = new WebSocket(`${emulator.gatewayUrl}?v=10&encoding=json`);
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

const identify = (token: string, instance = 'i-raw') => ({
  op: 2,
  d: {
    token,
    intents: 1,
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
