// Where a command's wall time goes: inside terraform, waiting on something outside ydeploy, or
// ydeploy's own work. Every port call is an interval of waiting (terraform's are terraform's);
// so are the health gate and the handoff as a whole, whose sleeps between probes are waiting on
// the instance too, and the operator's answer to a prompt. Overlapping intervals (preflight's
// concurrent checks, a lock renewal during an apply) count once, so the three parts always add
// up to the whole. Time is read from the injected clock, so fakes measure virtual time.
import type { Clock, Ports, Reporter } from '../../ports.js';

export type WaitKind = 'terraform' | 'external';

export interface MeterTotals {
  /** From the meter's start (the command's context) to now. */
  totalMs: number;
  /** Inside a terraform call (init, validate, plan, apply, …). */
  terraformMs: number;
  /** Waiting on AWS, Discord, the instances or the operator while terraform did not run. */
  waitingMs: number;
  /** Neither: ydeploy's own work (building the release, its logic, local files). */
  ownMs: number;
}

/** One kind of interval: how many are open, since when, and the closed time so far. */
class Span {
  private open = 0;
  private since = 0;
  private closed = 0;

  begin(now: number): void {
    if (this.open++ === 0) this.since = now;
  }

  end(now: number): void {
    if (--this.open === 0) this.closed += now - this.since;
  }

  /** Closed time plus the interval still open, up to now. */
  at(now: number): number {
    return this.closed + (this.open > 0 ? now - this.since : 0);
  }
}

export class Meter {
  readonly startedAt: number;
  private readonly terraform = new Span();
  /** Any external interval, terraform's included: what is not ydeploy's own time. */
  private readonly external = new Span();

  constructor(private readonly clock: Pick<Clock, 'now'>) {
    this.startedAt = clock.now();
  }

  /** Opens an interval; the returned function closes it (once, however often it is called). */
  begin(kind: WaitKind): () => void {
    const now = this.clock.now();
    this.external.begin(now);
    if (kind === 'terraform') this.terraform.begin(now);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const at = this.clock.now();
      if (kind === 'terraform') this.terraform.end(at);
      this.external.end(at);
    };
  }

  async time<T>(kind: WaitKind, work: () => Promise<T>): Promise<T> {
    const end = this.begin(kind);
    try {
      return await work();
    } finally {
      end();
    }
  }

  totals(): MeterTotals {
    const now = this.clock.now();
    const totalMs = now - this.startedAt;
    const terraformMs = this.terraform.at(now);
    const externalMs = this.external.at(now);
    return { totalMs, terraformMs, waitingMs: externalMs - terraformMs, ownMs: totalMs - externalMs };
  }
}

/** `work` as waiting on something outside ydeploy, when the context is metered. */
export function waiting<T>(ctx: { meter?: Meter }, work: () => Promise<T>): Promise<T> {
  return ctx.meter ? ctx.meter.time('external', work) : work();
}

/**
 * How each port's calls count. The clock is left alone: a sleep is waiting only inside a section
 * marked so (the gate, the handoff), since the lock's renewal sleeps in the background all run.
 */
const PORT_KINDS: Record<keyof Ports, WaitKind | null> = {
  terraform: 'terraform',
  instances: 'external',
  remote: 'external',
  logs: 'external',
  store: 'external',
  releases: 'external',
  buckets: 'external',
  secrets: 'external',
  alarms: 'external',
  metrics: 'external',
  usage: 'external',
  prices: 'external',
  identity: 'external',
  network: 'external',
  discord: 'external',
  commandProbe: 'external',
  // A team's hooks and the webhook are outside ydeploy too.
  hooks: 'external',
  webhook: 'external',
  clock: null,
};

/** The ports (of `ports`, which may hold more) with every call timed: terraform's as terraform, the others as waiting. */
export function meterPorts<P extends Partial<Ports>>(ports: P, meter: Meter): Partial<Ports> {
  const metered: Partial<Record<keyof Ports, unknown>> = {};
  for (const name of Object.keys(PORT_KINDS) as (keyof Ports)[]) {
    const port = ports[name];
    const kind = PORT_KINDS[name];
    if (port && typeof port === 'object' && kind) metered[name] = meterObject(port, meter, kind);
  }
  return metered as Partial<Ports>;
}

/** The reporter with its questions timed as waiting: the operator's thinking is not ydeploy's time. */
export function meterReporter(reporter: Reporter, meter: Meter): Reporter {
  return meterObject(reporter, meter, 'external', new Set(['confirm', 'prompt']));
}

function meterObject<T extends object>(target: T, meter: Meter, kind: WaitKind, only?: Set<string>): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      // Methods run on the object itself, never on the proxy (private fields, `this` checks).
      if (only && !only.has(String(key))) return (value as (...a: unknown[]) => unknown).bind(object);
      return (...args: unknown[]) => {
        const end = meter.begin(kind);
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(object, args);
        } catch (error) {
          end();
          throw error;
        }
        if (isThenable(result)) return Promise.resolve(result).finally(end);
        end();
        if (isAsyncIterable(result)) return meterPages(result, meter, kind);
        // terraform.withReporter(): the same terraform, metered the same way.
        if (key === 'withReporter' && result && typeof result === 'object') return meterObject(result, meter, kind);
        return result;
      };
    },
  });
}

/** A paged read (logs): each page's wait is timed, not the caller's work between pages. */
async function* meterPages<T>(pages: AsyncIterable<T>, meter: Meter, kind: WaitKind): AsyncIterable<T> {
  const iterator = pages[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await meter.time(kind, () => iterator.next());
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return Boolean(value) && typeof (value as { then?: unknown }).then === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return Boolean(value) && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}
