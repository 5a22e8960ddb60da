import { describe, expect, it } from 'vitest';
import { probeHealth, readProbeOutput } from '../../../cli/inspect/health.js';
import { parseSelector, select } from '../../../cli/inspect/targets.js';
import { FakeRemote, healthAnswer, healthyBody, instance } from './fakes.js';
import { UsageError, UserError } from '../../../cli/errors.js';

describe("readProbeOutput (the gate's script and contract, in status terms)", () => {
  it('reads a healthy body with its role and the response time', () => {
    const r = readProbeOutput(`${JSON.stringify(healthyBody('standby'))}\n200 0.004`);
    expect(r).toMatchObject({ state: 'healthy', httpStatus: 200, botRole: 'standby', responseMs: 4 });
    expect(r.body?.discord?.ping).toBe(42);
  });

  it('reads starting, unhealthy and stopping with their reasons', () => {
    expect(readProbeOutput('{"status":"starting","timestamp":"t"}\n503').state).toBe('starting');
    expect(readProbeOutput('{"status":"unhealthy","timestamp":"t","reason":"bot process died"}\n503')).toMatchObject({
      state: 'unhealthy',
      reason: 'bot process died',
    });
    expect(readProbeOutput('{"status":"stopping","timestamp":"t"}\n503').state).toBe('stopping');
  });

  it('says down when nothing answered on the port', () => {
    expect(readProbeOutput('\n000 0.000')).toMatchObject({
      state: 'down',
      reason: 'nothing answered on the health port',
    });
  });

  it('rejects answers that break the contract', () => {
    expect(readProbeOutput('<html>oops</html>\n502').state).toBe('invalid');
    expect(readProbeOutput('{"status":"great","timestamp":"t"}\n200')).toMatchObject({
      state: 'invalid',
      reason: expect.stringContaining('status'),
    });
    expect(readProbeOutput('{"status":"healthy","timestamp":"t"}\n503')).toMatchObject({
      state: 'invalid',
      httpStatus: 503,
    });
    expect(readProbeOutput('{"status":"starting","timestamp":"t"}\n200').state).toBe('invalid');
  });
});

describe('probeHealth', () => {
  const options = { port: 3000, path: '/health', timeoutMs: 200 };

  it('probes through SSM', async () => {
    const remote = new FakeRemote((id) => healthAnswer(id, 200, healthyBody()));
    const probe = await probeHealth(remote, instance('i-a', 'enhanced'), options);
    expect(probe).toMatchObject({ instanceId: 'i-a', kind: 'enhanced', state: 'healthy', botRole: 'active' });
    expect(remote.calls[0].commands[0]).toContain('/health');
  });

  it('reports an instance SSM cannot reach as unreachable, within the timeout', async () => {
    // The remote never answers: the probe settling at all, with this reason, is its timeout firing.
    const remote = new FakeRemote(() => new Promise(() => {}));
    const probe = await probeHealth(remote, instance('i-a', 'legacy'), options);
    expect(probe).toMatchObject({ state: 'unreachable', reason: 'no answer through SSM within 0.2s' });
  });

  it('reports SSM failures as unreachable', async () => {
    const failed = new FakeRemote((id) => ({
      instanceId: id,
      status: 'Undeliverable',
      exitCode: -1,
      stdout: '',
      stderr: 'agent offline',
    }));
    expect(await probeHealth(failed, instance('i-a', 'legacy'), options)).toMatchObject({
      state: 'unreachable',
      reason: 'SSM command Undeliverable: agent offline',
    });
    const thrown = new FakeRemote(() => Promise.reject(new Error('cannot send a command to i-a: InvalidInstanceId')));
    expect(await probeHealth(thrown, instance('i-a', 'legacy'), options)).toMatchObject({
      state: 'unreachable',
      reason: expect.stringContaining('InvalidInstanceId'),
    });
  });

  it('stops on Ctrl-C instead of reporting unreachable', async () => {
    const controller = new AbortController();
    const remote = new FakeRemote(() => new Promise(() => {}));
    const probing = probeHealth(remote, instance('i-a', 'legacy'), {
      ...options,
      timeoutMs: 5000,
      signal: controller.signal,
    });
    controller.abort(new Error('interrupted'));
    await expect(probing).rejects.toThrow('interrupted');
  });
});

describe('targets', () => {
  const all = [instance('i-1', 'legacy'), instance('i-2', 'enhanced'), instance('i-3', 'enhanced')];
  it('selects by kind, by id, or all', () => {
    expect(select(all, parseSelector('enhanced'), 'test').map((i) => i.id)).toEqual(['i-2', 'i-3']);
    expect(select(all, parseSelector('i-1'), 'test').map((i) => i.id)).toEqual(['i-1']);
    expect(select(all, parseSelector(undefined), 'test')).toHaveLength(3);
  });
  it('names what exists when nothing matches, and rejects nonsense', () => {
    expect(() => select([all[0]], parseSelector('enhanced'), 'test', 4)).toThrow(UserError);
    try {
      select([all[0]], parseSelector('enhanced'), 'test', 4);
    } catch (error) {
      expect((error as UserError).message).toBe('no enhanced instance in test: its instances: legacy i-1');
      expect((error as UserError).code).toBe(4);
    }
    expect(() => parseSelector('blue')).toThrow(UsageError);
  });
});
