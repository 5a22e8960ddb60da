import { describe, expect, it } from 'vitest';
import { healthGate } from '../../../../cli/core/gate/gate.js';
import { probeCommand } from '../../../../cli/core/gate/command.js';
import { coreContext, FakeWorld } from '../../../_helpers/fakes.js';

const ROLL = {
  name: 'roll',
  description: 'Roll a die',
  options: [{ type: 4, name: 'sides', description: 'Sides', required: true }],
};
const COIN = { name: 'coin', description: 'Flip a coin' };
const DICE = { name: 'dice', description: 'Roll dice' };

describe('the command the gate sends', () => {
  it('is one the release defines, preferring one registered now and one without required options', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    world.commandsFor.set('v2', [ROLL, COIN, DICE, { name: 'Inspect', type: 2, description: '' }]);
    world.withRelease('v2');
    expect(await probeCommand(ctx, 'v2')).toEqual({ command: 'coin' });
    world.discord.seed([DICE, ROLL]);
    expect(await probeCommand(ctx, 'v2')).toEqual({ command: 'dice' });
    world.commandsFor.set('v3', [ROLL]);
    world.withRelease('v3');
    expect(await probeCommand(ctx, 'v3')).toEqual({ command: 'roll' });
  });

  it('a release that records no commands sends none: the health contract vouches for it, and the gate says so', async () => {
    const world = new FakeWorld();
    world.commandsFor.set('v0', null);
    const bot = world.withLegacy('v0');
    const ctx = coreContext(world);
    expect(await probeCommand(ctx, 'v0')).toEqual({ none: 'v0 records no slash commands' });
    expect(await probeCommand(ctx, 'v9')).toEqual({ none: 'v9 records no slash commands' });
    const report = await healthGate(ctx, {
      label: 'legacy',
      find: async () => ({ ...bot.instance }),
      expectActive: true,
    });
    expect(report.checks[4].detail).toBe(
      'Discord ready; no command sent: v0 records no slash commands, so the health contract vouches for it',
    );
    expect(world.probed).toEqual([]);
  });

  it('the gate sends the chosen command and names it', async () => {
    const world = new FakeWorld();
    world.commandsFor.set('v0', [COIN]);
    const bot = world.withLegacy('v0');
    const ctx = coreContext(world);
    const report = await healthGate(ctx, {
      label: 'legacy',
      find: async () => ({ ...bot.instance }),
      expectActive: true,
    });
    expect(report.checks[4].detail).toBe(`/coin answered by ${bot.instance.id} in 12 ms`);
    expect(world.probed).toEqual(['coin']);
  });
});
