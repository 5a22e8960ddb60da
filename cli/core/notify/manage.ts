// `ydeploy notify`: the environment's webhook URL kept as a SecureString in SSM (set, clear,
// status) and a test message through it. Unlike a deployment's notification, a failed test is
// an error: it is the command's whole job.
import { webhookParameter } from '../../config/names.js';
import { UsageError, UserError } from '../../errors.js';
import type { Context } from '../context.js';
import { callerArn } from '../who.js';

type NotifyContext = Pick<Context, 'env' | 'secrets' | 'webhook' | 'user' | 'identity' | 'clock'>;

export interface WebhookChecks {
  /** Why the URL is not a webhook URL ydeploy posts to (undefined: it is one). */
  problem(url: string): string | undefined;
  /** The URL without its token. */
  mask(url: string): string;
}

export async function setWebhook(ctx: NotifyContext, url: string, checks: WebhookChecks): Promise<string> {
  const problem = checks.problem(url);
  const parameter = webhookParameter(ctx.env);
  if (problem)
    throw new UsageError('not a Discord webhook URL', `the URL ${problem}`, {
      fix: `copy it from the channel's Integrations → Webhooks, then: printf %s "$URL" | ydeploy notify set-webhook --env ${ctx.env.name}`,
    });
  await ctx.secrets.putSecure(parameter, url.trim(), { overwrite: true });
  return parameter;
}

export async function clearWebhook(ctx: NotifyContext): Promise<{ parameter: string; removed: boolean }> {
  const parameter = webhookParameter(ctx.env);
  return { parameter, removed: await ctx.secrets.delete(parameter) };
}

export async function webhookStatus(
  ctx: NotifyContext,
  checks: WebhookChecks,
): Promise<{ parameter: string; set: boolean; url?: string; problem?: string }> {
  const parameter = webhookParameter(ctx.env);
  const stored = await ctx.secrets.get(parameter, { decrypt: true });
  const url = stored?.value.trim();
  if (!url) return { parameter, set: false };
  const problem = checks.problem(url);
  return { parameter, set: true, url: checks.mask(url), ...(problem ? { problem } : {}) };
}

/** Sends a test message; throws with Discord's answer when it does not arrive. */
export async function testWebhook(
  ctx: NotifyContext,
  checks: WebhookChecks,
): Promise<{ parameter: string; url: string; ms: number; attempts: number }> {
  const parameter = webhookParameter(ctx.env);
  const stored = await ctx.secrets.get(parameter, { decrypt: true });
  const url = stored?.value.trim();
  const set = `printf %s "$URL" | ydeploy notify set-webhook --env ${ctx.env.name}`;
  if (!url)
    throw new UsageError(
      `no webhook set for ${ctx.env.name}`,
      `SSM parameter ${parameter} does not exist or is empty`,
      {
        fix: set,
      },
    );
  if (!ctx.webhook) throw new Error('notify test needs the webhook adapter');
  const identity = await callerArn(ctx);
  const started = ctx.clock.now();
  try {
    const sent = await ctx.webhook.execute(
      url,
      {
        username: 'ydeploy',
        content: `🔔 ydeploy test notification for ${ctx.env.name} from ${ctx.user}`,
        embeds: [
          {
            title: `🔔 notifications work · ${ctx.env.name}`,
            description: 'migrate, deploy and rollback of this environment will be announced here.',
            color: 0x5865f2,
            fields: [{ name: 'Who', value: identity ? `${ctx.user}\n\`${identity}\`` : ctx.user }],
          },
        ],
        allowed_mentions: { parse: [] },
      },
      { timeoutMs: ctx.env.notify?.timeout ?? 5_000 },
    );
    return { parameter, url: checks.mask(url), ms: ctx.clock.now() - started, attempts: sent.attempts };
  } catch (error) {
    throw new UserError(`the test notification to ${checks.mask(url)} failed`, (error as Error).message, {
      fix: `check the webhook still exists in Discord, then set it again: ${set}`,
    });
  }
}
