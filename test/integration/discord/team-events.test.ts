// What a team's bot needs from the emulator, checked with real discord.js clients: guild messages by
// intent (content only with MessageContent), member joins, replies recorded per session and instance,
// the answers record, and application commands validated like Discord with its daily create limit.
import { DiscordAPIError, REST, RateLimitError } from '@discordjs/rest';
import { Client, DefaultUserAgentAppendix, Events, GatewayIntentBits, type Message } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCommandProbe } from '../../../cli/adapters/discord-emulator.js';
import { ApiError } from '../../../cli/errors.js';
import { renderMessageAnswer } from '../../../cli/output/sandbox-message.js';
import { presenceFor } from '../../../bot/discord/presence.js';
import { startEmulator, type DiscordEmulator } from '../../_helpers/discord.js';

const TOKEN = 'team-events-token-1';
let emulator: DiscordEmulator;
const clients: Client[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ tokens: [TOKEN] });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.destroy()));
  await emulator?.stop();
});

/** A logged-in discord.js client naming `instance` in its presence and its REST user agent. */
async function bot(instance: string, intents: number[]): Promise<Client> {
  const client = new Client({
    intents,
    rest: { api: emulator.apiBase, userAgentAppendix: `${DefaultUserAgentAppendix} ydeploy-instance/${instance}` },
    presence: presenceFor(instance, 'v1', 'active'),
    waitGuildTimeout: 2000,
  });
  clients.push(client);
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(TOKEN);
  await ready;
  return client;
}

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${emulator.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const get = async (path: string) => (await fetch(`${emulator.controlUrl}${path}`)).json();

function next<T>(client: Client, event: string, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    client.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe('guild messages and member joins, by intent', () => {
  let reader: Client;
  let blind: Client;
  let guildsOnly: Client;

  beforeAll(async () => {
    reader = await bot('i-reader', [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.GuildMembers,
    ]);
    blind = await bot('i-blind', [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    guildsOnly = await bot('i-guilds', [GatewayIntentBits.Guilds]);
  });

  afterAll(async () => {
    for (const c of [reader, blind, guildsOnly]) await c?.destroy();
  });

  it('MESSAGE_CREATE goes to GuildMessages sessions, with content only under MessageContent; reply() works', async () => {
    let guildsOnlySaw = false;
    guildsOnly.on(Events.MessageCreate, () => (guildsOnlySaw = true));
    const atReader = next<Message>(reader, Events.MessageCreate);
    const atBlind = next<Message>(blind, Events.MessageCreate);
    reader.once(Events.MessageCreate, (m) => void m.reply(`rolled 4 (${m.content})`));

    const sent = await post('/messages', { content: '!roll 6', waitMs: 3000 });
    expect(sent.status).toBe(200);
    const [read, unread] = await Promise.all([atReader, atBlind]);
    expect(read.content).toBe('!roll 6');
    expect(read.author).toMatchObject({ id: '100000000000000001', username: 'tester', bot: false });
    expect(read.guildId).toBe(emulator.state.guilds[0]!.id);
    expect(read.channel.isTextBased()).toBe(true);
    expect(read.member?.id).toBe('100000000000000001');
    expect(unread.content).toBe('');
    expect(sent.json.deliveredTo.map((d: { instance: string }) => d.instance).sort()).toEqual(['i-blind', 'i-reader']);
    expect(sent.json.replies).toMatchObject([{ instance: 'i-reader', content: 'rolled 4 (!roll 6)' }]);
    const sessions = (await get('/sessions')) as { id: string; instance: string; connected: boolean }[];
    expect(sent.json.replies[0].session).toBe(sessions.find((x) => x.instance === 'i-reader' && x.connected)!.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(guildsOnlySaw).toBe(false);

    const recorded = await get('/messages');
    expect(recorded.at(-1)).toMatchObject({
      instance: 'i-reader',
      replyTo: sent.json.id,
      content: 'rolled 4 (!roll 6)',
    });
  });

  it('a message mentioning the bot carries its content even without MessageContent', async () => {
    const atBlind = next<Message>(blind, Events.MessageCreate);
    const content = `<@${blind.user!.id}> hello`;
    await post('/messages', { content });
    const message = await atBlind;
    expect(message.content).toBe(content);
    expect(message.mentions.users.has(blind.user!.id)).toBe(true);
  });

  it('GUILD_MEMBER_ADD goes to GuildMembers sessions only', async () => {
    let blindSaw = false;
    blind.on(Events.GuildMemberAdd, () => (blindSaw = true));
    const joined = next<{ user: { username: string; bot: boolean }; guild: { id: string } }>(
      reader,
      Events.GuildMemberAdd,
    );
    const added = await post('/members', { username: 'newcomer' });
    expect(added.status).toBe(200);
    expect(added.json.deliveredTo).toEqual([expect.objectContaining({ instance: 'i-reader' })]);
    const member = await joined;
    expect(member.user).toMatchObject({ username: 'newcomer', bot: false });
    expect(member.guild.id).toBe(emulator.state.guilds[0]!.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(blindSaw).toBe(false);
  });

  it('refuses a message to an unknown channel and an empty one', async () => {
    expect((await post('/messages', { content: 'x', channelId: '1' })).status).toBe(404);
    expect((await post('/messages', { content: '' })).status).toBe(400);
  });
});

describe('GET /control/answers: every attempt from every session', () => {
  it('lists interaction callbacks (accepted and rejected) and message replies from two bots', async () => {
    const since = Date.now();
    const a = await bot('i-a', [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const b = await bot('i-b', [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    for (const client of [a, b]) {
      client.on(Events.InteractionCreate, (i) => {
        if (i.isChatInputCommand()) void i.reply(`pong from ${client === a ? 'a' : 'b'}`).catch(() => undefined);
      });
      client.on(Events.MessageCreate, (m) => {
        if (!m.author.bot) void m.reply('seen');
      });
    }
    const command = await post('/commands', { name: 'ping', waitMs: 3000 });
    const message = await post('/messages', { content: 'anyone?', waitMs: 3000 });
    await new Promise((r) => setTimeout(r, 500));

    const answers = await get(`/answers?since=${since}`);
    const interaction = answers.interactions.find((i: { id: string }) => i.id === command.json.id);
    expect(interaction.name).toBe('ping');
    expect(interaction.attempts).toHaveLength(2);
    expect(interaction.attempts.filter((x: { accepted: boolean }) => x.accepted)).toHaveLength(1);
    expect(interaction.attempts.find((x: { accepted: boolean }) => !x.accepted)).toMatchObject({
      rejected: 'already-acknowledged',
    });
    expect(interaction.attempts.map((x: { instance: string }) => x.instance).sort()).toEqual(['i-a', 'i-b']);
    const replied = answers.messages.find((m: { id: string }) => m.id === message.json.id);
    expect(replied.content).toBe('anyone?');
    expect(replied.replies.map((r: { instance: string }) => r.instance).sort()).toEqual(['i-a', 'i-b']);
    expect(replied.replies.every((r: { session: string; content: string }) => r.session && r.content === 'seen')).toBe(
      true,
    );
    expect((await get(`/answers?since=${Date.now() + 1000}`)).messages).toEqual([]);
    await Promise.all([a.destroy(), b.destroy()]);
  });
});

describe('application commands', () => {
  const rest = () => new REST({ api: emulator.apiBase, rejectOnRateLimit: () => true, retries: 0 }).setToken(TOKEN);
  const global = () => `/applications/${emulator.state.applicationId}/commands` as const;
  const guild = (id: string) => `/applications/${emulator.state.applicationId}/guilds/${id}/commands` as const;

  it('bulk PUT and GET, global and per guild; an id survives an update; typeable only once registered', async () => {
    const guildId = emulator.state.guilds[0]!.id;
    expect((await post('/commands', { name: 'roll', registered: true })).status).toBe(404);
    const [first] = (await rest().put(global(), { body: [{ name: 'roll', description: 'Roll a die' }] })) as any[];
    expect(first).toMatchObject({ name: 'roll', type: 1, application_id: emulator.state.applicationId });
    const [again] = (await rest().put(global(), { body: [{ name: 'roll', description: 'Roll dice' }] })) as any[];
    expect(again.id).toBe(first.id);
    expect(again.version).not.toBe(first.version);
    await rest().put(guild(guildId), { body: [{ name: 'coin', description: 'Flip a coin' }] });
    expect(await rest().get(guild(guildId))).toMatchObject([{ name: 'coin', guild_id: guildId }]);
    expect(await get(`/commands?guild=${guildId}`)).toMatchObject([{ name: 'coin' }]);
    expect(await get('/commands')).toMatchObject([{ name: 'roll' }]);
    expect((await post('/commands', { name: 'roll', registered: true })).status).toBe(200);
    expect((await post('/commands', { name: 'coin', registered: true })).status).toBe(200);
    expect((await post('/commands', { name: 'nope', registered: true })).status).toBe(404);
    expect((await post('/commands', { name: 'nope' })).status).toBe(200);
  });

  it('refuses invalid definitions with 400 code 50035, naming the command and the field', async () => {
    const put = (body: unknown[]) =>
      rest()
        .put(global(), { body })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
    const bad = (await put([
      { name: 'ok', description: 'fine' },
      { name: 'Bad Name', description: 'x' },
    ])) as DiscordAPIError;
    expect(bad).toBeInstanceOf(DiscordAPIError);
    expect(bad.status).toBe(400);
    expect(bad.code).toBe(50035);
    expect(bad.rawError).toMatchObject({ errors: { '1': { name: { _errors: [expect.anything()] } } } });
    expect(bad.message).toMatch(/1\.name\[APPLICATION_COMMAND_INVALID\]: Bad Name: name must match/);
    const dup = (await put([
      { name: 'x', description: 'a' },
      { name: 'x', description: 'b' },
    ])) as DiscordAPIError;
    expect(dup.message).toMatch(/APPLICATION_COMMANDS_DUPLICATE_NAME/);
    const option = (await put([
      { name: 'roll', description: 'r', options: [{ type: 4, name: 'Sides', description: 'how many' }] },
    ])) as DiscordAPIError;
    expect(option.message).toMatch(/0\.options\[APPLICATION_COMMAND_INVALID\]: roll: option "Sides": name/);
    expect(await get('/commands')).toMatchObject([{ name: 'roll', description: 'Roll dice' }]);
  });

  it('allows 200 command creates a day per scope, then 429 code 30034', async () => {
    const names = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, description: 'd' }));
    const scope = guild('900000000000000001');
    await rest().put(scope, { body: names('a', 100) });
    await rest().put(scope, { body: names('b', 100) });
    const res = await fetch(`${emulator.apiBase}/v10${scope}`, {
      method: 'PUT',
      headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(names('c', 1)),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ code: 30034, global: false });
    const limited = await rest()
      .put(scope, { body: names('c', 1) })
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(RateLimitError);
    // Updating commands that exist creates nothing; another scope has its own count.
    await rest().put(scope, { body: names('b', 100).map((c) => ({ ...c, description: 'changed' })) });
    expect(await get('/commands?guild=900000000000000001')).toHaveLength(100);
    await rest().put(guild('900000000000000002'), { body: names('c', 1) });
  });
});

describe("the CLI's emulator probe (ydeploy sandbox discord)", () => {
  it('sends a registered command only, and a message whose replies it reports by instance', async () => {
    const probe = new EmulatorCommandProbe(emulator.controlUrl);
    const client = await bot('i-probe', [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
    ]);
    client.on(Events.MessageCreate, (m) => {
      if (m.content.startsWith('!roll')) void m.reply('rolled 3');
    });
    const message = await probe.message('!roll 6', { timeoutMs: 3000 });
    expect(message).toMatchObject({
      answered: true,
      deliveredTo: ['i-probe'],
      replies: [{ by: 'i-probe', content: 'rolled 3' }],
    });
    expect(renderMessageAnswer(message)).toMatch(
      /^"!roll 6" delivered to i-probe\nreplied by i-probe in \d+ ms\nrolled 3$/,
    );
    const refused = await probe.interact('never-registered', { registered: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(404);
    await client.destroy();
  });
});
