// Sends a run's notification to the environment's Discord webhook, whose URL is a SecureString
// in SSM (never in the config). A notification is a courtesy: whatever goes wrong (no URL, a bad
// one, Discord refusing, a timeout) is a warning on the progress stream, and the whole attempt,
// reading the URL included, is bounded by notify.timeout, so the run's outcome never waits longer.
import { webhookParameter } from '../../config/names.js';
import type { Context } from '../context.js';
import type { RunFacts } from '../flows/facts.js';
import { notificationMessage } from './message.js';

/** The URL read once per context: a run's "started" and "ended" notifications share it. */
const urls = new WeakMap<object, Promise<string | undefined>>();

function webhookUrl(ctx: Context): Promise<string | undefined> {
  let url = urls.get(ctx);
  if (!url) {
    url = ctx.secrets.get(webhookParameter(ctx.env), { decrypt: true }).then((p) => p?.value.trim() || undefined);
    urls.set(ctx, url);
  }
  return url;
}

/** What became of one notification; never a rejection. */
export type NotifyOutcome =
  { sent: true; ms: number; attempts: number } | { sent: false; reason: 'off' | 'no-webhook' | 'failed'; why?: string };

export async function notify(
  ctx: Context,
  facts: RunFacts & { phase: Exclude<RunFacts['phase'], 'before'> },
  signal?: AbortSignal,
): Promise<NotifyOutcome> {
  const webhook = ctx.webhook;
  if (!webhook) return { sent: false, reason: 'off' };
  const timeoutMs = ctx.env.notify?.timeout ?? 5_000;
  const started = ctx.clock.now();
  const parameter = webhookParameter(ctx.env);
  const fix = `ydeploy notify test --env ${ctx.env.name}`;
  try {
    // The adapter keeps to its own deadline; this one also bounds reading the URL, and any
    // sender that would not.
    return await withDeadline(
      (async (): Promise<NotifyOutcome> => {
        const url = await webhookUrl(ctx);
        if (!url) {
          ctx.reporter.debug(`no deployment notification: ${parameter} is not set (ydeploy notify set-webhook)`);
          return { sent: false, reason: 'no-webhook' };
        }
        const left = Math.max(1, timeoutMs - (ctx.clock.now() - started));
        const sent = await webhook.execute(url, notificationMessage(facts), { timeoutMs: left, signal });
        const ms = ctx.clock.now() - started;
        ctx.reporter.debug(`notified Discord: ${facts.command} ${facts.phase} (${ms}ms)`, {
          notification: facts.phase,
        });
        return { sent: true, ms, attempts: sent.attempts };
      })(),
      timeoutMs,
      `no answer within ${timeoutMs / 1000}s (notify.timeout)`,
    );
  } catch (error) {
    const why = (error as Error).message;
    ctx.reporter.warn(`the "${facts.phase}" notification was not sent: ${why} (check it: ${fix})`, {
      notification: facts.phase,
    });
    return { sent: false, reason: 'failed', why };
  }
}

function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
