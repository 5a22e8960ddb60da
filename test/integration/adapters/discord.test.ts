// The Discord REST adapter against the sandbox's Discord emulator: the application, its commands
// (global and per guild), bulk overwrites, and Discord's refusals as "{what}: {why}" errors that
// carry Discord's message and code, never the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type DiscordEmulator } from '../../_helpers/discord.js';
import { DiscordRest } from '../../../cli/adapters/discord.js';
import { diffCommands } from '../../../cli/core/commands/diff.js';
import type { ApiError } from '../../../cli/errors.js';

const TOKEN = 'adapter-test-token-0123456789';
const APP = '300000000000000003';
const GUILD = '400000000000000004';
let emulator: DiscordEmulator;
let discord: DiscordRest;

beforeAll(async () => {
  emulator = await startEmulator({ tokens: [TOKEN], applicationId: APP, guilds: [{ id: GUILD, name: 'test' }] });
  discord = new DiscordRest(emulator.apiBase);
});
afterAll(() => emulator?.stop());

const ROLL = {
  name: 'roll',
  description: 'Roll a die',
  options: [{ type: 4, name: 'sides', description: 'How many sides' }],
};
const COIN = { name: 'coin', description: 'Flip a coin' };

async function refusal(work: Promise<unknown>): Promise<ApiError> {
  try {
    await work;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected Discord to refuse');
}

describe('DiscordRest: application commands', () => {
  it('reads the application, overwrites globally and per guild, and reads back what it wrote', async () => {
    expect(await discord.application(TOKEN)).toEqual({ id: APP });
    const written = await discord.overwriteCommands(TOKEN, APP, [ROLL, COIN]);
    expect(written.map((c) => [c.name, Boolean(c.id)])).toEqual([
      ['roll', true],
      ['coin', true],
    ]);
    const registered = await discord.commands(TOKEN, APP);
    expect(diffCommands(registered, [ROLL, COIN])).toMatchObject({ unchanged: ['roll', 'coin'], changed: [] });
    expect(await discord.commands(TOKEN, APP, GUILD)).toEqual([]);
    await discord.overwriteCommands(TOKEN, APP, [COIN], GUILD);
    expect((await discord.commands(TOKEN, APP, GUILD)).map((c) => c.name)).toEqual(['coin']);
    expect((await discord.commands(TOKEN, APP)).map((c) => c.name)).toEqual(['roll', 'coin']);
  });

  it('an invalid definition is refused with Discord’s message, code 50035 and the field, without the token', async () => {
    const error = await refusal(discord.overwriteCommands(TOKEN, APP, [{ name: 'Bad Name', description: 'x' }]));
    expect(error.what).toBe(`Discord refused the slash commands (PUT /applications/${APP}/commands)`);
    expect(error.why).toMatch(/^400 Invalid Form Body \(code 50035\): 0\.name: /);
    expect(error.details).toEqual({ discordCode: 50035 });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(TOKEN);
    expect((await discord.commands(TOKEN, APP)).map((c) => c.name)).toEqual(['roll', 'coin']);
  });

  it('the daily create limit is 429 code 30034, not retried', async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ name: `c${i}`, description: 'one of many' }));
    // The guild scope already created "coin": 1 + 100 + 99 = the day's 200 creates.
    const more = Array.from({ length: 99 }, (_, i) => ({ name: `d${i}`, description: 'one of many' }));
    await discord.overwriteCommands(TOKEN, APP, many, GUILD);
    await discord.overwriteCommands(TOKEN, APP, more, GUILD);
    const error = await refusal(
      discord.overwriteCommands(TOKEN, APP, [{ name: 'one-more', description: 'over the limit' }], GUILD),
    );
    expect(error.why).toMatch(
      /^429 Max number of daily application command creates has been reached \(200\) \(code 30034\)/,
    );
    expect(error.retryable).toBe(false);
    expect(error.fix).toContain('200 command creates a day');
  });

  it('a wrong token is 401, named without the token', async () => {
    const error = await refusal(discord.commands('wrong-token-abc', APP));
    expect(error.message).toBe(
      `Discord rejected the bot token (GET /applications/${APP}/commands): 401 Unauthorized: the token is wrong, was reset, or belongs to no bot`,
    );
  });
});
