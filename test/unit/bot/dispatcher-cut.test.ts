import { describe, expect, it } from 'vitest';
import { isAfterCut, parseShardCut, shardOfGuild } from '../../../bot/roles/after.js';
import { answer } from '../../../bot/roles/control-server.js';
import { Dispatcher, MAX_BUFFERED, WINDOW_MS, type Incoming } from '../../../bot/roles/dispatcher.js';

const EPOCH = 1_420_070_400_000n;
const idAt = (ms: number, n = 0) => (((BigInt(ms) - EPOCH) << 22n) | BigInt(n)).toString();
const T = 1_800_000_000_000;
/** A guild id on old shard `shard` of `count`: its timestamp bits decide it. */
const guildOn = (shard: number, count: number) => ((BigInt(1000 * count + shard) << 22n) | 7n).toString();

describe('parseShardCut', () => {
  it('reads the count and one after per shard, ids or millisecond timestamps', () => {
    expect(parseShardCut('2:1575457547698176008,1800000000000')).toEqual({
      count: 2,
      after: [{ id: 1575457547698176008n }, { ms: 1_800_000_000_000 }],
    });
    expect(parseShardCut(' 1:0 ')).toEqual({ count: 1, after: [{ ms: 0 }] });
  });

  it.each([
    ['', 'no shard count before ":"'],
    ['4', 'no shard count before ":"'],
    ['0:', 'the shard count must be from 1 to 65536'],
    ['2:1', '2 shards need 2 after values, got 1'],
    ['2:1,2,3', '2 shards need 2 after values, got 3'],
    ['2:1,-5', `shard 1's after "-5" is not a snowflake id or a millisecond timestamp`],
    ['2:1,0x10', `shard 1's after "0x10" is not a snowflake`],
    ['2:1,', `shard 1's after "" is not`],
  ])('refuses %j: %s', (raw, why) => {
    expect(() => parseShardCut(raw)).toThrow(why);
    expect(() => parseShardCut(raw)).toThrow(`--after-shards ${JSON.stringify(raw)}: `);
  });
});

describe('the cut per old shard', () => {
  it('places a guild on (id >> 22) % count and a DM on shard 0', () => {
    expect(shardOfGuild(guildOn(3, 4), 4)).toBe(3);
    expect(shardOfGuild(guildOn(1, 2), 2)).toBe(1);
    expect(shardOfGuild('175928847299117063', 4)).toBe(Number((175928847299117063n >> 22n) % 4n));
    expect(shardOfGuild(null, 4)).toBe(0);
    expect(shardOfGuild(undefined, 4)).toBe(0);
  });

  it("compares each item with its own shard's after", () => {
    const cut = parseShardCut(`2:${idAt(T + 100)},${idAt(T + 10)}`);
    expect(isAfterCut({ id: idAt(T + 50), guildId: guildOn(0, 2) }, cut)).toBe(false);
    expect(isAfterCut({ id: idAt(T + 50), guildId: guildOn(1, 2) }, cut)).toBe(true);
    expect(isAfterCut({ id: idAt(T + 50) }, cut)).toBe(false);
    expect(isAfterCut({ id: idAt(T + 101), guildId: null }, cut)).toBe(true);
  });
});

function standby() {
  let clock = T;
  const answered: string[] = [];
  const dispatcher = new Dispatcher(
    'standby',
    (error) => {
      throw error;
    },
    () => {},
    () => clock,
  );
  const receive = (id: string, guildId?: string | null, kind: Incoming['kind'] = 'interaction') =>
    dispatcher.receive({ kind, id, guildId, receivedAt: clock, answer: () => void answered.push(id) });
  return { dispatcher, answered, receive, advance: (ms: number) => (clock += ms) };
}

describe('Dispatcher: activate with a shard cut', () => {
  it("answers exactly the buffered items after their old shard's after, in snowflake order, then live ones", () => {
    const next = standby();
    // Old shard 0 stopped at T+20, old shard 1 at T+5; shard 0 also carries DMs.
    next.receive(idAt(T + 1), guildOn(0, 2));
    next.receive(idAt(T + 6), guildOn(1, 2));
    next.receive(idAt(T + 15), guildOn(0, 2));
    next.receive(idAt(T + 18), null);
    next.receive(idAt(T + 21), guildOn(0, 2));
    next.receive(idAt(T + 4), guildOn(1, 2));
    next.receive(idAt(T + 22), null, 'message');
    const result = next.dispatcher.activate({ cut: parseShardCut(`2:${idAt(T + 20)},${idAt(T + 5)}`) });
    expect(result).toMatchObject({ role: 'active', replayed: [idAt(T + 6), idAt(T + 21), idAt(T + 22)], skipped: 4 });
    expect(next.answered).toEqual([idAt(T + 6), idAt(T + 21), idAt(T + 22)]);
    next.receive(idAt(T + 2), guildOn(1, 2)); // arrives after activation: answered as usual
    expect(next.answered.at(-1)).toBe(idAt(T + 2));
  });

  it('goes through the control protocol, and refuses a cut with --after too or a malformed one', () => {
    const next = standby();
    next.receive(idAt(T + 9), guildOn(3, 4));
    next.receive(idAt(T + 9, 1), guildOn(2, 4));
    const line = JSON.stringify({ cmd: 'activate', afterShards: `4:0,0,${idAt(T + 50)},${idAt(T + 1)}` });
    expect(answer(JSON.stringify({ cmd: 'activate', afterShards: '4:1,2' }), next.dispatcher)).toMatchObject({
      ok: false,
      error: 'bad-request',
      message: expect.stringContaining('4 shards need 4 after values, got 2'),
    });
    expect(answer(JSON.stringify({ cmd: 'activate', after: '0', afterShards: '1:0' }), next.dispatcher)).toMatchObject({
      ok: false,
      error: 'bad-request',
      message: expect.stringContaining('not both'),
    });
    expect(next.dispatcher.role()).toBe('standby');
    expect(answer(line, next.dispatcher)).toMatchObject({ ok: true, role: 'active', replayed: [idAt(T + 9)] });
  });
});

describe('Dispatcher: what a standby keeps', () => {
  it('prunes both kinds on every arrival, so only what an activation could still handle stays', () => {
    const s = standby();
    s.receive(idAt(T), null, 'message');
    s.receive(idAt(T, 1), null);
    s.advance(WINDOW_MS.interaction);
    s.receive(idAt(T + 3000), null, 'message');
    expect(s.dispatcher.status()).toMatchObject({ buffered: 2, dropped: 0 });
    s.advance(WINDOW_MS.message);
    expect(s.dispatcher.status()).toMatchObject({ buffered: 0, dropped: 0 });
  });

  it('caps a flood inside the window and counts what the cap pushed out', () => {
    const s = standby();
    for (let n = 0; n < MAX_BUFFERED + 5; n++) s.receive(idAt(T, n), null);
    expect(s.dispatcher.status()).toMatchObject({ buffered: MAX_BUFFERED, dropped: 5 });
    const result = s.dispatcher.activate({ after: { ms: 0 } });
    expect(result.replayed[0]).toBe(idAt(T, 5));
  });
});
