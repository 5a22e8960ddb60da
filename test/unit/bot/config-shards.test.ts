import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../../bot/config.js';

const shardsOf = (env: Record<string, string>) => {
  const { shards, shardCount } = readConfig(env);
  return { shards, shardCount };
};

describe('readConfig: shards', () => {
  it('runs shard 0 of 1 when neither variable is set, or both are empty (run.sh without the tags)', () => {
    expect(shardsOf({})).toEqual({ shards: [0], shardCount: 1 });
    expect(shardsOf({ BOT_SHARDS: '', BOT_SHARD_COUNT: '' })).toEqual({ shards: [0], shardCount: 1 });
  });

  it('reads the ids (sorted, spaces allowed) and the count', () => {
    expect(shardsOf({ BOT_SHARDS: '0,1', BOT_SHARD_COUNT: '4' })).toEqual({ shards: [0, 1], shardCount: 4 });
    expect(shardsOf({ BOT_SHARDS: ' 3, 2 ', BOT_SHARD_COUNT: '4' })).toEqual({ shards: [2, 3], shardCount: 4 });
    expect(shardsOf({ BOT_SHARDS: '7', BOT_SHARD_COUNT: '8' })).toEqual({ shards: [7], shardCount: 8 });
  });

  it('runs every shard of a count given alone', () => {
    expect(shardsOf({ BOT_SHARD_COUNT: '3' })).toEqual({ shards: [0, 1, 2], shardCount: 3 });
  });

  it.each([
    [{ BOT_SHARDS: '0,1' }, 'BOT_SHARDS=0,1: needs BOT_SHARD_COUNT'],
    [{ BOT_SHARDS: '0,1', BOT_SHARD_COUNT: '0' }, 'BOT_SHARD_COUNT=0: must be an integer from 1 to 65536'],
    [{ BOT_SHARDS: '0', BOT_SHARD_COUNT: 'four' }, 'BOT_SHARD_COUNT=four: must be an integer from 1 to 65536'],
    [{ BOT_SHARDS: '0,,1', BOT_SHARD_COUNT: '4' }, 'BOT_SHARDS=0,,1: "" is not a shard id'],
    [{ BOT_SHARDS: '0,-1', BOT_SHARD_COUNT: '4' }, 'BOT_SHARDS=0,-1: "-1" is not a shard id'],
    [{ BOT_SHARDS: '1.5', BOT_SHARD_COUNT: '4' }, 'BOT_SHARDS=1.5: "1.5" is not a shard id'],
    [{ BOT_SHARDS: '1,1', BOT_SHARD_COUNT: '4' }, 'BOT_SHARDS=1,1: shard 1 is listed twice'],
    [
      { BOT_SHARDS: '0,4', BOT_SHARD_COUNT: '4' },
      'BOT_SHARDS=0,4: shard 4 is outside BOT_SHARD_COUNT=4 (ids go from 0 to 3)',
    ],
  ])('refuses %j: "%s"', (env, message) => {
    let error: unknown;
    try {
      readConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
  });
});

describe('readConfig: start backoff', () => {
  it('keeps the start record beside the role file, in the runtime directory', () => {
    expect(readConfig({}).startFile).toBe('/run/discord-bot/control.starts.json');
    // Several bots' sockets may share a directory (the sandbox's short socket paths): one record each.
    expect(readConfig({ CONTROL_SOCKET: '/x/i-1.sock' }).startFile).toBe('/x/i-1.starts.json');
    expect(readConfig({ ROLE_FILE: '/y/role', START_FILE: '/z/s.json' }).startFile).toBe('/z/s.json');
    expect(readConfig({})).toMatchObject({ startBackoffMs: 5000, startBackoffMaxMs: 600_000 });
  });
});
