import { describe, expect, it } from 'vitest';
import { validateCommands, type CommandDefinition } from '../../../../bot/contracts/commands.js';

const roll: CommandDefinition = {
  name: 'roll',
  description: 'Roll a die',
  options: [
    { type: 4, name: 'sides', description: 'How many sides', required: true },
    { type: 3, name: 'label', description: 'A label', choices: [{ name: 'Red', value: 'red' }] },
  ],
};

const rules = (defs: unknown[]): string[] => validateCommands(defs).map((v) => `${v.command}: ${v.rule}`);

describe('validateCommands', () => {
  it('accepts valid definitions, subcommands and context-menu commands', () => {
    const admin: CommandDefinition = {
      name: 'admin',
      description: 'Admin tools',
      options: [
        { type: 1, name: 'kick', description: 'Kick', options: [{ type: 6, name: 'who', description: 'Who' }] },
        { type: 2, name: 'roles', description: 'Roles', options: [{ type: 1, name: 'list', description: 'List' }] },
      ],
    };
    expect(
      validateCommands([roll, admin, { name: 'Report User', type: 2 }, { name: 'ünïcode-名前', description: 'x' }]),
    ).toEqual([]);
  });

  it.each([
    [{ name: 'Roll', description: 'x' }, 'Roll: name must match'],
    [{ name: 'has space', description: 'x' }, 'has space: name must match'],
    [{ name: 'a'.repeat(33), description: 'x' }, 'name must match'],
    [{ description: 'x' }, '#0: name must match'],
    [{ name: 'roll', description: '' }, 'roll: description must be 1-100 characters (got 0 characters)'],
    [{ name: 'roll', description: 'd'.repeat(101) }, 'description must be 1-100 characters (got 101 characters)'],
    [{ name: 'roll' }, 'roll: description must be 1-100 characters (got nothing)'],
    [{ name: 'roll', description: 'x', type: 9 }, 'roll: type must be 1'],
    [{ name: 'report', description: 'x', type: 3 }, 'report: description must be empty'],
  ])('%j -> %s', (def, rule) => {
    expect(rules([def]).join('\n')).toContain(rule);
  });

  it('checks options: count, names, order, duplicates, choices', () => {
    const opt = (name: string, required = false) => ({ type: 3, name, description: 'o', required });
    const many = Array.from({ length: 26 }, (_, i) => opt(`o${i}`));
    expect(rules([{ name: 'c', description: 'x', options: many }])).toContain('c: at most 25 options (got 26)');
    expect(rules([{ name: 'c', description: 'x', options: [opt('a'), opt('b', true)] }])).toEqual([
      'c: option "b": required options must come before optional ones',
    ]);
    expect(rules([{ name: 'c', description: 'x', options: [opt('a'), opt('a')] }])).toEqual([
      'c: option "a": duplicate option name',
    ]);
    expect(rules([{ name: 'c', description: 'x', options: [opt('Bad')] }])[0]).toContain('option "Bad": name must');
    const choices = Array.from({ length: 26 }, (_, i) => ({ name: `n${i}`, value: i }));
    expect(rules([{ name: 'c', description: 'x', options: [{ ...opt('a'), type: 4, choices }] }])).toEqual([
      'c: option "a": at most 25 choices (got 26)',
    ]);
    expect(
      rules([
        { name: 'c', description: 'x', options: [{ ...opt('a'), type: 5, choices: [{ name: 'y', value: 'y' }] }] },
      ]),
    ).toEqual(['c: option "a": only string, integer and number options have choices']);
  });

  it('checks nested options inside subcommands', () => {
    const def = {
      name: 'c',
      description: 'x',
      options: [{ type: 1, name: 'sub', description: 's', options: [{ type: 3, name: 'x', description: '' }] }],
    };
    expect(rules([def])).toEqual([
      'c: option "sub": option "x": description must be 1-100 characters (got 0 characters)',
    ]);
    const mixed = {
      name: 'm',
      description: 'x',
      options: [
        { type: 1, name: 's', description: 's' },
        { type: 3, name: 'o', description: 'o' },
      ],
    };
    expect(rules([mixed])).toContain('m: subcommands and subcommand groups cannot be mixed with other options');
  });

  it('refuses duplicate command names and more than 100 chat-input commands', () => {
    expect(rules([roll, roll])).toEqual(['roll: duplicate command name (names are unique per type)']);
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `c${i}`, description: 'x' }));
    expect(rules(many)).toEqual(['c100: at most 100 chat-input commands per scope (got 101)']);
  });

  it('counts name, descriptions and choices against 4000 characters', () => {
    const choices = Array.from({ length: 25 }, (_, i) => ({ name: `${i}`.padEnd(100, 'n'), value: 'v'.repeat(100) }));
    const options = Array.from({ length: 2 }, (_, i) => ({ type: 3, name: `o${i}`, description: 'd', choices }));
    const out = rules([{ name: 'big', description: 'x', options }]);
    expect(out).toEqual(['big: name, descriptions and choices total 10010 characters (at most 4000)']);
  });

  it('reports, never throws on, values that are not definitions', () => {
    expect(rules([null, 'x'])).toEqual(['#0: must be an object', '#1: must be an object']);
    expect(rules([{ name: 'c', description: 'x', options: 'no' }])).toEqual(['c: options must be a list']);
  });
});
