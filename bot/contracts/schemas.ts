// The shapes the CLI parses out of the bot's answers, as zod schemas: the /health body and
// botctl's answer line. Each is the one definition of its fields; the bot imports only the
// types (import type), so zod stays out of the release bundles (test/unit/bot/contracts.test.ts).
import * as z from 'zod';
import { HEALTH_STATUSES } from './health.js';
import { ROLES } from './roles.js';

/** A shard's state in /health: ready; connecting (never ready yet); lost (was ready, reconnecting or resuming). */
export const SHARD_STATUSES = ['ready', 'connecting', 'lost'] as const;
export type ShardStatus = (typeof SHARD_STATUSES)[number];

export const shardHealthSchema = z
  .object({ id: z.number(), status: z.enum(SHARD_STATUSES), guilds: z.number(), ping: z.number() })
  .passthrough();
export type ShardHealth = z.infer<typeof shardHealthSchema>;

/** GET /health's JSON body. Fields beyond these are kept (a newer bot may add some). */
export const healthBodySchema = z
  .object({
    status: z.enum(HEALTH_STATUSES),
    /** ISO time of the answer. */
    timestamp: z.string(),
    /** Seconds since the bot started (healthy only). */
    uptime: z.number().optional(),
    version: z.string().optional(),
    instanceId: z.string().optional(),
    role: z.enum(ROLES).optional(),
    pid: z.number().optional(),
    /** Why it is unhealthy or stopping. */
    reason: z.string().optional(),
    /** ISO time the bot process started (healthy only; absent from bots before it was added). */
    startedAt: z.string().optional(),
    /** ISO time the bot first became ready on Discord (healthy only). */
    readyAt: z.string().optional(),
    discord: z
      .object({ ready: z.boolean().optional(), ping: z.number().optional(), guilds: z.number().optional() })
      .passthrough()
      .optional(),
    /** Discord time (ms) of the last interaction the bot handled (healthy only). */
    lastEventAt: z.number().nullable().optional(),
    /** Each gateway shard the bot runs (absent from bots before sharding: one shard, `discord`). */
    shards: z.array(shardHealthSchema).optional(),
    /** The fleet's total shard count these shards belong to. */
    shardCount: z.number().optional(),
  })
  .passthrough();
export type HealthBody = z.infer<typeof healthBodySchema>;

/**
 * The JSON line botctl prints (contracts/botctl.ts). `error` is one of BotctlError when ok is
 * false, read as any string so a newer botctl's reasons still come through with their message.
 */
export const botctlAnswerSchema = z
  .object({
    ok: z.boolean(),
    role: z.enum(ROLES).optional(),
    /** step-down: what to pass to the successor's activate --after. */
    after: z.string().optional(),
    message: z.string().optional(),
    error: z.string().optional(),
  })
  .passthrough();
export type BotctlAnswer = z.infer<typeof botctlAnswerSchema>;
