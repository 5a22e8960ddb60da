import { describe, expect, it } from 'vitest';
import { handoff } from '../../../../cli/core/handoff/handoff.js';
import { ExitCode } from '../../../../cli/errors.js';
import { coreContext, FakeWorld } from '../../../_helpers/fakes.js';

function pair() {
  const world = new FakeWorld();
  const old = world.withLegacy('v0');
  const next = world.withLegacy('v1');
  next.role = 'standby';
  return { world, old, next, ctx: coreContext(world) };
}

describe('handoff', () => {
  it('steps the old bot down, confirms it, then activates the new one after its last event', async () => {
    const { world, old, next, ctx } = pair();
    old.lastEventAt = '1311000000000000000';
    const report = await handoff(ctx, old.instance, next.instance);
    expect(report).toMatchObject({
      from: old.instance.id,
      to: next.instance.id,
      after: '1311000000000000000',
      oldUnreachable: false,
    });
    expect(world.commands.map((c) => `${c.instanceId} ${c.script.split('botctl.mjs" ')[1]}`)).toEqual([
      'i-0001 step-down',
      'i-0001 status',
      "i-0002 activate --after '1311000000000000000'",
    ]);
    expect([old.role, next.role]).toEqual(['standby', 'active']);
  });

  it('an unreachable old bot: the new one activates with --force after the documented grace', async () => {
    const { world, old, next, ctx } = pair();
    old.faults.add('unreachable');
    const started = world.clock.now();
    const report = await handoff(ctx, old.instance, next.instance);
    expect(report.oldUnreachable).toBe(true);
    expect(world.clock.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(world.timeline.at(-1)).toBe('activate i-0002 --force');
  });

  it('refuses an old instance whose step-down "after" is not digits; the old bot answers again', async () => {
    const { world, old, next, ctx } = pair();
    old.lastEventAt = '1; touch /tmp/owned';
    const error = await handoff(ctx, old.instance, next.instance).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.message).toBe(
      'refusing to activate i-0002: i-0001 stepped down with "after" "1; touch /tmp/owned", not a snowflake id or a timestamp; i-0001 answers again',
    );
    expect(error.fix).toBe('ydeploy doctor --instance i-0001');
    expect(world.commands.filter((c) => c.instanceId === next.instance.id)).toEqual([]);
    expect([old.role, next.role]).toEqual(['active', 'standby']);
  });

  it('refuses to promote while the old bot still reports active', async () => {
    const { old, next, ctx } = pair();
    old.stuckActive = true;
    const error = await handoff(ctx, old.instance, next.instance).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.message).toBe(
      'refusing to activate i-0002: another instance still reports active: step it down first',
    );
    expect(error.fix).toBe('ydeploy doctor --instance i-0001');
    expect(next.role).toBe('standby');
  });
});
