// A sharded fleet in the sandbox, for its e2e test and its benchmark: a sandbox whose environment
// runs `fleet` (no legacy: the first deploy starts the fleet), the emulated Discord with many
// guilds spread evenly over the shards, and slash-command traffic to a guild on every shard,
// counted per shard from the emulator's record of every answer attempt after the run settles.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { writeFile } from 'node:fs/promises';
import { keys } from '../../../cli/core/storage.js';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from './_harness.js';

export interface FleetOptions {
  guilds: number;
  shards: number;
  shardsPerInstance: number;
  /** The health gate's time limit (a failing group's gate ends with it). */
  gateTimeout?: string;
}

export async function startFleetSandbox(name: string, options: FleetOptions): Promise<Sandbox> {
  const sandbox = await startSandbox(name, {
    async prepare(cwd) {
      const config = {
        project: 'fleet',
        sandbox: { legacy: false },
        environments: {
          sandbox: {
            fleet: { shards: options.shards, shardsPerInstance: options.shardsPerInstance },
            ...(options.gateTimeout ? { health: { gateTimeout: options.gateTimeout } } : {}),
          },
        },
      };
      await writeFile(join(cwd, 'ydeploy.config.json'), `${JSON.stringify(config, null, 2)}\n`);
    },
  });
  await control(sandbox, 'POST', '/guilds', { count: options.guilds });
  return sandbox;
}

export async function control<T = any>(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sandbox.state.endpoints.discordControl}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export interface ShardStats {
  /** The guild's shard under the largest count the run uses ((guild_id >> 22) % routes). */
  shard: number;
  sent: number;
  answeredTwice: number;
  unanswered: number;
  /** The longest time between two answered commands of this shard, by when they were sent. */
  longestGapMs: number;
  answeredBy: Record<string, number>;
  doubles: string[];
  sendErrors: string[];
}

/**
 * /ping to one guild on each of `routes` shards every `everyMs` (routes = the largest shard count
 * of the run: a guild on shard r of it is on shard r % n of any smaller count n dividing it).
 * stop() waits `settleMs` (past Discord's 3 s answer window and a standby's replay), then
 * counts every answer attempt from GET /control/answers.
 */
export async function startShardTraffic(
  sandbox: Sandbox,
  routes: number,
  everyMs = 100,
): Promise<{ stop(settleMs?: number): Promise<ShardStats[]> }> {
  const guilds = await control<{ id: string; shard: number }[]>(sandbox, 'GET', `/guilds?shards=${routes}`);
  const guildOf = Array.from({ length: routes }, (_, r) => guilds.find((g) => g.shard === r)?.id);
  if (guildOf.some((g) => !g)) throw new Error(`no guild on every one of ${routes} shards (${guilds.length} guilds)`);
  const since = Date.now();
  const sent: Promise<{ shard: number; at: number; id?: string; error?: string }>[] = [];
  const timer = setInterval(() => {
    for (let shard = 0; shard < routes; shard++) {
      const at = Date.now();
      sent.push(
        control<{ id: string }>(sandbox, 'POST', '/commands', { name: 'ping', guildId: guildOf[shard] }).then(
          (r) => ({ shard, at, id: r.id }),
          (error: Error) => ({ shard, at, error: error.message }),
        ),
      );
    }
  }, everyMs);
  return {
    async stop(settleMs = 5000) {
      clearInterval(timer);
      const probes = await Promise.all(sent);
      await new Promise((r) => setTimeout(r, settleMs));
      const answers = await control<{
        interactions: { id: string; attempts: { instance?: string; session: string }[] }[];
        forgotten?: number;
      }>(sandbox, 'GET', `/answers?since=${since}`);
      if (answers.forgotten) throw new Error(`the emulator forgot ${answers.forgotten} interactions of this run`);
      const attempts = new Map(answers.interactions.map((i) => [i.id, i.attempts]));
      const stats: ShardStats[] = Array.from({ length: routes }, (_, shard) => ({
        shard,
        sent: 0,
        answeredTwice: 0,
        unanswered: 0,
        longestGapMs: 0,
        answeredBy: {},
        doubles: [],
        sendErrors: [],
      }));
      const lastAnswered: (number | undefined)[] = [];
      for (const probe of probes.sort((a, b) => a.at - b.at)) {
        const s = stats[probe.shard]!;
        if (probe.error || !probe.id) {
          s.sendErrors.push(probe.error ?? 'no id');
          continue;
        }
        s.sent++;
        const by = attempts.get(probe.id) ?? [];
        if (by.length === 0) s.unanswered++;
        if (by.length > 1) {
          s.answeredTwice++;
          s.doubles.push(`${probe.id}: ${by.map((b) => b.instance ?? b.session).join(', ')}`);
        }
        for (const b of by) s.answeredBy[b.instance ?? b.session] = (s.answeredBy[b.instance ?? b.session] ?? 0) + 1;
        if (by.length) {
          const last = lastAnswered[probe.shard];
          if (last !== undefined) s.longestGapMs = Math.max(s.longestGapMs, probe.at - last);
          lastAnswered[probe.shard] = probe.at;
        }
      }
      return stats;
    },
  };
}

/** The shard groups desired.json records, as "<group> <release> <role>", sorted. */
export async function desiredGroups(sandbox: Sandbox): Promise<string[]> {
  const { state } = sandbox;
  const s3 = new S3Client({
    region: state.region,
    endpoint: state.endpoints.aws,
    forcePathStyle: true,
    credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
  });
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: state.stateBucket, Key: keys.desired('sandbox') }));
    const desired = JSON.parse(await out.Body!.transformToString()) as {
      shard_groups?: Record<string, { release: string; role: string }>;
    };
    return Object.entries(desired.shard_groups ?? {})
      .map(([key, g]) => `${key.slice(g.release.length + 1)} ${g.release} ${g.role}`)
      .sort();
  } finally {
    s3.destroy();
  }
}

/** Identify budget as the emulator keeps it. */
export async function identifies(sandbox: Sandbox): Promise<{ total: number; remaining: number; count: number }> {
  const limits = await control<{ total: number; remaining: number; identifies: unknown[] }>(sandbox, 'GET', '/limits');
  return { total: limits.total, remaining: limits.remaining, count: limits.identifies.length };
}
