// The "after" of a handoff: what the old bot's step-down reported. Preferably the snowflake
// id of its last handled interaction (exact); a millisecond timestamp is accepted too (then an
// interaction created in that same millisecond counts as handled).
import { snowflakeTime } from './snowflake.js';

export type After = { id: bigint } | { ms: number };

export function parseAfter(raw: string): After {
  const text = raw.trim();
  if (!/^\d{1,20}$/.test(text))
    throw new Error(
      `--after ${JSON.stringify(raw)}: expected a snowflake id or a millisecond timestamp (the "after" that step-down printed)`,
    );
  // Millisecond timestamps have 13 digits until the year 2286; snowflakes have 17 or more.
  return text.length >= 15 ? { id: BigInt(text) } : { ms: Number(text) };
}

export function isAfter(id: string, after: After): boolean {
  return 'id' in after ? BigInt(id) > after.id : snowflakeTime(id) > after.ms;
}

/**
 * The cut of a resharding handoff: the old fleet ran `count` shards, and after[s] is the "after"
 * of the old bot that served shard s. A guild's item belongs to the old shard
 * (guild_id >> 22) % count; an item with no guild (a DM) to shard 0, as Discord routes them.
 */
export interface ShardCut {
  count: number;
  after: After[];
}

/** The largest old shard count accepted (BOT_SHARD_COUNT's own limit). */
const CUT_COUNT_MAX = 65_536;

/** Parses `<count>:<after0>,<after1>,...` (botctl activate --after-shards). */
export function parseShardCut(raw: string): ShardCut {
  const text = raw.trim();
  const bad = (why: string) =>
    new Error(
      `--after-shards ${JSON.stringify(raw)}: ${why}; expected <old shard count>:<after of shard 0>,<after of shard 1>,... (each the "after" step-down printed for that shard's old bot)`,
    );
  const match = /^(\d{1,6}):(.*)$/.exec(text);
  if (!match) throw bad('no shard count before ":"');
  const count = Number(match[1]);
  if (count < 1 || count > CUT_COUNT_MAX) throw bad(`the shard count must be from 1 to ${CUT_COUNT_MAX}`);
  const parts = match[2]!.split(',').map((part) => part.trim());
  if (parts.length !== count) throw bad(`${count} shards need ${count} after values, got ${parts.length}`);
  const after = parts.map((part, shard) => {
    if (!/^\d{1,20}$/.test(part))
      throw bad(`shard ${shard}'s after ${JSON.stringify(part)} is not a snowflake id or a millisecond timestamp`);
    return parseAfter(part);
  });
  return { count, after };
}

/** The old shard of a guild (no guild: shard 0). */
export function shardOfGuild(guildId: string | null | undefined, count: number): number {
  if (!guildId || !/^\d{1,20}$/.test(guildId)) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** Whether the item comes after its old shard's cut point: the old bot of that shard did not handle it. */
export function isAfterCut(item: { id: string; guildId?: string | null }, cut: ShardCut): boolean {
  return isAfter(item.id, cut.after[shardOfGuild(item.guildId, cut.count)]!);
}
