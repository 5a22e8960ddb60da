import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../../cli/doctor/run.js';
import { ExitCode, UsageError } from '../../../cli/errors.js';
import { coreContext, FakeWorld, testEnv } from '../../_helpers/fakes.js';

describe('doctor --instance', () => {
  it('refuses an instance of another environment, before running anything on it', async () => {
    const staging = new FakeWorld({ env: 'staging' });
    const bot = staging.withLegacy('v1');
    // The account's EC2 API finds the staging instance, but doctor runs with production's settings.
    const ctx = coreContext(staging, { env: testEnv('production') });
    const error = await runDoctor(ctx, { instance: bot.instance.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe(ExitCode.usage);
    expect((error as UsageError).message).toBe(
      `instance ${bot.instance.id} is not in production: it belongs to environment staging`,
    );
    expect((error as UsageError).fix).toBe(`ydeploy doctor --instance ${bot.instance.id} --env staging`);
    expect(staging.commands).toEqual([]);
  });

  it('refuses an instance without an Environment tag', async () => {
    const world = new FakeWorld({ env: 'production' });
    const bot = world.withLegacy('v1');
    bot.instance.environment = '';
    const error = await runDoctor(coreContext(world), { instance: bot.instance.id }).catch((e: unknown) => e);
    expect((error as UsageError).message).toBe(
      `instance ${bot.instance.id} is not in production: it has no Environment tag (not a ydeploy bot instance)`,
    );
    expect((error as UsageError).fix).toBe('ydeploy status --env production');
    expect(world.commands).toEqual([]);
  });
});
