import { describe, expect, it } from 'vitest';
import { gatherStatus } from '../../../cli/inspect/status.js';
import { renderStatus } from '../../../cli/output/table.js';
import { paint } from '../../../cli/output/paint.js';
import { CredentialsError } from '../../../cli/errors.js';
import { MemoryStore, testEnv } from '../../_helpers/fakes.js';
import {
  FakeAlarms,
  FakeClock,
  FakeInstances,
  FakeLogStore,
  FakeRemote,
  healthAnswer,
  healthyBody,
  instance,
} from './fakes.js';

const env = testEnv('test');
const T0 = Date.parse('2026-11-26T10:00:00Z');

function world() {
  const clock = new FakeClock(T0);
  const instances = new FakeInstances([
    instance('i-old', 'legacy', {
      environment: 'test',
      privateSubnet: false,
      publicIp: '54.1.2.3',
      privateIp: '10.0.1.5',
      launchTime: new Date(T0 - 3_600_000),
    }),
    instance('i-new', 'enhanced', {
      environment: 'test',
      privateSubnet: true,
      privateIp: '10.0.2.9',
      release: 'v2',
      launchTime: new Date(T0 - 120_000),
    }),
  ]);
  const remote = new FakeRemote((id) =>
    id === 'i-old' ? new Promise(() => {}) : healthAnswer(id, 200, healthyBody('standby')),
  );
  const logs = new FakeLogStore();
  logs.put('i-new-bot', T0 - 5000, '{"level":30,"time":1,"msg":"ready"}');
  logs.put('i-new-health', T0 - 2000, '{"level":30,"msg":"GET /health 200"}');
  const store = new MemoryStore('state');
  const alarms = new FakeAlarms([
    { name: 'ydeploy-test-cpu-high-enhanced', state: 'OK' },
    { name: 'ydeploy-test-nat-errors', state: 'ALARM' },
  ]);
  // v2's manifest records the team's bot and commit; v1's is an older one without them.
  const releases = new MemoryStore('releases');
  releases.seed(
    'releases/v2/manifest.json',
    JSON.stringify({
      name: 'ydeploy-bot',
      version: 'v2',
      bot: { name: 'dice-bot', version: '1.2.0', entry: 'src/bot.ts' },
      git: { commit: '3f9c2ab5e1d0c7b8a9f6e5d4c3b2a1f0e9d8c7b6', dirty: true },
      ydeploy: '0.9.0',
    }),
  );
  releases.seed('releases/v1/manifest.json', JSON.stringify({ name: 'ydeploy-bot', version: 'v1', files: {} }));
  return { env, clock, instances, remote, logs, store, alarms, releases };
}

describe('gatherStatus', () => {
  it('shows an unreachable instance as unreachable, and everything else, without crashing on missing sections', async () => {
    const deps = world();
    // i-old's probe never answers: gatherStatus settling at all shows the probe timeout bounds it.
    const report = await gatherStatus(deps, { probeTimeoutMs: 300 });
    expect(report.instances!.map((i) => [i.kind, i.id, i.subnet, i.health.state])).toEqual([
      ['legacy', 'i-old', 'public', 'unreachable'],
      ['enhanced', 'i-new', 'private', 'healthy'],
    ]);
    expect(report.instances![1]).toMatchObject({ uptimeSeconds: 120, release: 'v2', health: { botRole: 'standby' } });
    expect(report.instances![1]).toMatchObject({
      bot: { name: 'dice-bot', version: '1.2.0' },
      commit: '3f9c2ab5e1d0c7b8a9f6e5d4c3b2a1f0e9d8c7b6',
      dirty: true,
      ydeploy: '0.9.0',
    });
    expect(report.instances![0]).not.toHaveProperty('bot');
    expect(report.instances![0]).not.toHaveProperty('commit');
    expect(report.network).toBeNull();
    expect(report.lock).toBeNull();
    expect(report.lastDeployment).toBeNull();
    expect(report.alarms!.map((a) => a.state)).toEqual(['OK', 'ALARM']);
    expect(report.streams!.find((s) => s.name === 'i-new-bot')).toMatchObject({
      ageSeconds: 5,
      lastMessage: '{"level":30,"time":1,"msg":"ready"}',
    });
    expect(report.errors).toEqual({});
  });

  it('reads network_configuration from the state, the lock and the last deployment', async () => {
    const deps = world();
    deps.store.seed(
      'ydeploy/test/terraform.tfstate',
      JSON.stringify({
        outputs: {
          network_configuration: { value: { vpc_id: 'vpc-1', use_private_subnet: true, instances: { legacy: null } } },
        },
      }),
    );
    deps.store.seed(
      'ydeploy/test/lock.json',
      JSON.stringify({
        holder: 'ann@laptop',
        command: 'migrate',
        since: '2026-11-26T09:59:00Z',
        renewedAt: '2026-11-26T09:59:30Z',
        expiresAt: '2026-11-26T10:09:00Z',
      }),
    );
    const journal = (id: string, outcome: string) =>
      JSON.stringify({
        id,
        command: 'migrate',
        environment: 'test',
        who: 'ann@laptop',
        started: '2026-11-26T09:00:00Z',
        outcome,
        steps: [],
        state: {},
      });
    deps.store.seed(
      'ydeploy/test/journal/20261125T090000Z-migrate-aaaa.json',
      journal('20261125T090000Z-migrate-aaaa', 'failed'),
    );
    deps.store.seed(
      'ydeploy/test/journal/20261126T090000Z-migrate-bbbb.json',
      journal('20261126T090000Z-migrate-bbbb', 'running'),
    );
    const report = await gatherStatus(deps, { probeTimeoutMs: 100 });
    expect(report.network).toEqual({ vpc_id: 'vpc-1', use_private_subnet: true, instances: { legacy: null } });
    expect(report.lock).toMatchObject({ holder: 'ann@laptop', command: 'migrate', expired: false });
    expect(report.lastDeployment).toMatchObject({ id: '20261126T090000Z-migrate-bbbb', outcome: 'running' });

    const screen = renderStatus(report, paint(false));
    expect(screen).toContain('ydeploy status — test');
    expect(screen).toMatch(
      /legacy\s+│ i-old\s+│ running │ public\s+│ 10\.0\.1\.5 \/ 54\.1\.2\.3 │ v1\s+│ —\s+│ 1h\s+│ unreachable/,
    );
    expect(screen).toMatch(
      /enhanced │ i-new\s+│ running │ private │ 10\.0\.2\.9\s+│ v2\s+│ dice-bot@1\.2\.0 3f9c2ab \(dirty\) │ 2m\s+│ healthy \(standby\)/,
    );
    expect(screen).toContain('i-old: no answer through SSM within 0.1s');
    expect(screen).toContain('vpc_id: vpc-1');
    expect(screen).toContain('instances.legacy: null');
    expect(screen).toContain('held by ann@laptop (migrate)');
    expect(screen).toContain('migrate 20261126T090000Z-migrate-bbbb by ann@laptop');
    expect(screen).toMatch(/ALARM\s+ydeploy-test-nat-errors/);
    expect(screen).not.toContain('\x1b[');
  });

  it('makes each read once: one listing per service, a probe per running instance, a manifest per release', async () => {
    const deps = world();
    const calls: string[] = [];
    const counted = <T extends object>(name: string, port: T): T =>
      new Proxy(port, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (typeof value !== 'function' || key === 'constructor') return value;
          return (...args: unknown[]) => {
            calls.push(`${name}.${String(key)}${typeof args[0] === 'string' ? ` ${args[0]}` : ''}`);
            return value.apply(target, args);
          };
        },
      });
    await gatherStatus(
      {
        ...deps,
        instances: counted('instances', deps.instances),
        remote: counted('remote', deps.remote),
        logs: counted('logs', deps.logs),
        store: counted('store', deps.store),
        releases: counted('releases', deps.releases),
        alarms: counted('alarms', deps.alarms),
      },
      { probeTimeoutMs: 100 },
    );
    expect(calls.sort()).toEqual(
      [
        'alarms.list ydeploy-test-',
        'instances.list test',
        // The last event of each of the two streams.
        'logs.pages',
        'logs.pages',
        'logs.streams /ec2/ydeploy-test-logs',
        // One manifest per release the instances run (v1, v2).
        'releases.get releases/v1/manifest.json',
        'releases.get releases/v2/manifest.json',
        'remote.run i-new',
        'remote.run i-old',
        // desired.json says whether the environment runs a sharded fleet.
        'store.get ydeploy/test/desired.json',
        'store.get ydeploy/test/lock.json',
        'store.get ydeploy/test/terraform.tfstate',
        'store.list ydeploy/test/journal/',
      ].sort(),
    );
  });

  it('reads the release manifests while the health probes are under way, not after them', async () => {
    const deps = world();
    let manifestAsked!: () => void;
    const asked = new Promise<void>((resolve) => (manifestAsked = resolve));
    const get = deps.releases.get.bind(deps.releases);
    deps.releases.get = (key) => {
      manifestAsked();
      return get(key);
    };
    // i-new's probe answers only once the manifest has been asked for: read one after the other,
    // the probe would run out of time.
    deps.remote.script = (id) =>
      id === 'i-new' ? asked.then(() => healthAnswer(id, 200, healthyBody('standby'))) : new Promise(() => {});
    const report = await gatherStatus(deps, { probeTimeoutMs: 300 });
    expect(report.instances![1]).toMatchObject({
      id: 'i-new',
      health: { state: 'healthy' },
      bot: { name: 'dice-bot' },
    });
  });

  it('reports a section that fails and carries on', async () => {
    const deps = world();
    deps.alarms.list = () => Promise.reject(new Error('cannot read CloudWatch alarms: AccessDenied'));
    deps.instances.list = () => Promise.reject(new Error('cannot list EC2 instances: throttled'));
    const report = await gatherStatus(deps, { probeTimeoutMs: 100 });
    expect(report.errors).toEqual({
      alarms: 'cannot read CloudWatch alarms: AccessDenied',
      instances: 'cannot list EC2 instances: throttled',
    });
    expect(report.streams).toHaveLength(2);
    expect(renderStatus(report, paint(false))).toContain('alarms: cannot read CloudWatch alarms: AccessDenied');
  });

  it('shows what could not be read as unknown, never as free, none or empty', async () => {
    const deps = world();
    const denied = () => Promise.reject(new Error('AccessDenied: not allowed'));
    deps.alarms.list = denied;
    deps.instances.list = denied;
    deps.logs.streams = denied;
    deps.store.get = denied;
    deps.store.list = denied;
    const report = await gatherStatus(deps, { probeTimeoutMs: 100 });
    for (const section of ['instances', 'network', 'streams', 'alarms', 'lock', 'lastDeployment'] as const)
      expect(report[section], section).toBeUndefined();
    expect(Object.keys(report.errors).sort()).toEqual(
      // Without desired.json, whether the environment runs a sharded fleet is unknown too.
      ['alarms', 'fleet', 'instances', 'lastDeployment', 'lock', 'network', 'streams'].sort(),
    );
    const screen = renderStatus(report, paint(false));
    expect(screen).toMatch(/Instances\n {2}unknown \(could not be read\)/);
    expect(screen).toMatch(/Network \(network_configuration\)\n {2}unknown/);
    expect(screen).toMatch(/Logs \(last event per stream\)\n {2}unknown/);
    expect(screen).toMatch(/Alarms\n {2}unknown/);
    expect(screen).toContain('Lock  unknown (could not be read)');
    expect(screen).toContain('Last deployment  unknown (could not be read)');
    for (const fact of ['free', 'none', 'no streams', 'nothing applied yet']) expect(screen).not.toContain(fact);
  });

  it('without AWS credentials, every section failing the same way is one error, not a screen of guesses', async () => {
    const deps = world();
    const missing = () =>
      Promise.reject(
        new CredentialsError('cannot read x', 'no AWS credentials were found (…)', 'missing', { fix: 'aws configure' }),
      );
    deps.alarms.list = missing;
    deps.instances.list = missing;
    deps.logs.streams = missing;
    deps.store.get = missing;
    deps.store.list = missing;
    const error = await gatherStatus(deps, { probeTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).message).toBe(
      'cannot read the status of test: no AWS credentials were found (…)',
    );
    expect((error as CredentialsError).fix).toBe('aws configure');
  });
});
