// GET @original on the Discord emulator: how a bot asks whether an interaction already has a
// response (a forced activation does, before answering what its predecessor may have answered).
// A read, never counted as an answer attempt; the bot's own check reads it through discord.js.
import { REST } from 'discord.js';
import type { ChatInputCommandInteraction } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOriginalResponse } from '../../../bot/runtime/handlers.js';
import type { Session } from '../../../cli/sandbox/emulators/discord/emulator-state.js';
import { dispatchCommand } from '../../../cli/sandbox/emulators/discord/interactions.js';
import { startEmulator, type DiscordEmulator } from '../../_helpers/discord.js';

const TOKEN = 'original-test-token-1';
let emulator: DiscordEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ tokens: [TOKEN] });
  // Two bot sessions (old and new instance), without sockets: each gets its own interaction token.
  for (const instance of ['i-old', 'i-new']) {
    const session: Session = {
      id: `session-${instance}`,
      token: TOKEN,
      instance,
      intents: 1,
      shard: [0, 1],
      seq: 0,
      events: [],
      identifiedAt: Date.now(),
      resumes: 0,
      invalidated: false,
    };
    emulator.state.sessions.set(session.id, session);
  }
});
afterAll(() => emulator?.stop());

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${emulator.apiBase}/v10${path}`, { ...init, headers: { 'content-type': 'application/json' } });

function interaction() {
  const record = dispatchCommand(emulator.state, { name: 'ping' });
  const token = (instance: string) => record.deliveredTo.find((d) => d.instance === instance)!.token;
  return { record, old: token('i-old'), next: token('i-new') };
}

const answersOf = async (id: string) => {
  const all = (await (await fetch(`${emulator.controlUrl}/answers`)).json()) as {
    interactions: { id: string; attempts: unknown[] }[];
  };
  return all.interactions.find((i) => i.id === id)!.attempts;
};

describe('GET /webhooks/:app/:token/messages/@original', () => {
  it('404 Unknown Message (10008) before any response; the response, through any session’s token, after', async () => {
    const { record, old, next } = interaction();
    const app = emulator.state.applicationId;
    const before = await api(`/webhooks/${app}/${next}/messages/@original`);
    expect(before.status).toBe(404);
    expect(await before.json()).toMatchObject({ code: 10008, message: 'Unknown Message' });

    const callback = await api(`/interactions/${record.id}/${old}/callback`, {
      method: 'POST',
      body: JSON.stringify({ type: 4, data: { content: 'pong from i-old' } }),
    });
    expect(callback.status).toBe(204);
    const after = await api(`/webhooks/${app}/${next}/messages/@original`);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ content: 'pong from i-old' });
  });

  it('is not an answer attempt in the record', async () => {
    const { record, next } = interaction();
    const app = emulator.state.applicationId;
    for (let i = 0; i < 3; i++) await api(`/webhooks/${app}/${next}/messages/@original`);
    expect(await answersOf(record.id)).toEqual([]);
    expect(emulator.state.interactions.get(record.id)!.answers).toEqual([]);
  });

  it('an answer that creates no message (a modal) has no original: 404 10008, as on Discord', async () => {
    const { record, old } = interaction();
    await api(`/interactions/${record.id}/${old}/callback`, {
      method: 'POST',
      body: JSON.stringify({ type: 9, data: { custom_id: 'm', title: 't', components: [] } }),
    });
    const res = await api(`/webhooks/${emulator.state.applicationId}/${old}/messages/@original`);
    expect(res.status).toBe(404);
  });

  it('an unknown token is 404 Unknown Webhook (10015)', async () => {
    const res = await api(`/webhooks/${emulator.state.applicationId}/nope.nope.nope/messages/@original`);
    expect(await res.json()).toMatchObject({ code: 10015 });
  });
});

describe("the bot's check (hasOriginalResponse), through discord.js's REST", () => {
  const asInteraction = (token: string) =>
    ({
      client: { rest: new REST({ api: emulator.apiBase, retries: 0 }) },
      applicationId: emulator.state.applicationId,
      token,
    }) as unknown as ChatInputCommandInteraction;

  it('false before a response, true after one by another instance, and never an attempt', async () => {
    const { record, old, next } = interaction();
    await expect(hasOriginalResponse(asInteraction(next))).resolves.toBe(false);
    await api(`/interactions/${record.id}/${old}/callback`, {
      method: 'POST',
      body: JSON.stringify({ type: 5 }), // a deferred reply: Discord shows "thinking", an original message
    });
    await expect(hasOriginalResponse(asInteraction(next))).resolves.toBe(true);
    expect((await answersOf(record.id)).length).toBe(1);
  });

  it('any other failure is passed on, so the bot does not answer what it cannot check', async () => {
    await expect(hasOriginalResponse(asInteraction('nope.nope.nope'))).rejects.toMatchObject({ code: 10015 });
  });
});
