import { testEnv } from '../../_helpers/fakes.js';
import { CredentialsError } from '../../../cli/errors.js';
import { describe, expect, it } from 'vitest';
import { classifyAlarm, MonitorState, runMonitor } from '../../../cli/inspect/monitor.js';
import type { HealthProbe } from '../../../cli/inspect/health.js';
import { FakeAlarms, FakeClock, FakeInstances, FakeRemote, healthAnswer, healthyBody, instance } from './fakes.js';

const probe = (state: HealthProbe['state'], id = 'i-a'): HealthProbe => ({
  instanceId: id,
  kind: 'enhanced',
  state,
  latencyMs: 10,
  at: 0,
});
const MIN = 60_000;

describe('MonitorState: health failures > 3 in 5 minutes', () => {
  it('alerts on the fourth failure within 5 minutes, once', () => {
    const m = new MonitorState();
    const alerts = [0, 1, 2, 3, 4].flatMap((n) => m.observeProbes([probe('unhealthy')], n * MIN));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'health', subject: 'i-a' });
    expect(alerts[0].message).toContain('4 failed health probes within 5 minutes');
  });

  it('does not alert on 3 failures, nor on failures spread beyond 5 minutes', () => {
    const m = new MonitorState();
    expect([0, 1, 2].flatMap((n) => m.observeProbes([probe('down')], n * MIN))).toEqual([]);
    const spread = new MonitorState();
    expect([0, 2, 4, 6, 8, 10].flatMap((n) => spread.observeProbes([probe('down')], n * MIN))).toEqual([]);
  });

  it('re-arms once the window has cleared', () => {
    const m = new MonitorState();
    for (let n = 0; n < 4; n++) m.observeProbes([probe('unreachable')], n * 10_000);
    for (let n = 0; n < 10; n++) m.observeProbes([probe('healthy')], 6 * MIN + n * MIN);
    const again = [0, 1, 2, 3].flatMap((n) => m.observeProbes([probe('unreachable')], 20 * MIN + n * 10_000));
    expect(m.alerts).toHaveLength(2);
    expect(again).toHaveLength(1);
  });

  it('counts per instance and treats no running instance as a failure', () => {
    const m = new MonitorState();
    for (let n = 0; n < 4; n++) m.observeProbes([probe('unhealthy', 'i-a'), probe('healthy', 'i-b')], n * 1000);
    expect(m.alerts.map((a) => a.subject)).toEqual(['i-a']);
    const empty = new MonitorState();
    for (let n = 0; n < 4; n++) empty.observeProbes([], n * 1000);
    expect(empty.alerts.map((a) => a.subject)).toEqual(['environment']);
  });
});

describe('MonitorState: alarms', () => {
  it('classifies the module alarms by the guide thresholds', () => {
    expect(classifyAlarm({ name: 'ydeploy-prod-cpu-high-enhanced-v2' })).toBe('cpu');
    expect(classifyAlarm({ name: 'ydeploy-prod-memory-high-legacy' })).toBe('memory');
    expect(classifyAlarm({ name: 'ydeploy-prod-nat-errors' })).toBe('nat');
    expect(classifyAlarm({ name: 'ydeploy-prod-health-failures' })).toBe('health');
    expect(classifyAlarm({ name: 'x', metric: 'CPUUtilization' })).toBe('cpu');
    expect(classifyAlarm({ name: 'ydeploy-prod-disk' })).toBe('alarm');
    // A NAT instance's alarms are not the bot's CPU or health, nor the NAT gateway's error rate.
    expect(classifyAlarm({ name: 'ydeploy-prod-nat-instance-credits', metric: 'CPUCreditBalance' })).toBe('alarm');
    expect(classifyAlarm({ name: 'ydeploy-prod-nat-instance-recover', metric: 'StatusCheckFailed_System' })).toBe(
      'alarm',
    );
  });

  it('alerts when an alarm enters ALARM, not again while it stays there', () => {
    const m = new MonitorState();
    const cpu = (state: 'OK' | 'ALARM') => [{ name: 'p-e-cpu-high-x', state }];
    expect(m.observeAlarms(cpu('OK'), 0)).toEqual([]);
    const fired = m.observeAlarms(cpu('ALARM'), 1);
    expect(fired).toHaveLength(1);
    expect(fired[0].message).toContain('CPU > 80% for 10 minutes');
    expect(m.observeAlarms(cpu('ALARM'), 2)).toEqual([]);
    m.observeAlarms(cpu('OK'), 3);
    expect(m.observeAlarms(cpu('ALARM'), 4)).toHaveLength(1);
  });
});

const env = { ...testEnv('test'), health: { ...testEnv('test').health, pollInterval: 10, gateTimeout: 1000 } };

describe('runMonitor', () => {
  it('probes every interval for the duration, reads alarms, and sums up', async () => {
    const clock = new FakeClock();
    let n = 0;
    const remote = new FakeRemote((id) =>
      ++n >= 3 && n <= 7
        ? healthAnswer(id, 503, { status: 'unhealthy', timestamp: 't', reason: 'lost Discord' })
        : healthAnswer(id, 200, healthyBody()),
    );
    const alarms = new FakeAlarms([
      { name: 'ydeploy-test-nat-errors', state: 'ALARM', reason: 'Threshold Crossed' },
      { name: 'other-test-cpu', state: 'ALARM' },
    ]);
    const rounds: number[] = [];
    const alerts: string[] = [];
    const summary = await runMonitor(
      {
        env,
        instances: new FakeInstances([instance('i-a', 'enhanced', { environment: 'test' })]),
        remote,
        alarms,
        clock,
      },
      { durationMs: 10 * MIN, intervalMs: MIN },
      { onRound: ({ at }) => rounds.push(at), onAlert: (a) => alerts.push(a.kind) },
    );
    expect(rounds).toHaveLength(10);
    expect(alerts).toEqual(['nat', 'health']);
    expect(summary).toMatchObject({ rounds: 10, interrupted: false, seconds: 600 });
    expect(summary.instances[0]).toMatchObject({
      id: 'i-a',
      probes: 10,
      healthy: 5,
      availability: 50,
      medianDiscordPingMs: 42,
    });
    expect(summary.alarms).toEqual([{ name: 'ydeploy-test-nat-errors', kind: 'nat', state: 'ALARM' }]);
  });

  it('stops on Ctrl-C with a summary', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const remote = new FakeRemote((id) => healthAnswer(id, 200, healthyBody()));
    let rounds = 0;
    const summary = await runMonitor(
      {
        env,
        instances: new FakeInstances([instance('i-a', 'enhanced', { environment: 'test' })]),
        remote,
        alarms: new FakeAlarms(),
        clock,
        signal: controller.signal,
      },
      { durationMs: 24 * 60 * MIN, intervalMs: MIN },
      { onRound: () => ++rounds === 3 && controller.abort() },
    );
    expect(summary).toMatchObject({ interrupted: true, rounds: 3, alerts: [] });
  });

  it('counts the rounds it could not read: a watch that saw nothing is not a healthy one', async () => {
    const instances = new FakeInstances([instance('i-a', 'enhanced', { environment: 'test' })]);
    let n = 0;
    const list = instances.list.bind(instances);
    instances.list = (environment) =>
      ++n <= 2 ? Promise.reject(new Error('cannot list EC2 instances: throttled')) : list(environment);
    const alarms = new FakeAlarms();
    alarms.list = () => Promise.reject(new Error('cannot read CloudWatch alarms: AccessDenied'));
    const errors: string[] = [];
    const summary = await runMonitor(
      {
        env,
        instances,
        remote: new FakeRemote((id) => healthAnswer(id, 200, healthyBody())),
        alarms,
        clock: new FakeClock(),
      },
      { durationMs: 5 * MIN, intervalMs: MIN },
      { onError: (what) => errors.push(what) },
    );
    expect(summary).toMatchObject({ rounds: 3, alerts: [], unreadRounds: 5 });
    expect(errors.filter((e) => e === 'cannot list instances')).toHaveLength(2);
  });

  it('without AWS credentials stops at once with the error instead of watching nothing for a day', async () => {
    const missing = () =>
      Promise.reject(new CredentialsError('cannot list EC2 instances', 'no AWS credentials were found', 'missing'));
    const clock = new FakeClock();
    const error = await runMonitor(
      {
        env,
        instances: { list: missing, describe: missing, stop: missing },
        remote: new FakeRemote(() => new Promise(() => {})),
        alarms: { list: missing },
        clock,
      },
      { durationMs: 24 * 60 * MIN, intervalMs: MIN },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect(clock.now() - Date.parse('2026-11-26T10:00:00Z')).toBe(0);
  });
});
