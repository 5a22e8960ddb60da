import { describe, expect, it } from 'vitest';
import { handoff } from '../../../../cli/core/handoff/handoff.js';
import { withLock } from '../../../../cli/core/lock/lock.js';
import { ExitCode, InterruptedError } from '../../../../cli/errors.js';
import type { RemoteExec } from '../../../../cli/ports.js';
import { coreContext, FakeWorld } from '../../../_helpers/fakes.js';

function pair() {
  const world = new FakeWorld();
  const old = world.withLegacy('v0');
  const next = world.withLegacy('v1');
  next.role = 'standby';
  return { world, old, next, ctx: coreContext(world) };
}

/**
 * The world's Run Command, but as the real adapter does it: a call given an aborted signal
 * rejects with its reason; `after(script)` runs once a script has been run (to press Ctrl-C).
 */
function abortable(world: FakeWorld, after: (script: string) => void): RemoteExec {
  return {
    online: world.remote.online,
    run: async (instanceId, commands, options) => {
      if (options?.signal?.aborted) throw options.signal.reason;
      const result = await world.remote.run(instanceId, commands, options);
      after(commands.join('\n'));
      return result;
    },
  };
}

/** The bots that would answer a command now: healthy, active, on a running instance. */
function answering(world: FakeWorld): string[] {
  return world.active().map((b) => b.instance.id);
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

  it('an unreachable old bot: its instance is stopped (fenced), then the new one activates with --force within 1 s of EC2 confirming it', async () => {
    const { world, old, next, ctx } = pair();
    old.faults.add('unreachable');
    const started = world.clock.now();
    const report = await handoff(ctx, old.instance, next.instance);
    expect(report).toMatchObject({ oldUnreachable: true, fenced: true });
    expect(world.timeline).toEqual(['stop i-0001', 'stopped i-0001', 'activate i-0002 --force']);
    // A stopped instance runs nothing: the short grace only, so the new bot activates while the
    // interactions that arrived after the old bot died are still inside Discord's 3 s window.
    const elapsed = world.clock.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(world.stopMs + 1000);
    expect(elapsed).toBeLessThanOrEqual(world.stopMs + 1000 + 1000); // + the fence's 1 s poll
    expect(ctx.reporter.text()).toContain('i-0001 is stopped; activating i-0002 after 1s');
    expect(old.instance.state).toBe('stopped');
    expect(answering(world)).toEqual([next.instance.id]);
    expect(world.violations).toEqual([]);
  });

  it('an unreachable old instance that does not stop in time: the new one is not activated (exit 4)', async () => {
    const { world, old, next, ctx } = pair();
    old.faults.add('unreachable');
    old.faults.add('stop-hangs');
    const started = world.clock.now();
    const error = await handoff(ctx, old.instance, next.instance).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.message).toBe(
      'refusing to activate i-0002: i-0001 cannot be reached through SSM and is still stopping 180s after EC2 was asked to stop it, so its bot may still answer',
    );
    expect(error.fix).toBe(
      'stop it yourself (aws ec2 stop-instances --instance-ids i-0001 --region us-east-1; add --force if it hangs), then run the same ydeploy command again',
    );
    expect(world.clock.now() - started).toBeGreaterThanOrEqual(180_000);
    expect(world.commands.filter((c) => c.instanceId === next.instance.id)).toEqual([]);
    expect(next.role).toBe('standby');
  });

  it('an unreachable old instance EC2 refuses to stop: the new one is not activated (exit 4)', async () => {
    const { world, old, next, ctx } = pair();
    old.faults.add('unreachable');
    ctx.instances = {
      ...world.instances,
      stop: async () => {
        throw new Error('UnauthorizedOperation: not allowed to ec2:StopInstances');
      },
    };
    const error = await handoff(ctx, old.instance, next.instance).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.why).toBe(
      'i-0001 cannot be reached through SSM and EC2 did not stop it (UnauthorizedOperation: not allowed to ec2:StopInstances), so its bot may still answer',
    );
    expect(next.role).toBe('standby');
  });

  it('an old instance already stopped is fenced without a stop request', async () => {
    const { world, old, next, ctx } = pair();
    old.faults.add('unreachable');
    old.instance.state = 'stopped';
    const started = world.clock.now();
    const report = await handoff(ctx, old.instance, next.instance);
    expect(report).toMatchObject({ oldUnreachable: true, fenced: true });
    expect(world.timeline).toEqual(['activate i-0002 --force']);
    // Not stopped by this run: the longer grace for an old instance found down.
    expect(world.clock.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(ctx.reporter.text()).toContain('i-0001 is already down; activating i-0002 after 10s');
  });

  it('a first Ctrl-C between step-down and activate: the handoff finishes, and exactly one bot answers', async () => {
    const { world, old, next, ctx } = pair();
    old.lastEventAt = '1311000000000000000';
    ctx.remote = abortable(world, (script) => {
      if (script.includes('step-down')) ctx.abort.abort(new InterruptedError('SIGINT received'));
    });
    const report = await handoff(ctx, old.instance, next.instance);
    expect(report).toMatchObject({ to: next.instance.id, after: '1311000000000000000', interrupted: true });
    expect([old.role, next.role]).toEqual(['standby', 'active']);
    expect(answering(world)).toEqual([next.instance.id]);
    expect(ctx.reporter.text()).toContain('Ctrl-C: finishing the handoff first');
    expect(ctx.reporter.text()).toContain('the handoff finished before stopping: i-0002 answers, i-0001 does not');
  });

  it('a first Ctrl-C, then the new bot fails to activate: the old one answers again', async () => {
    const { world, old, next, ctx } = pair();
    old.stuckActive = true;
    ctx.remote = abortable(world, (script) => {
      if (script.includes('step-down')) ctx.abort.abort(new InterruptedError('SIGINT received'));
    });
    const error = await handoff(ctx, old.instance, next.instance).catch((e) => e);
    expect(error.code).toBe(ExitCode.healthGate);
    expect(error.why).toBe('another instance still reports active: step it down first; i-0001 answers again');
    expect([old.role, next.role]).toEqual(['active', 'standby']);
    expect(answering(world)).toEqual([old.instance.id]);
  });

  it('a first Ctrl-C while an unreachable old instance is being stopped: fencing and activation finish', async () => {
    const { world, old, next, ctx } = pair();
    old.faults.add('unreachable');
    ctx.instances = {
      ...world.instances,
      stop: async (id) => {
        await world.instances.stop(id);
        ctx.abort.abort(new InterruptedError('SIGINT received'));
      },
    };
    const report = await handoff(ctx, old.instance, next.instance);
    expect(report).toMatchObject({ fenced: true, interrupted: true });
    expect(answering(world)).toEqual([next.instance.id]);
  });

  it('a Ctrl-C before the handoff starts changes nothing', async () => {
    const { world, old, next, ctx } = pair();
    ctx.abort.abort(new InterruptedError('SIGINT received'));
    await expect(handoff(ctx, old.instance, next.instance)).rejects.toBeInstanceOf(InterruptedError);
    expect(world.commands).toEqual([]);
    expect([old.role, next.role]).toEqual(['active', 'standby']);
  });

  it('a run whose deployment lock went stale does not hand over: no bot is touched (exit 5)', async () => {
    const { world, old, next, ctx } = pair();
    const error = await withLock(ctx, { command: 'deploy' }, async () => {
      // The run was frozen past its lock's ttl: another run may be handing over by now.
      world.clock.advance(100_000);
      return handoff(ctx, old.instance, next.instance);
    }).catch((e: unknown) => e);
    expect((error as { code: number }).code).toBe(ExitCode.locked);
    expect(world.commands).toEqual([]);
    expect([old.role, next.role]).toEqual(['active', 'standby']);
  });

  it('a second Ctrl-C stops the handoff at once', async () => {
    const { world, old, next, ctx } = pair();
    const kill = new AbortController();
    ctx.killSignal = kill.signal;
    ctx.remote = abortable(world, (script) => {
      if (script.includes('step-down')) {
        ctx.abort.abort(new InterruptedError('SIGINT received'));
        kill.abort(new InterruptedError('SIGINT received twice'));
      }
    });
    await expect(handoff(ctx, old.instance, next.instance)).rejects.toThrow('SIGINT received twice');
    expect(next.role).toBe('standby');
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
      'refusing to activate i-0002: another instance still reports active: step it down first; i-0001 answers again',
    );
    expect(error.fix).toBe('ydeploy doctor --instance i-0001');
    expect([old.role, next.role]).toEqual(['active', 'standby']);
  });
});
