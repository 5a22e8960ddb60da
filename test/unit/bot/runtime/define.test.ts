import { describe, expect, it } from 'vitest';
import { BOT_BRAND, defineBot, describeBot, isBot } from '../../../../bot/index.js';
import { commandTable, matchCommand } from '../../../../bot/runtime/prefix.js';

const run = () => {};

describe('defineBot', () => {
  it('brands the definition with Symbol.for("ydeploy.bot"), so another copy of the runtime recognises it', () => {
    const bot = defineBot({ commands: [{ data: { name: 'ping', description: 'Ping' }, run }] });
    expect(isBot(bot)).toBe(true);
    expect((bot as unknown as Record<symbol, unknown>)[Symbol.for('ydeploy.bot')]).toBe(1);
    expect(BOT_BRAND).toBe(Symbol.for('ydeploy.bot'));
    expect(isBot({ commands: [] })).toBe(false);
  });

  it.each([
    [{ command: [] }, 'defineBot: "command": unknown field'],
    [{ intents: ['Guild'] }, 'intents[0] "Guild": not a GatewayIntentBits name or bit'],
    [{ commands: [{ data: { name: 'a', description: 'A' } }] }, 'slash command "a".run: must be a function'],
    [
      {
        commands: [
          { data: { name: 'a', description: 'A' }, run },
          { data: { toJSON: () => ({ name: 'a', description: 'B' }) }, run },
        ],
      },
      'slash command "a": defined twice',
    ],
    [{ prefix: '! ' }, 'prefix: "! " must be 1 to 32 characters without spaces'],
    [
      {
        messageCommands: [
          { name: 'roll', run },
          { name: 'dice', aliases: ['ROLL'], run },
        ],
      },
      'message command "ROLL": defined twice (names and aliases)',
    ],
    [{ events: { interactionCreate: run } }, 'events.interactionCreate: slash commands go in "commands"'],
    [{ events: { guildMemberAdd: 'hi' } }, 'events.guildMemberAdd: must be a function'],
    [{ jobs: [{ name: 'digest', every: 0, run }] }, 'job "digest".every: 0 is not a duration'],
    [{ jobs: [{ name: 'digest', every: '1h' }] }, 'job "digest".run: must be a function'],
  ])('refuses %j: "{what}: {why}"', (definition, message) => {
    expect(() => defineBot(definition as never)).toThrow(message);
  });
});

describe('describeBot', () => {
  it('lists commands as Discord JSON, the prefix, events, jobs in ms, and the default intents', () => {
    const bot = defineBot({
      commands: [{ data: { toJSON: () => ({ name: 'roll', description: 'Roll', options: [] }) }, run }],
      messageCommands: [{ name: 'roll', run }],
      events: { guildMemberAdd: run, messageReactionAdd: run },
      jobs: [{ name: 'digest', every: '1h', run }],
    });
    expect(describeBot(bot)).toEqual({
      commands: [{ name: 'roll', description: 'Roll', options: [] }],
      prefix: '!',
      messageCommands: ['roll'],
      events: ['guildMemberAdd', 'messageReactionAdd'],
      jobs: [{ name: 'digest', everyMs: 3_600_000 }],
      intents: [1, 2, 512, 1024, 32768],
    });
    expect(describeBot(defineBot({})).intents).toEqual([1]);
    expect(describeBot(defineBot({ intents: ['GuildMessages', 1, 'Guilds'], prefix: '?' }))).toMatchObject({
      intents: [1, 512],
      prefix: '?',
    });
  });
});

describe('prefix commands', () => {
  const table = commandTable([
    { name: 'roll', aliases: ['r'], run },
    { name: 'help', run },
  ]);
  it('match <prefix><name> args..., the name case-insensitive, aliases too', () => {
    expect(matchCommand('!roll 2 d6', '!', table)).toMatchObject({ command: { name: 'roll' }, args: ['2', 'd6'] });
    expect(matchCommand('!R', '!', table)).toMatchObject({ command: { name: 'roll' }, args: [] });
    expect(matchCommand('!! help', '!!', table)).toMatchObject({ command: { name: 'help' }, args: [] });
    expect(matchCommand('roll 2', '!', table)).toBeUndefined();
    expect(matchCommand('!nope', '!', table)).toBeUndefined();
    expect(matchCommand('!', '!', table)).toBeUndefined();
  });
});
