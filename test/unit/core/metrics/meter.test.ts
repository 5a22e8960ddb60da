import { describe, expect, it } from 'vitest';
import { Meter, meterPorts, meterReporter } from '../../../../cli/core/metrics/meter.js';
import { FakeClock, FakeReporter, FakeWorld, MemoryStore } from '../../../_helpers/fakes.js';

describe('meter: where a command’s wall time goes', () => {
  it('counts overlapping waits once, terraform apart, and the rest as ydeploy’s own', () => {
    const clock = new FakeClock();
    const meter = new Meter(clock);
    clock.advance(1000); // own
    const a = meter.begin('external');
    clock.advance(500);
    const b = meter.begin('external'); // overlaps a: counted once
    clock.advance(500);
    a();
    clock.advance(250);
    b();
    clock.advance(2000); // own
    const tf = meter.begin('terraform');
    clock.advance(3000);
    const renewal = meter.begin('external'); // a lock renewal during the apply is terraform's time
    clock.advance(100);
    renewal();
    renewal(); // closing twice changes nothing
    clock.advance(900);
    tf();
    expect(meter.totals()).toEqual({ totalMs: 8250, terraformMs: 4000, waitingMs: 1250, ownMs: 3000 });
  });

  it('an interval still open counts up to now', () => {
    const clock = new FakeClock();
    const meter = new Meter(clock);
    meter.begin('terraform');
    clock.advance(700);
    expect(meter.totals()).toMatchObject({ terraformMs: 700, ownMs: 0 });
  });

  it('times port calls (promises, paged reads, terraform through withReporter) but not the clock', async () => {
    const world = new FakeWorld();
    const meter = new Meter(world.clock);
    const store = new MemoryStore('state');
    const slowStore = Object.assign(store, {
      get: async (key: string) => {
        await world.clock.sleep(300);
        return MemoryStore.prototype.get.call(store, key);
      },
    });
    const ports = meterPorts(
      { store: slowStore, terraform: world.terraform, logs: world.logs, clock: world.clock },
      meter,
    );
    expect(ports.clock).toBeUndefined();
    expect(ports.store!.bucket).toBe('state');
    await ports.store!.get('nothing');
    await ports.terraform!.withReporter(new FakeReporter()).apply({});
    for await (const page of ports.logs!.pages({ group: 'g', streams: [] })) expect(page).toEqual([]);
    await world.clock.sleep(1000); // not a port call: ydeploy's own (or a marked section's) time
    expect(meter.totals()).toEqual({ totalMs: 21_300, terraformMs: 20_000, waitingMs: 300, ownMs: 1000 });
  });

  it('a port call that fails is timed too', async () => {
    const clock = new FakeClock();
    const meter = new Meter(clock);
    const store = Object.assign(new MemoryStore('state'), {
      put: async () => {
        await clock.sleep(200);
        throw new Error('AccessDenied');
      },
    });
    const { store: metered } = meterPorts({ store }, meter);
    await expect(metered!.put('k', 'v')).rejects.toThrow('AccessDenied');
    expect(meter.totals()).toMatchObject({ waitingMs: 200, ownMs: 0 });
  });

  it('the operator’s answer to a prompt is waiting; the reporter’s other calls pass through', async () => {
    const clock = new FakeClock();
    const meter = new Meter(clock);
    const inner = new FakeReporter(true, true);
    const confirm = inner.confirm.bind(inner);
    inner.confirm = async (question: string) => {
      await clock.sleep(5000);
      return confirm(question);
    };
    const reporter = meterReporter(inner, meter);
    expect(await reporter.confirm('Destroy?')).toBe(true);
    reporter.info('hello');
    expect(inner.text()).toContain('hello');
    expect(reporter.interactive).toBe(true);
    expect(meter.totals()).toMatchObject({ waitingMs: 5000, ownMs: 0 });
  });
});
