// Hooks and notifications around the flows: when each runs, what it is told, and that neither
// a failing postDeploy hook nor a failing notification changes a run's outcome.
import { describe, expect, it } from 'vitest';
import { deploy } from '../../../../cli/core/flows/deploy.js';
import { migrate } from '../../../../cli/core/flows/migrate.js';
import { emptyDesired } from '../../../../cli/core/desired/state.js';
import { keys } from '../../../../cli/core/storage.js';
import { listJournal } from '../../../../cli/core/journal/journal.js';
import { ExitCode } from '../../../../cli/errors.js';
import type { HookRun, HookRunner, WebhookMessage, WebhookSender } from '../../../../cli/ports.js';
import { coreContext, EXAMPLE_COMMANDS, fakeManifest, FakeWorld, type TestContext } from '../../../_helpers/fakes.js';

const WEBHOOK = 'https://discord.com/api/webhooks/123456789012345678/secret-token';
const PARAMETER = '/ydeploy/test/notify/discord-webhook';

/** Records every hook it is asked to run, with the applies made before it; answers per command. */
class FakeHooks implements HookRunner {
  readonly runs: { command: string; env: Record<string, string>; appliesBefore: number }[] = [];
  readonly results = new Map<string, Partial<HookRun>>();
  constructor(private readonly world: FakeWorld) {}
  async run(command: string, options: Parameters<HookRunner['run']>[1]): Promise<HookRun> {
    this.runs.push({ command, env: options.env, appliesBefore: this.world.applies.length });
    const result = this.results.get(command) ?? {};
    for (const line of result.tail ?? []) options.onLine(line);
    return { exitCode: 0, timedOut: false, tail: [], seconds: 0.1, ...result };
  }
  of(command: string) {
    return this.runs.find((r) => r.command === command);
  }
}

/** Records every message; `fail` makes it reject, `hang` never answer. */
class FakeWebhook implements WebhookSender {
  readonly sent: { url: string; message: WebhookMessage; appliesBefore: number }[] = [];
  fail?: Error;
  hang = false;
  constructor(private readonly world: FakeWorld) {}
  async execute(url: string, message: WebhookMessage): Promise<{ attempts: number }> {
    if (this.hang) return new Promise(() => {});
    if (this.fail) throw this.fail;
    this.sent.push({ url, message, appliesBefore: this.world.applies.length });
    return { attempts: 1 };
  }
  titles(): string[] {
    return this.sent.map((s) => s.message.embeds![0]!.title);
  }
}

const HOOKS = { preDeploy: 'check-pre', postDeploy: 'announce-post', onFailure: 'page-oncall', timeout: 60_000 };

async function enhancedWorld(): Promise<{
  world: FakeWorld;
  ctx: TestContext;
  hooks: FakeHooks;
  webhook: FakeWebhook;
}> {
  const world = new FakeWorld();
  const hooks = new FakeHooks(world);
  const webhook = new FakeWebhook(world);
  const ctx = coreContext(world, { hooks, webhook });
  ctx.env = { ...ctx.env, hooks: HOOKS };
  await ctx.secrets.putSecure(PARAMETER, WEBHOOK);
  const desired = { ...emptyDesired(ctx.env), enable_enhanced_instance: true, release_version: 'v1' };
  await world.terraform.apply({ varFiles: [await world.writeVarFile(desired)] });
  await ctx.store.put(keys.desired('test'), JSON.stringify(desired));
  world.withRelease('v1');
  // Releases are built from a git checkout: the notification names the commit.
  ctx.publisher = {
    ...ctx.publisher!,
    publish: async (version) => {
      const manifest = {
        ...JSON.parse(fakeManifest(version)),
        bot: { name: 'dice-bot', version: '1.4.0' },
        git: { commit: '0123456789abcdef0123', dirty: false },
      };
      await ctx.releases.put(keys.manifest(version), JSON.stringify(manifest));
      return { files: ['manifest.json'], manifest };
    },
  };
  world.discord.seed(EXAMPLE_COMMANDS);
  world.applies.length = 0;
  return { world, ctx, hooks, webhook };
}

describe('hooks and notifications around deploy', () => {
  it('preDeploy before any apply, postDeploy after, with the run facts; started then succeeded notified', async () => {
    const { world, ctx, hooks, webhook } = await enhancedWorld();
    const serving = world.running().map((b) => b.instance.id);
    const result = await deploy(ctx, { release: 'v2' });

    expect(hooks.runs.map((r) => r.command)).toEqual(['check-pre', 'announce-post']);
    const pre = hooks.of('check-pre')!;
    expect(pre.appliesBefore).toBe(0);
    expect(pre.env).toMatchObject({
      YDEPLOY_HOOK: 'preDeploy',
      YDEPLOY_COMMAND: 'deploy',
      YDEPLOY_ENV: 'test',
      YDEPLOY_RELEASE: 'v2',
      // Not built yet: deploy builds and uploads it as its first step.
      YDEPLOY_COMMIT: '',
      YDEPLOY_WHO: 'tester@laptop',
      YDEPLOY_IDENTITY: 'arn:aws:iam::123456789012:user/tester',
      YDEPLOY_DEPLOYMENT_ID: '',
      YDEPLOY_RESULT: '',
      YDEPLOY_RESUME: '0',
    });
    expect(pre.env.YDEPLOY_INSTANCE_IDS).toBe(serving.join(','));

    const post = hooks.of('announce-post')!;
    expect(post.appliesBefore).toBe(world.applies.length);
    expect(post.env).toMatchObject({
      YDEPLOY_RESULT: 'succeeded',
      YDEPLOY_DEPLOYMENT_ID: result.deploymentId,
      YDEPLOY_COMMIT: '0123456789ab',
    });
    expect(Number(post.env.YDEPLOY_DURATION_MS)).toBeGreaterThanOrEqual(0);
    expect(post.env.YDEPLOY_INSTANCE_IDS).toBe(result.state.newId);

    expect(webhook.titles()).toEqual(['🚀 deploy started · test', '✅ deploy succeeded · test']);
    const done = webhook.sent[1]!;
    expect(done.url).toBe(WEBHOOK);
    expect(done.appliesBefore).toBe(world.applies.length);
    const fields = Object.fromEntries(done.message.embeds![0]!.fields!.map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({
      Environment: 'test',
      Release: 'v2 (dice-bot@1.4.0)',
      Commit: '`0123456789ab`',
      Who: 'tester@laptop\n`arn:aws:iam::123456789012:user/tester`',
      Deployment: `\`${result.deploymentId}\``,
    });
    expect(fields.Logs).toMatch(/^`ydeploy logs --env test --since \d+m`$/);
    expect(done.message.content).toMatch(/^✅ deploy v2 succeeded in test by tester@laptop in /);
    expect(done.message.allowed_mentions).toEqual({ parse: [] });
    expect(ctx.reporter.text()).not.toContain('⚠');
  });

  it('a failing preDeploy hook stops the run before anything changes: exit 3, its last lines, no journal', async () => {
    const { world, ctx, hooks, webhook } = await enhancedWorld();
    hooks.results.set('check-pre', { exitCode: 2, tail: ['checking migrations', 'migration 42 is pending'] });
    const error = await deploy(ctx, { release: 'v2' }).catch((e) => e);

    expect(error.code).toBe(ExitCode.preflight);
    expect(error.message).toContain('the preDeploy hook stopped the deploy');
    expect(error.message).toContain('"check-pre" exited with 2');
    expect(error.message).toContain('migration 42 is pending');
    expect(error.fix).toContain('ydeploy deploy --env test');
    expect(world.applies).toEqual([]);
    expect(await listJournal(ctx)).toEqual([]);
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
    expect(hooks.runs.map((r) => r.command)).toEqual(['check-pre']);
    expect(webhook.sent).toEqual([]);
    // Its output went to the progress stream as it came.
    expect(ctx.reporter.text()).toContain('preDeploy │ migration 42 is pending');
  });

  it('a failed health gate: onFailure is told it was rolled back and why; the exit code stays 4', async () => {
    const { world, ctx, hooks, webhook } = await enhancedWorld();
    world.faultsFor.set('v2', ['unhealthy']);
    const error = await deploy(ctx, { release: 'v2' }).catch((e) => e);

    expect(error.code).toBe(ExitCode.healthGate);
    expect(hooks.runs.map((r) => r.command)).toEqual(['check-pre', 'page-oncall']);
    const failure = hooks.of('page-oncall')!.env;
    expect(failure.YDEPLOY_RESULT).toBe('rolled-back');
    expect(failure.YDEPLOY_ERROR).toBe(error.message);
    expect(webhook.titles()).toEqual(['🚀 deploy started · test', '↩️ deploy failed and was rolled back · test']);
    expect(webhook.sent[1]!.message.embeds![0]!.description).toBe(error.message);
  });

  it('a notification that fails or never answers warns; the run succeeds all the same', async () => {
    for (const breakIt of [
      (w: FakeWebhook) => (w.fail = new Error('discord.com answered 404 Unknown Webhook (code 10015)')),
      (w: FakeWebhook) => (w.hang = true),
    ]) {
      const { ctx, webhook } = await enhancedWorld();
      ctx.env = { ...ctx.env, notify: { ...ctx.env.notify, timeout: 150 } };
      breakIt(webhook);
      const started = performance.now();
      const result = await deploy(ctx, { release: 'v2' });
      expect(result.state.newId).toBeTruthy();
      const [entry] = await listJournal(ctx);
      expect(entry!.outcome).toBe('succeeded');
      const warnings = ctx.reporter.lines.filter((l) => l.startsWith('⚠'));
      expect(warnings).toHaveLength(2);
      expect(warnings[1]).toMatch(
        /the "succeeded" notification was not sent: (.*Unknown Webhook|no answer within 0.15s)/,
      );
      expect(warnings[1]).toContain('ydeploy notify test --env test');
      // Two notifications, each held to the timeout (the started one beside the steps).
      expect(performance.now() - started).toBeLessThan(3_000);
    }
  });

  it('a failing postDeploy hook warns; the deployment still succeeded', async () => {
    const { ctx, hooks } = await enhancedWorld();
    hooks.results.set('announce-post', {
      exitCode: undefined,
      timedOut: true,
      error: 'killed after 60s (hooks.timeout)',
    });
    const result = await deploy(ctx, { release: 'v2' });
    expect(result.deploymentId).toBeTruthy();
    expect(ctx.reporter.text()).toContain(
      "⚠ hook postDeploy failed: killed after 60s (hooks.timeout); the deploy's outcome stands (succeeded)",
    );
    const [entry] = await listJournal(ctx);
    expect(entry!.outcome).toBe('succeeded');
  });

  it('without a webhook parameter nothing is sent and nothing is said', async () => {
    const { ctx, webhook } = await enhancedWorld();
    await ctx.secrets.delete(PARAMETER);
    await deploy(ctx, { release: 'v2' });
    expect(webhook.sent).toEqual([]);
    expect(ctx.reporter.text()).not.toContain('⚠');
  });
});

describe('hooks and notifications around migrate', () => {
  it('names the command and the release legacy serves', async () => {
    const world = new FakeWorld();
    const hooks = new FakeHooks(world);
    const webhook = new FakeWebhook(world);
    const ctx = coreContext(world, { hooks, webhook });
    ctx.env = { ...ctx.env, hooks: HOOKS };
    await ctx.secrets.putSecure(PARAMETER, WEBHOOK);
    world.withLegacy('v0');
    const desired = {
      ...emptyDesired(ctx.env),
      enable_legacy_instance: true,
      use_private_subnet: false,
      release_version: 'v0',
      legacy_release_version: 'v0',
    };
    await world.terraform.apply({ varFiles: [await world.writeVarFile(desired)] });
    await ctx.store.put(keys.desired('test'), JSON.stringify(desired));
    world.discord.seed(EXAMPLE_COMMANDS);

    await migrate(ctx, {});
    expect(hooks.runs.map((r) => [r.command, r.env.YDEPLOY_COMMAND, r.env.YDEPLOY_RELEASE])).toEqual([
      ['check-pre', 'migrate', 'v0'],
      ['announce-post', 'migrate', 'v0'],
    ]);
    expect(webhook.titles()).toEqual(['🚀 migrate started · test', '✅ migrate succeeded · test']);
  });
});
