import { describe, expect, it } from 'vitest';
import { migrate } from '../../../../cli/core/flows/migrate.js';
import { emptyDesired } from '../../../../cli/core/desired/state.js';
import { keys } from '../../../../cli/core/storage.js';
import { ExitCode, UserError } from '../../../../cli/errors.js';
import { coreContext, FakeWorld, type TestContext } from '../../../_helpers/fakes.js';

async function legacyWorld(): Promise<{ world: FakeWorld; ctx: TestContext }> {
  const world = new FakeWorld();
  world.withLegacy('v0');
  const ctx = coreContext(world);
  await ctx.store.put(
    keys.desired('test'),
    JSON.stringify({
      ...emptyDesired(ctx.env),
      enable_legacy_instance: true,
      legacy_release_version: 'v0',
      use_private_subnet: false,
    }),
  );
  return { world, ctx };
}

const journalOf = (ctx: TestContext) => {
  const key = [...ctx.store.objects.keys()].find((k) => k.startsWith('ydeploy/test/journal/'))!;
  return ctx.store.json<{
    outcome: string;
    steps: { id: string; outcome: string }[];
    recovered?: boolean;
    state: Record<string, unknown>;
  }>(key)!;
};

describe('migrate', () => {
  it("runs the guide's three steps in order and never leaves a moment with nobody serving", async () => {
    const { world, ctx } = await legacyWorld();
    const result = await migrate(ctx, {});
    expect(world.violations).toEqual([]);
    expect(world.timeline).toEqual([
      'apply',
      'launch i-0002 enhanced v0 standby',
      'healthy i-0002',
      'step-down i-0001',
      'activate i-0002',
      'apply',
      'terminate i-0001',
    ]);
    const desired = ctx.store.json<Record<string, unknown>>(keys.desired('test'))!;
    expect(desired).toMatchObject({
      enable_legacy_instance: false,
      enable_enhanced_instance: true,
      use_private_subnet: true,
      release_version: 'v0',
    });
    expect(journalOf(ctx).steps.map((s) => `${s.id}:${s.outcome}`)).toEqual([
      'enable-enhanced:succeeded',
      'gate-enhanced:succeeded',
      'handoff:succeeded',
      'sync-commands:succeeded',
      'disable-legacy:succeeded',
    ]);
    expect(journalOf(ctx).outcome).toBe('succeeded');
    expect(result.state.gate).toMatchObject({ instanceId: 'i-0002', startingSeen: true, role: 'standby' });
    expect(result.state.gate!.readinessSeconds).toBeGreaterThanOrEqual(3);
    // the lock is gone
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
  });

  it("passes desired.json as the last -var-file, after the config's own", async () => {
    const { world, ctx } = await legacyWorld();
    ctx.env.terraform.varFiles = ['/repo/extra.tfvars'];
    const files: string[][] = [];
    const apply = world.terraform.apply;
    ctx.terraform = { ...world.terraform, apply: (o) => (files.push(o?.varFiles ?? []), apply(o)) };
    await migrate(ctx, {});
    expect(files[0][0]).toBe('/repo/extra.tfvars');
    expect(files[0][1]).toMatch(/desired-\d+\.tfvars\.json$/);
    expect(world.applies[0]).toMatchObject({
      enable_legacy_instance: true,
      enable_enhanced_instance: true,
      use_private_subnet: true,
    });
  });

  it('a gate failure removes enhanced, keeps legacy serving and exits 4 naming the check', async () => {
    const { world, ctx } = await legacyWorld();
    world.faultsFor.set('v0', ['never-healthy']);
    const error = await migrate(ctx, {}).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.message).toContain('health gate failed for enhanced (i-0002) at "/health"');
    expect(error.why).toContain('still "starting"');
    expect(error.details.lastHealthBody).toContain('"status":"starting"');
    expect(world.byRole('legacy')!.role).toBe('active');
    expect(world.byRole('enhanced')).toBeUndefined();
    expect(world.violations).toEqual([]);
    expect(journalOf(ctx)).toMatchObject({ outcome: 'failed', recovered: true });
    expect(journalOf(ctx).steps.map((s) => `${s.id}:${s.outcome}`)).toEqual([
      'enable-enhanced:succeeded',
      'gate-enhanced:failed',
      'remove-enhanced:succeeded',
    ]);
    expect(ctx.store.json(keys.desired('test'))).toMatchObject({
      enable_legacy_instance: true,
      enable_enhanced_instance: false,
    });
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
  });

  it('a health body that is not the contract fails the gate at once, clearly', async () => {
    const { world, ctx } = await legacyWorld();
    world.faultsFor.set('v0', ['bad-body']);
    const error = await migrate(ctx, {}).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.why).toBe(
      'the health endpoint answered HTTP 200 with a body that is not the contract (the body is not JSON)',
    );
    expect(world.byRole('legacy')).toBeDefined();
  });

  it.each([
    ['unhealthy', 'the bot reports "unhealthy": Discord rejected the token (4004)'],
    ['no-discord', 'no answer from https://discord.com/api/v10/gateway'],
    ['no-logs', 'no events in /ec2/ydeploy-test-logs/i-0002-bot and /ec2/ydeploy-test-logs/i-0002-health'],
  ] as const)('gate fault %s: exit 4 with the reason, legacy kept', async (fault, why) => {
    const { world, ctx } = await legacyWorld();
    world.faultsFor.set('v0', [fault]);
    const error = await migrate(ctx, {}).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.why).toContain(why);
    expect(world.byRole('legacy')!.role).toBe('active');
    expect(world.violations).toEqual([]);
  });

  it('without a legacy instance it points to deploy', async () => {
    const world = new FakeWorld();
    const ctx = coreContext(world);
    const error = await migrate(ctx, {}).catch((e) => e);
    expect(error.code).toBe(ExitCode.usage);
    expect(error.message).toBe(
      'no legacy instance in test to migrate from: desired.json enables no legacy instance and none is running',
    );
    expect(error.fix).toBe('ydeploy deploy --env test (deploys enhanced directly)');
  });

  it('finds legacy from EC2 when desired.json is absent', async () => {
    const world = new FakeWorld();
    world.withLegacy('v0');
    const ctx = coreContext(world);
    await migrate(ctx, {});
    expect(world.byRole('enhanced', 'v0')!.role).toBe('active');
    expect(world.byRole('legacy')).toBeUndefined();
  });

  it('refuses to destroy legacy without a terminal and without --yes, before changing anything', async () => {
    const { world, ctx } = await legacyWorld();
    ctx.yes = false;
    const error = await migrate(ctx, {}).catch((e) => e);
    expect(error.code).toBe(ExitCode.usage);
    expect(error.fix).toBe('ydeploy migrate --env test --yes');
    expect(world.applies).toEqual([]);
    expect(ctx.store.objects.has(keys.lock('test'))).toBe(false);
  });

  it('asks before destroying legacy on a terminal; "no" keeps both', async () => {
    const world = new FakeWorld();
    world.withLegacy('v0');
    const ctx = coreContext(world, { interactive: true, answer: false, yes: false });
    const error = await migrate(ctx, {}).catch((e) => e);
    expect(ctx.reporter.questions[0]).toMatch(
      /^Enhanced i-0002 passed the health gate and serves\. Destroy the legacy instance i-0001\?$/,
    );
    expect(error.message).toBe('legacy was kept: you answered no; both instances run and enhanced serves');
    expect(world.byRole('legacy')).toBeDefined();
    expect(world.byRole('enhanced')!.role).toBe('active');
  });

  it('--step 1 only enables both; --step 3 gates, hands off and disables legacy', async () => {
    const { world, ctx } = await legacyWorld();
    await migrate(ctx, { step: 1 });
    expect(world.timeline).toEqual(['apply', 'launch i-0002 enhanced v0 standby']);
    await migrate(ctx, { step: 3 });
    expect(world.timeline.slice(2)).toEqual([
      'healthy i-0002',
      'step-down i-0001',
      'activate i-0002',
      'apply',
      'terminate i-0001',
    ]);
    expect(world.violations).toEqual([]);
  });

  it("--step 3 after --step 2 hands over on step 2's gate report instead of gating again", async () => {
    const { world, ctx } = await legacyWorld();
    await migrate(ctx, { step: 1 });
    await migrate(ctx, { step: 2 });
    expect(world.timeline).toContain('healthy i-0002');
    let healthProbes = 0;
    const run = ctx.remote.run.bind(ctx.remote);
    ctx.remote = {
      ...ctx.remote,
      run: (id, commands, options) => (
        (healthProbes += Number(commands.join(' ').includes('/health'))),
        run(id, commands, options)
      ),
    };
    await migrate(ctx, { step: 3 });
    expect(healthProbes).toBe(0);
    expect(world.timeline.slice(-4)).toEqual(['step-down i-0001', 'activate i-0002', 'apply', 'terminate i-0001']);
    expect(world.violations).toEqual([]);
  });

  it('--dry-run plans each apply, says what each step would do and changes nothing', async () => {
    const { world, ctx } = await legacyWorld();
    const result = await migrate(ctx, { dryRun: true });
    expect(result.dryRun!.map((s) => s.id)).toEqual([
      'enable-enhanced',
      'gate-enhanced',
      'handoff',
      'sync-commands',
      'disable-legacy',
    ]);
    expect(result.dryRun![0].wouldRun).toContain('plan: +1 ~0 -0');
    expect(result.dryRun![0].wouldRun).toContain('create aws_instance.enhanced:v0');
    expect(world.applies).toEqual([]);
    expect(world.plans).toHaveLength(2);
    expect(ctx.store.writes.filter((w) => !w.includes('desired.json') || true)).toEqual([
      'put ydeploy/test/desired.json',
    ]);
  });
});
