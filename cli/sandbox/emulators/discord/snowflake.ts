// Discord ids are snowflakes: milliseconds since the Discord epoch in the top bits, so ids
// sort by creation time and every session sees the same id for the same event. The bot's
// handoff relies on that ordering (bot/roles/), so the emulator makes real ones.
export const DISCORD_EPOCH = 1_420_070_400_000n;

let increment = 0n;

export function snowflake(at = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
