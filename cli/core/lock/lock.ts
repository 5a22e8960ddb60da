// The deployment lock: one S3 object created with If-None-Match: *, renewed while held,
// taken over only once expired, released on success, failure and Ctrl-C (Kamal's with_lock,
// plus the Ctrl-C case it misses). Expiry is judged on S3's clock: the object's age (the
// server's time of a read against its LastModified) against the ttl its writer gave it, so a
// local clock that runs fast or slow neither steals a live lock nor honours a dead one. A run
// that cannot renew in time, or finds its lock taken, stops before its next write.
import * as z from 'zod';
import { PreconditionFailed, type StoredObject } from '../../ports.js';
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

/** The longest ttl a lock is honoured for (the config's bound on lockTtl): a bad body cannot block for ever. */
const LONGEST_TTL_MS = 3_600_000;

export interface CurrentLock {
  body: LockBody;
  etag: string;
  expired: boolean;
  /** When it expires, in local time (judged on S3's clock, then moved onto the local one). */
  expiresAt: string;
  /** `s3`: by the object's age on S3's clock; `local`: the store could not tell its time. */
  judgedBy: 's3' | 'local';
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
      expiresAt: epoch,
      judgedBy: 'local',
    };
  }
  return { body: parsed.data, etag: object.etag, ...lockExpiry(object, parsed.data, ctx.clock.now()) };
}

/**
 * Has the lock expired? Its ttl is what its writer gave it (expiresAt - renewedAt: both from the
 * writer's clock, so their difference is right however that clock is set). Its age is S3's time
 * of this read minus S3's time of its last write. Only a store that cannot tell its time falls
 * back to comparing expiresAt with the local clock.
 */
export function lockExpiry(
  object: Pick<StoredObject, 'lastModified' | 'serverTime'>,
  body: LockBody,
  localNow: number,
): Pick<CurrentLock, 'expired' | 'expiresAt' | 'judgedBy'> {
  const ttl = Math.min(Date.parse(body.expiresAt) - Date.parse(body.renewedAt), LONGEST_TTL_MS);
  if (object.lastModified && object.serverTime && Number.isFinite(ttl) && ttl > 0) {
    const remaining = object.lastModified.getTime() + ttl - object.serverTime.getTime();
    return { expired: remaining < 0, expiresAt: iso(localNow + remaining), judgedBy: 's3' };
  }
  return { expired: Date.parse(body.expiresAt) < localNow, expiresAt: body.expiresAt, judgedBy: 'local' };
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
  if (current && !current.expired) throw lockedError(ctx, current);
}

export interface HeldLock {
  readonly body: LockBody;
  /** Why this run no longer holds the lock; undefined while it does. */
  readonly lost: LockLostError | undefined;
  /** Renew now (the background loop does this every ttl/3, sooner after a failure). */
  renew(): Promise<void>;
  /** Throws LockLostError when the lock was taken or not renewed in time: called before each write. */
  assertHeld(): void;
  release(): Promise<void>;
}

export interface LockRequest {
  command: string;
  deploymentId?: string;
}

/** The run stopped because it no longer holds the lock: exit 5, before its next write. */
export class LockLostError extends UserError {
  constructor(what: string, why: string, env: string, command: string) {
    super(what, `${why}; this run stopped before its next write`, {
      code: ExitCode.locked,
      fix: `ydeploy status --env ${env}, then once no other deployment runs: ydeploy ${command} --resume --env ${env}`,
    });
    this.name = 'LockLostError';
  }
}

/**
 * How long before the lock would expire a run stops trusting it: renewals failing until less
 * than this is left means another run may soon judge it expired and take it over.
 */
export function safetyMargin(ttl: number): number {
  return Math.max(5_000, Math.floor(ttl / 4));
}

export async function acquireLock(ctx: Context, request: LockRequest): Promise<HeldLock> {
  const key = keys.lock(ctx.env.name);
  const body = lockBody(ctx, request);
  const sent = ctx.clock.now();
  let etag: string;
  try {
    etag = (await ctx.store.put(key, JSON.stringify(body), { ifNoneMatch: '*', contentType: 'application/json' })).etag;
  } catch (error) {
    if (!(error instanceof PreconditionFailed)) throw error;
    const current = await readLock(ctx);
    if (!current) return acquireLock(ctx, request);
    if (!current.expired) throw lockedError(ctx, current);
    ctx.reporter.warn(
      `taking over an expired lock held by ${current.body.holder} (${current.body.command}, expired ${current.expiresAt})`,
    );
    try {
      etag = (
        await ctx.store.put(key, JSON.stringify(body), { ifMatch: current.etag, contentType: 'application/json' })
      ).etag;
    } catch (raced) {
      if (!(raced instanceof PreconditionFailed)) throw raced;
      const winner = await readLock(ctx);
      throw lockedError(ctx, winner ?? current);
    }
  }
  return heldLock(ctx, key, body, etag, sent, request.command);
}

function heldLock(
  ctx: Context,
  key: string,
  first: LockBody,
  firstEtag: string,
  firstSent: number,
  command: string,
): HeldLock {
  const ttl = ctx.env.lockTtl;
  let body = first;
  let etag = firstEtag;
  // The local time the last successful write was sent: S3 dated it no earlier, so the lock lives
  // at least ttl from here on S3's clock. Durations on the local clock hold however it is set.
  let confirmedAt = firstSent;
  let lastFailure: string | undefined;
  let lost: LockLostError | undefined;
  let taken = false;
  const stop = new AbortController();
  const env = ctx.env.name;

  const checkDeadline = () => {
    if (lost) return;
    const since = ctx.clock.now() - confirmedAt;
    if (since <= ttl - safetyMargin(ttl)) return;
    lost = new LockLostError(
      `this run lost the deployment lock of ${env}`,
      `it could not be renewed for ${Math.round(since / 1000)}s of its ${Math.round(ttl / 1000)}s ttl${
        lastFailure ? ` (${lastFailure})` : ''
      }, so another run may take it over`,
      env,
      command,
    );
    ctx.reporter.warn(lost.message);
  };

  const renew = async () => {
    if (lost) return;
    const sent = ctx.clock.now();
    const next = { ...body, renewedAt: iso(sent), expiresAt: iso(sent + ttl) };
    try {
      etag = (await ctx.store.put(key, JSON.stringify(next), { ifMatch: etag, contentType: 'application/json' })).etag;
      body = next;
      confirmedAt = sent;
      lastFailure = undefined;
    } catch (error) {
      if (!(error instanceof PreconditionFailed)) {
        lastFailure = (error as Error).message;
        checkDeadline();
        throw error;
      }
      taken = true;
      const now = await readLock(ctx).catch(() => undefined);
      ctx.reporter.warn(
        `the deployment lock was taken from this run (released with --force, or taken over once expired): s3://${ctx.store.bucket}/${key}`,
      );
      lost = new LockLostError(
        `the deployment lock of ${env} was taken from this run`,
        now
          ? `${now.body.holder} holds it now, running "${now.body.command}" since ${now.body.since}`
          : 'it was released with --force while this run held it',
        env,
        command,
      );
    }
  };

  const loop = (async () => {
    let failed = false;
    while (!stop.signal.aborted && !lost) {
      // After a failure, retry sooner: the ttl leaves room for several tries before the margin.
      const wait = failed ? Math.max(1000, Math.floor(ttl / 10)) : Math.max(1000, Math.floor(ttl / 3));
      try {
        await ctx.clock.sleep(wait, stop.signal);
      } catch {
        return;
      }
      failed = false;
      await renew().catch((error) => {
        failed = true;
        ctx.reporter.debug(`lock renewal failed: ${(error as Error).message}`);
      });
    }
  })();

  return {
    get body() {
      return body;
    },
    get lost() {
      checkDeadline();
      return lost;
    },
    renew,
    assertHeld() {
      checkDeadline();
      if (lost) throw lost;
    },
    release: async () => {
      stop.abort();
      await loop;
      // Taken: it is someone else's now. Not renewed in time: still this run's unless its etag
      // changed, which the conditional delete finds out.
      if (taken) return;
      try {
        await ctx.store.delete(key, { ifMatch: etag });
      } catch (error) {
        if (!(error instanceof PreconditionFailed)) throw error;
      }
    },
  };
}

/** The lock each run holds, by its context: what the steps and writes check before they write. */
const heldLocks = new WeakMap<object, HeldLock>();

/** Throws LockLostError when the run of this context held the lock and no longer does. */
export function assertLockHeld(ctx: object): void {
  heldLocks.get(ctx)?.assertHeld();
}

/** Run `work` holding the lock; the lock goes on success, failure and interruption alike. */
export async function withLock<T>(
  ctx: Context,
  request: LockRequest,
  work: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(ctx, request);
  heldLocks.set(ctx, lock);
  try {
    return await work(lock);
  } finally {
    heldLocks.delete(ctx);
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
      `${current.body.command} since ${current.body.since}, expires ${current.expiresAt}`,
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

function lockedError(ctx: Pick<Context, 'env'>, current: CurrentLock): UserError {
  const holder = current.body;
  return new UserError(
    `another deployment holds the lock of ${ctx.env.name}`,
    `${holder.holder} is running "${holder.command}" since ${holder.since} (lock expires ${current.expiresAt})`,
    {
      code: ExitCode.locked,
      fix: `wait for it, or if it is dead: ydeploy lock release --force --env ${ctx.env.name}`,
      details: { ...holder, expiresAt: current.expiresAt },
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
