// The Discord emulator's limits on starting sessions, on their own: the daily budget and its window,
// max_concurrency buckets, the shard IDENTIFY asks for, the control API's limit changes, and the
// routing of guilds to shards by their snowflakes.
import { describe, expect, it } from 'vitest';
import { EmulatorState, spreadGuilds } from '../../../cli/sandbox/emulators/discord/emulator-state.js';
import {
  IDENTIFY_INTERVAL_MS,
  IdentifyLimits,
  parseLimits,
  parseShard,
} from '../../../cli/sandbox/emulators/discord/identify-limits.js';

describe('the identify budget', () => {
  it('is whole (reset_after 0) until the first IDENTIFY, then resets resetAfterMs after it', () => {
    const limits = new IdentifyLimits({ identifyTotal: 2, resetAfterMs: 1000 });
    expect(limits.budget(0)).toMatchObject({ total: 2, remaining: 2, resetAfterMs: 0, resetAt: undefined });
    expect(limits.spend(100)).toBe(true);
    expect(limits.spend(600)).toBe(true);
    expect(limits.spend(700)).toBe(false);
    expect(limits.budget(800)).toMatchObject({ remaining: 0, resetAt: 1100, resetAfterMs: 300 });
    expect(limits.spend(1100)).toBe(true);
    expect(limits.budget(1100)).toMatchObject({ remaining: 1, resetAt: 2100 });
  });

  it('restarts its window with the whole budget when the total changes, not when it is set again', () => {
    const limits = new IdentifyLimits({ identifyTotal: 3 });
    limits.spend(0);
    limits.configure({ identifyTotal: 3 });
    expect(limits.budget(1).remaining).toBe(2);
    limits.configure({ identifyTotal: 5 });
    expect(limits.budget(1)).toMatchObject({ remaining: 5, resetAfterMs: 0 });
  });
});

describe('max_concurrency', () => {
  it('admits one IDENTIFY per bucket (shard % max_concurrency) per 5 s', () => {
    const limits = new IdentifyLimits({ maxConcurrency: 2 });
    expect(limits.admits(0, 0)).toBe(true);
    limits.occupy(0, 0);
    expect(limits.admits(2, 10)).toBe(false);
    expect(limits.admits(1, 10)).toBe(true);
    expect(limits.admits(4, IDENTIFY_INTERVAL_MS - 1)).toBe(false);
    expect(limits.admits(4, IDENTIFY_INTERVAL_MS)).toBe(true);
  });

  it('paces nothing while unset, and reports 1', () => {
    const limits = new IdentifyLimits();
    limits.occupy(0, 0);
    expect(limits.admits(0, 1)).toBe(true);
    expect(limits.budget().maxConcurrency).toBe(1);
    limits.configure({ maxConcurrency: 1 });
    limits.occupy(0, 0);
    expect(limits.admits(0, 1)).toBe(false);
    limits.configure({ maxConcurrency: null });
    expect(limits.admits(0, 1)).toBe(true);
  });
});

describe('IDENTIFY shard', () => {
  it('is [id, count] with 0 <= id < count; absent is [0, 1]', () => {
    expect(parseShard(undefined)).toEqual([0, 1]);
    expect(parseShard([3, 4])).toEqual([3, 4]);
    for (const bad of [[4, 4], [0, 0], [-1, 1], [0.5, 2], ['0', '1'], [0], [0, 1, 2], '0,1', {}])
      expect(parseShard(bad)).toBeUndefined();
  });
});

describe('POST /control/limits body', () => {
  it('takes whole numbers in range and null for maxConcurrency; names the field it refuses', () => {
    expect(parseLimits({ identifyTotal: 0, maxConcurrency: null, guildsPerSession: 10 })).toEqual({
      identifyTotal: 0,
      maxConcurrency: null,
      guildsPerSession: 10,
      resetAfterMs: undefined,
    });
    expect(() => parseLimits({ maxConcurrency: 0 })).toThrow(/^limits: maxConcurrency must be a whole number from 1/);
    expect(() => parseLimits({ resetAfterMs: '1000' })).toThrow(/^limits: resetAfterMs/);
    expect(() => parseLimits({ total: 5 })).toThrow(/unknown field total/);
  });
});

describe('guilds and shards', () => {
  it('spreads guilds evenly over any shard count, and routes a DM to shard 0', () => {
    const state = new EmulatorState(new Set(), '1', spreadGuilds(24));
    for (const count of [1, 2, 3, 4, 6, 8, 12, 24]) {
      const perShard = Array<number>(count).fill(0);
      for (const g of state.guilds) perShard[state.shardOf(g.id, count)]!++;
      expect(perShard).toEqual(Array(count).fill(24 / count));
    }
    const id = state.guilds[5]!.id;
    expect(state.shardOf(id, 7)).toBe(Number((BigInt(id) >> 22n) % 7n));
    expect(state.shardOf(undefined, 7)).toBe(0);
  });
});
