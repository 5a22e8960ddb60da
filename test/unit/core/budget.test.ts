import { describe, expect, it } from 'vitest';
import { identifyBudget, readIdentifyBudget, resetIn, withMargin } from '../../../cli/core/budget.js';
import { ApiError, ExitCode, UserError } from '../../../cli/errors.js';
import { FakeClock, FakeDiscord, FakeSecrets, testEnv } from '../../_helpers/fakes.js';

const T0 = Date.parse('2026-11-26T10:00:00.000Z');

function deps(limit: Partial<FakeDiscord['sessionStartLimit']> = {}, token: string | undefined = 'bot-token') {
  const env = testEnv('production');
  const discord = new FakeDiscord();
  discord.sessionStartLimit = { total: 1000, remaining: 1000, resetAfter: 0, maxConcurrency: 1, ...limit };
  const secrets = new FakeSecrets(token === undefined ? {} : { [env.tokenParameter]: token });
  return { env, discord, secrets, clock: new FakeClock(T0) };
}

async function refusal(work: Promise<unknown>): Promise<UserError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('identifyBudget', () => {
  it('returns the reading when the sessions with their margin fit', async () => {
    const d = deps({ remaining: 18, resetAfter: 11_520_000, maxConcurrency: 16 });
    const check = await identifyBudget(d, 4, 'deploy of production');
    expect(check).toEqual({
      total: 1000,
      remaining: 18,
      maxConcurrency: 16,
      resetAt: '2026-11-26T13:12:00Z',
      resetAfterMs: 11_520_000,
      sessions: 4,
      withMargin: 18,
    });
    // The token came from the environment's SSM parameter.
    expect(d.discord.tokens).toEqual(['bot-token']);
  });

  it('refuses with exit 3, the counts, the reset time and what to do when they do not fit', async () => {
    const d = deps({ remaining: 17, resetAfter: 11_520_000 });
    const error = await refusal(
      identifyBudget(d, 4, 'deploy of production', { rerun: 'ydeploy deploy --env production' }),
    );
    expect(error.code).toBe(ExitCode.preflight);
    expect(error.message).toBe(
      'deploy of production: needs 4 session starts (18 with margin), 17 of 1000 remain; resets at 2026-11-26T13:12:00Z (in 3h 12m)',
    );
    expect(error.fix).toBe(
      'wait until 2026-11-26T13:12:00Z, then rerun: ydeploy deploy --env production; or start fewer shard groups at a time (lower fleet.groupsAtOnce in ydeploy.config.json)',
    );
    expect(error.details).toMatchObject({ identifyBudget: { sessions: 4, withMargin: 18, remaining: 17 } });
  });

  it('says waiting cannot help when the rollout exceeds even a full budget', async () => {
    const d = deps({ total: 100, remaining: 100, resetAfter: 60_000 });
    const error = await refusal(identifyBudget(d, 50, 'deploy of production', { reduce: 'deploy fewer groups' }));
    expect(error.message).toContain('needs 50 session starts (110 with margin), 100 of 100 remain');
    expect(error.fix).toBe('deploy fewer groups: even a full budget (100) is smaller than 110');
  });

  it('names the run after the environment when the caller does not', async () => {
    const error = await refusal(identifyBudget(deps({ remaining: 11 }), 1));
    expect(error.message).toMatch(
      /^rollout in production: needs 1 session start \(12 with margin\), 11 of 1000 remain;/,
    );
  });

  it('lets a run that starts no session through, whatever remains', async () => {
    const check = await identifyBudget(deps({ remaining: 0 }), 0, 'scale down');
    expect(check).toMatchObject({ sessions: 0, withMargin: 0, remaining: 0 });
  });

  it('refuses with exit 3 and the command that stores a token when there is none', async () => {
    const error = await refusal(identifyBudget(deps({}, ''), 1, 'deploy'));
    expect(error.code).toBe(ExitCode.preflight);
    expect(error.message).toBe(
      'cannot read the Discord identify budget: no Discord token in SSM parameter /ydeploy/test/discord-token',
    );
    expect(error.fix).toBe('ydeploy init --store-token --env production');
  });

  it('names a token Discord rejects, and passes other errors through as they are', async () => {
    const d = deps();
    d.discord.gatewayError = new ApiError('Discord rejected the bot token (GET /gateway/bot)', '401 Unauthorized', {
      status: 401,
    });
    const rejected = await refusal(identifyBudget(d, 1, 'deploy'));
    expect(rejected.code).toBe(ExitCode.preflight);
    expect(rejected.why).toBe('Discord rejected the token in /ydeploy/test/discord-token (401 Unauthorized)');
    expect(rejected.message).not.toContain('bot-token');
    const outage = new ApiError('GET /gateway/bot failed', '502 Bad Gateway', { status: 502 });
    d.discord.gatewayError = outage;
    await expect(identifyBudget(d, 1, 'deploy')).rejects.toBe(outage);
  });

  it('rejects a session count that is not one (a bug in the caller)', async () => {
    await expect(identifyBudget(deps(), -1, 'deploy')).rejects.toThrow(/bad session count -1/);
    await expect(identifyBudget(deps(), 1.5, 'deploy')).rejects.toThrow(/bad session count/);
  });
});

describe('the margin and the reset', () => {
  it('doubles the sessions and adds ten', () => {
    expect([1, 4, 16].map(withMargin)).toEqual([12, 18, 42]);
  });

  it('reads the reset to the minute, and to the second in the last minute', async () => {
    expect(resetIn({ resetAfterMs: 11_519_001 })).toBe('in 3h 12m');
    expect(resetIn({ resetAfterMs: 86_400_000 })).toBe('in 1d');
    expect(resetIn({ resetAfterMs: 42_100 })).toBe('in 43s');
    expect(resetIn({ resetAfterMs: 0 })).toBe('now');
    const reading = await readIdentifyBudget(deps({ resetAfter: 1500 }));
    expect(reading.resetAt).toBe('2026-11-26T10:00:02Z');
  });
});
