import { describe, expect, it } from 'vitest';
import { describeDiff, diffCommands, normaliseCommand } from '../../../../cli/core/commands/diff.js';

const roll = {
  name: 'roll',
  description: 'Roll a die',
  options: [{ type: 4, name: 'sides', description: 'How many sides' }],
};

describe('diffCommands', () => {
  it('sorts commands into added, changed, removed and unchanged by name', () => {
    const registered = [
      { name: 'ping', description: 'Pong' },
      { name: 'status', description: 'Status' },
      { name: 'old', description: 'Going away' },
    ];
    const desired = [
      { name: 'ping', description: 'Pong' },
      { name: 'status', description: 'Status of the bot' },
      { name: 'coin', description: 'Flip a coin' },
    ];
    expect(diffCommands(registered, desired)).toEqual({
      added: ['coin'],
      changed: ['status'],
      removed: ['old'],
      unchanged: ['ping'],
    });
  });

  it('ignores what Discord assigns and fills in: ids, version, defaults, empty localizations', () => {
    const registered = {
      ...roll,
      id: '1',
      application_id: '2',
      version: '3',
      guild_id: '4',
      type: 1,
      nsfw: false,
      default_member_permissions: null,
      dm_permission: true,
      integration_types: [0],
      contexts: null,
      name_localizations: {},
      options: [{ ...roll.options[0], required: false, autocomplete: false, description_localizations: null }],
    };
    expect(diffCommands([registered], [roll])).toMatchObject({ unchanged: ['roll'], changed: [] });
    expect(normaliseCommand(registered)).toEqual(roll);
  });

  it('an option that changes (required, choices, order of keys aside) is a change', () => {
    const required = { ...roll, options: [{ ...roll.options[0], required: true }] };
    expect(diffCommands([roll], [required]).changed).toEqual(['roll']);
    const reordered = { options: roll.options, description: roll.description, name: roll.name };
    expect(diffCommands([roll], [reordered]).unchanged).toEqual(['roll']);
  });

  it('a user command may share a slash command name; they are told apart by type', () => {
    const user = { name: 'roll', type: 2, description: '' };
    expect(diffCommands([roll], [roll, user])).toMatchObject({ added: ['roll (user command)'], unchanged: ['roll'] });
  });

  it('describes a diff as "+a ~c -r" with the names', () => {
    expect(describeDiff({ added: ['coin'], changed: [], removed: ['old'], unchanged: ['ping'] })).toBe(
      '+1 ~0 -1 (added coin; removed old)',
    );
    expect(describeDiff({ added: [], changed: [], removed: [], unchanged: ['ping', 'status'] })).toBe(
      '+0 ~0 -0 (2 unchanged)',
    );
  });
});
