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
