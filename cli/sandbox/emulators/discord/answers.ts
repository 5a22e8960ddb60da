// The answers read-out (GET /control/answers): every interaction and user message sent since a time,
// with every answer attempt from every session and the shard of each, and per-shard counts from the
// same record, so a test or bench reads "answered twice" and "never answered" per shard off the
// emulator itself.
import { repliesTo } from './messages.js';
import type { Answer, EmulatorState, InteractionRecord, Shard } from './emulator-state.js';

export interface ShardCounts {
  /** Interactions counted here. */
  sent: number;
  /** With an accepted answer (from any session). */
  answered: number;
  /** With no accepted answer: no session of the shard answered in time, or none was connected. */
  unanswered: number;
  /** With more than one answer attempt: two bots answered. */
  answeredTwice: number;
}

/**
 * `routedCount`: the shard count to route every interaction by (its guild's shard under that count,
 * a DM: shard 0), so interactions no session received count as unanswered on their shard too.
 * `list` false: the counts only, without every interaction and message (a bench polling them).
 */
export function answers(state: EmulatorState, since: number, routedCount: number, list = true) {
  const records = [...state.interactions.values()].filter((r) => r.sentAt >= since);
  const counts = {
    byShard: byDeliveredShard(records),
    routed: { shardCount: routedCount, shards: byRoutedShard(state, records, routedCount) },
    /** Interactions older than the record keeps (the emulator's cap): not in these counts. */
    forgotten: state.forgottenInteractions,
  };
  if (!list) return counts;
  return {
    interactions: records.map((r) => ({
      id: r.id,
      name: r.name,
      guildId: r.guildId,
      sentAt: r.sentAt,
      shards: deliveredShards(r),
      attempts: r.answers.map(attempt),
    })),
    messages: [...state.userMessages.values()]
      .filter((m) => m.sentAt >= since)
      .map((m) => ({
        id: m.id,
        guildId: m.guildId,
        content: m.content,
        sentAt: m.sentAt,
        replies: repliesTo(state, m.id).map(({ session, instance, at, content }) => ({
          session,
          instance,
          shard: session ? state.sessions.get(session)?.shard : undefined,
          at,
          content,
        })),
      })),
    ...counts,
  };
}

/** The routed count when none is asked for: the largest shard count of a live session, else 1. */
export function defaultShardCount(state: EmulatorState): number {
  return Math.max(1, ...state.liveSessions().map((s) => s.shard[1]));
}

function attempt({ session, instance, shard, at, accepted, rejected }: Answer) {
  return { session, instance, shard, at, accepted, ...(rejected ? { rejected } : {}) };
}

/** The distinct shards an interaction was delivered to. */
function deliveredShards(record: InteractionRecord): Shard[] {
  const seen = new Map<string, Shard>();
  for (const d of record.deliveredTo) seen.set(key(d.shard), d.shard);
  return [...seen.values()];
}

const key = ([id, count]: Shard) => `${id}/${count}`;

function count(counts: ShardCounts, record: InteractionRecord): void {
  const answered = record.answers.some((a) => a.accepted);
  counts.sent++;
  if (answered) counts.answered++;
  else counts.unanswered++;
  if (record.answers.length > 1) counts.answeredTwice++;
}

const empty = (): ShardCounts => ({ sent: 0, answered: 0, unanswered: 0, answeredTwice: 0 });

/**
 * Per shard "<id>/<count>" a session of which received the interaction: the interaction's counts, plus
 * `attempts`, the answer attempts sessions of this shard made (which set answered: old or new).
 */
function byDeliveredShard(records: InteractionRecord[]) {
  const result: Record<string, ShardCounts & { attempts: number }> = {};
  for (const record of records) {
    for (const shard of deliveredShards(record)) {
      const counts = (result[key(shard)] ??= { ...empty(), attempts: 0 });
      count(counts, record);
      counts.attempts += record.answers.filter((a) => a.shard[0] === shard[0] && a.shard[1] === shard[1]).length;
    }
  }
  return result;
}

function byRoutedShard(state: EmulatorState, records: InteractionRecord[], shardCount: number) {
  const shards = Array.from({ length: shardCount }, (_, shard) => ({ shard, ...empty() }));
  for (const record of records) count(shards[state.shardOf(record.guildId, shardCount)]!, record);
  return shards;
}
