// The deployment lock: one S3 object created with If-None-Match: *, renewed while held,
// taken over only once expired, released on success, failure and Ctrl-C (Kamal's with_lock,
// plus the Ctrl-C case it misses).
import { z } from 'zod';
import { PreconditionFailed } from '../../ports.js';
import { ExitCode, UserError } from '../../errors.js';
import type { Context } from '../context.js';
import { keys } from '../storage.js';

const lockSchema = z.object({
  holder: z.string(),
  identity: z.string().optional(),
  command: z.string(),
  deploymentId: z.string().optional(),
  since: z.string(),
  renewedAt: z.string(),
  expiresAt: z.string(),
});
export type LockBody = z.infer<typeof lockSchema>;

export interface CurrentLock {
  body: LockBody;
  etag: string;
  expired: boolean;
}

export async function readLock(ctx: Pick<Context, 'store' | 'env' | 'clock'>): Promise<CurrentLock | undefined> {
  const object = await ctx.store.get(keys.lock(ctx.env.name));
  if (!object) return undefined;
  const parsed = lockSchema.safeParse(safeJson(object.body));
  // An unreadable lock is treated as expired: it protects nothing anyone can name.
  if (!parsed.success) {
    const epoch = new Date(0).toISOString();
    return {
      body: { holder: 'unknown', command: 'unknown', since: epoch, renewedAt: epoch, expiresAt: epoch },
      etag: object.etag,
      expired: true,
    };
  }
  return { body: parsed.data, etag: object.etag, expired: Date.parse(parsed.data.expiresAt) < ctx.clock.now() };
}

/**
 * Refuse at once when another run holds a live lock, before terraform or any preflight check:
 * the second deployment is told who holds it, what runs and when it expires, instead of waiting
 * on terraform's own state lock. An expired lock passes (the run takes it over when it locks);
 * a lock that cannot be read is left to the checks that follow, which say why with a fix.
 */
export async function assertLockFree(ctx: Pick<Context, 'store' | 'env' | 'clock' | 'reporter'>): Promise<void> {
  let current: CurrentLock | undefined;
  try {
    current = await readLock(ctx);
  } catch (error) {
    ctx.reporter.debug(`could not read the deployment lock before starting: ${(error as Error).message}`);
    return;
  }
  if (current && !current.expired) throw lockedError(ctx, current.body);
}

export interface HeldLock {
  readonly body: LockBody;
  /** Renew now (the background loop does this every ttl/3). */
  renew(): Promise<void>;
  release(): Promise<void>;
}

export interface LockRequest {
  command: string;
  deploymentId?: string;
}

export async function acquireLock(ctx: Context, request: LockRequest): Promise<HeldLock> {
  const key = keys.lock(ctx.env.name);
  const body = lockBody(ctx, request);
  let etag: string;
  try {
    etag = (await ctx.store.put(key, JSON.stringify(body), { ifNoneMatch: '*', contentType: 'application/json' })).etag;
  } catch (error) {
    if (!(error instanceof PreconditionFailed)) throw error;
    const current = await readLock(ctx);
    if (!current) return acquireLock(ctx, request);
    if (!current.expired) throw lockedError(ctx, current.body);
    ctx.reporter.warn(
      `taking over an expired lock held by ${current.body.holder} (${current.body.command}, expired ${current.body.expiresAt})`,
    );
    try {
      etag = (
        await ctx.store.put(key, JSON.stringify(body), { ifMatch: current.etag, contentType: 'application/json' })
      ).etag;
    } catch (raced) {
      if (!(raced instanceof PreconditionFailed)) throw raced;
      const winner = await readLock(ctx);
      throw lockedError(ctx, winner?.body ?? current.body);
    }
  }
  return heldLock(ctx, key, body, etag);
}

function heldLock(ctx: Context, key: string, first: LockBody, firstEtag: string): HeldLock {
  let body = first;
  let etag = firstEtag;
  let lost = false;
  const stop = new AbortController();
  const renew = async () => {
    if (lost) return;
    const next = { ...body, renewedAt: iso(ctx.clock.now()), expiresAt: iso(ctx.clock.now() + ctx.env.lockTtl) };
    try {
      etag = (await ctx.store.put(key, JSON.stringify(next), { ifMatch: etag, contentType: 'application/json' })).etag;
      body = next;
    } catch (error) {
      if (!(error instanceof PreconditionFailed)) throw error;
      lost = true;
      ctx.reporter.warn(
        `the deployment lock was taken from this run (released with --force?): s3://${ctx.store.bucket}/${key}`,
      );
    }
  };
  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        await ctx.clock.sleep(Math.max(1000, Math.floor(ctx.env.lockTtl / 3)), stop.signal);
      } catch {
        return;
      }
      // A failed renewal is retried on the next tick; the ttl leaves room for two misses.
      await renew().catch((error) => ctx.reporter.debug(`lock renewal failed: ${(error as Error).message}`));
    }
  })();
  return {
    get body() {
      return body;
    },
    renew,
    release: async () => {
      stop.abort();
      await loop;
      if (lost) return;
      try {
        await ctx.store.delete(key, { ifMatch: etag });
      } catch (error) {
        if (!(error instanceof PreconditionFailed)) throw error;
      }
    },
  };
}

/** Run `work` holding the lock; the lock goes on success, failure and interruption alike. */
export async function withLock<T>(
  ctx: Context,
  request: LockRequest,
  work: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(ctx, request);
  try {
    return await work(lock);
  } finally {
    await lock
      .release()
      .catch((error) =>
        ctx.reporter.warn(
          `could not release the deployment lock: ${(error as Error).message} (run: ydeploy lock release --force --env ${ctx.env.name})`,
        ),
      );
  }
}

/** `lock release`: your own lock freely; someone else's only with force. */
export async function releaseLock(ctx: Context, options: { force: boolean }): Promise<CurrentLock | undefined> {
  const current = await readLock(ctx);
  if (!current) return undefined;
  if (current.body.holder !== ctx.user && !current.expired && !options.force) {
    throw new UserError(
      `the lock is held by ${current.body.holder}`,
      `${current.body.command} since ${current.body.since}, expires ${current.body.expiresAt}`,
      {
        code: ExitCode.locked,
        fix: `ydeploy lock release --force --env ${ctx.env.name} (only if that deployment is dead)`,
        details: { ...current.body },
      },
    );
  }
  try {
    await ctx.store.delete(keys.lock(ctx.env.name), { ifMatch: current.etag });
  } catch (error) {
    if (!(error instanceof PreconditionFailed)) throw error;
    throw new UserError('the lock changed while releasing it', 'another deployment renewed or took it', {
      code: ExitCode.locked,
      fix: `ydeploy lock status --env ${ctx.env.name}`,
    });
  }
  return current;
}

function lockBody(ctx: Context, request: LockRequest): LockBody {
  const now = ctx.clock.now();
  return {
    holder: ctx.user,
    command: request.command,
    ...(request.deploymentId ? { deploymentId: request.deploymentId } : {}),
    since: iso(now),
    renewedAt: iso(now),
    expiresAt: iso(now + ctx.env.lockTtl),
  };
}

function lockedError(ctx: Pick<Context, 'env'>, holder: LockBody): UserError {
  return new UserError(
    `another deployment holds the lock of ${ctx.env.name}`,
    `${holder.holder} is running "${holder.command}" since ${holder.since} (lock expires ${holder.expiresAt})`,
    {
      code: ExitCode.locked,
      fix: `wait for it, or if it is dead: ydeploy lock release --force --env ${ctx.env.name}`,
      details: { ...holder },
    },
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
