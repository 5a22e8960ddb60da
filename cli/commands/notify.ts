// `ydeploy notify set-webhook | test | status | clear`: where migrate, deploy and rollback are
// announced. The Discord webhook URL (it holds the webhook's token) lives in SSM as a
// SecureString, never in the config file; it is read from stdin or a hidden prompt, or taken as
// an argument (which shell history keeps).
import { defineCommand, type CommandInput } from '../command.js';

const checks = async () => {
  const { webhookUrlProblem, maskWebhookUrl } = await import('../adapters/discord-webhook.js');
  return { problem: webhookUrlProblem, mask: maskWebhookUrl };
};

const setCommand = defineCommand({
  name: 'set-webhook',
  description: 'store the Discord webhook URL in SSM (SecureString); read from stdin or a hidden prompt',
  examples: ['printf %s "$WEBHOOK_URL" | ydeploy notify set-webhook --env production'],
  options: (cmd) => cmd.argument('[url]', 'the webhook URL (prefer stdin: an argument stays in shell history)'),
  async run(input) {
    const [{ setWebhook }, { openContext }] = await Promise.all([
      import('../core/notify/manage.js'),
      import('../context.js'),
    ]);
    const url = input.args[0] ?? (await readUrl(input));
    const ctx = await openContext(input);
    const c = await checks();
    const parameter = await setWebhook(ctx, url, c);
    ctx.reporter.info(`stored ${c.mask(url.trim())} in SSM ${parameter} (SecureString)`);
    ctx.reporter.info(`next: ydeploy notify test --env ${ctx.env.name}`);
    ctx.reporter.result({ ok: true, environment: ctx.env.name, parameter, url: c.mask(url.trim()) });
    return 0;
  },
});

const testCommand = defineCommand({
  name: 'test',
  description: 'send a test message through the webhook',
  async run(input) {
    const [{ testWebhook }, { openContext }] = await Promise.all([
      import('../core/notify/manage.js'),
      import('../context.js'),
    ]);
    const ctx = await openContext(input);
    const sent = await testWebhook(ctx, await checks());
    ctx.reporter.info(`Discord accepted the test message to ${sent.url} in ${sent.ms}ms`);
    ctx.reporter.result({ ok: true, environment: ctx.env.name, ...sent });
    return 0;
  },
});

const statusCommand = defineCommand({
  name: 'status',
  description: 'whether a webhook is set, and where (its token is never shown)',
  async run(input) {
    const [{ webhookStatus }, { openContext }] = await Promise.all([
      import('../core/notify/manage.js'),
      import('../context.js'),
    ]);
    const ctx = await openContext(input);
    const status = await webhookStatus(ctx, await checks());
    const env = ctx.env.name;
    ctx.reporter.data(
      status.set
        ? `${env}: notifications go to ${status.url} (SSM ${status.parameter})${status.problem ? `; but the URL ${status.problem}` : ''}`
        : `${env}: no notifications (SSM ${status.parameter} is not set; printf %s "$URL" | ydeploy notify set-webhook --env ${env})`,
    );
    ctx.reporter.result({ ok: true, environment: env, ...status });
    return 0;
  },
});

const clearCommand = defineCommand({
  name: 'clear',
  description: 'delete the webhook URL from SSM: no more notifications',
  async run(input) {
    const [{ clearWebhook }, { openContext }] = await Promise.all([
      import('../core/notify/manage.js'),
      import('../context.js'),
    ]);
    const ctx = await openContext(input);
    const { parameter, removed } = await clearWebhook(ctx);
    ctx.reporter.info(removed ? `deleted SSM ${parameter}: no more notifications` : `SSM ${parameter} was not set`);
    ctx.reporter.result({ ok: true, environment: ctx.env.name, parameter, removed });
    return 0;
  },
});

export default defineCommand({
  name: 'notify',
  description: 'deployment notifications to a Discord webhook (its URL kept in SSM)',
  examples: [
    'printf %s "$WEBHOOK_URL" | ydeploy notify set-webhook --env production',
    'ydeploy notify test --env production',
    'ydeploy notify clear --env production',
  ],
  subcommands: [setCommand, testCommand, statusCommand, clearCommand],
});

async function readUrl(input: CommandInput): Promise<string> {
  const { UsageError } = await import('../errors.js');
  const stdin = input.stdin ?? process.stdin;
  const fix = 'printf %s "$WEBHOOK_URL" | ydeploy notify set-webhook';
  let url: string;
  if (stdin.isTTY) {
    if (input.globals.yes || input.globals.json)
      throw new UsageError('cannot read the webhook URL', 'standard input is a terminal but prompts are off', { fix });
    url = await input.reporter.prompt('Discord webhook URL (not shown)', { secret: true });
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (chunks.reduce((n, c) => n + c.length, 0) > 8 * 1024)
        throw new UsageError('too much on standard input', 'a webhook URL is under 200 characters', { fix });
    }
    url = Buffer.concat(chunks).toString('utf8');
  }
  if (!url.trim()) throw new UsageError('no webhook URL given', 'standard input (or the answer) was empty', { fix });
  return url.trim();
}
