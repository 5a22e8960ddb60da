import { describe, expect, it } from 'vitest';
import { diagnose, type Finding } from '../../../cli/doctor/rules.js';
import type { DoctorFacts, NetworkFacts } from '../../../cli/doctor/facts.js';
import type { ProbeResult } from '../../../cli/doctor/probes.js';
import type { Instance } from '../../../cli/ports.js';

const instance: Instance = {
  id: 'i-0abc',
  kind: 'enhanced',
  state: 'running',
  environment: 'production',
  privateSubnet: true,
};

function probe(id: string, output: string, exitCode = 0, unavailable = false): [string, ProbeResult] {
  return [id, { id, output, exitCode, unavailable }];
}

const NOW = 1_800_000_000;
function healthyProbes(): Map<string, ProbeResult> {
  return new Map([
    probe('bot-active', 'active'),
    probe('bot-show', 'ActiveState=active\nSubState=running\nNRestarts=0'),
    probe('bot-logs', '{"level":30,"msg":"ready"}'),
    probe('health-active', 'active'),
    probe('health-show', 'ActiveState=active\nSubState=running\nNRestarts=0'),
    probe('health-logs', '{"level":30,"msg":"listening"}'),
    probe('port', 'LISTEN 0 511 0.0.0.0:3000 0.0.0.0:* users:(("node",pid=812,fd=21))'),
    probe('health-endpoint', '{"status":"healthy","version":"v3","role":"active"}\n200'),
    probe(
      'ready-file',
      JSON.stringify({ pid: 811, heartbeatAt: NOW * 1000 - 1500, state: 'ready', discord: { ready: true } }),
    ),
    probe('clock', String(NOW)),
    probe('dns', '162.159.135.232 discord.com\n162.159.130.234 gateway.discord.gg'),
    probe('outbound', '200'),
  ]);
}

function healthyNet(): NetworkFacts {
  return {
    network: {
      instanceId: 'i-0abc',
      vpcId: 'vpc-1',
      vpcCidrs: ['10.0.0.0/16'],
      subnetId: 'subnet-priv',
      securityGroupIds: ['sg-1'],
    },
    natGateways: [{ id: 'nat-1', state: 'available', subnetId: 'subnet-pub' }],
    routeTable: {
      id: 'rtb-priv',
      main: false,
      routes: [
        { destination: '10.0.0.0/16', target: 'local', state: 'active' },
        { destination: '0.0.0.0/0', target: 'nat-1', state: 'active' },
      ],
    },
    securityGroups: [
      {
        id: 'sg-1',
        rules: [
          {
            direction: 'ingress',
            protocol: 'tcp',
            fromPort: 3000,
            toPort: 3000,
            cidrs: ['10.0.0.0/16'],
            sourceGroups: [],
          },
          { direction: 'egress', protocol: '-1', cidrs: ['0.0.0.0/0'], sourceGroups: [] },
        ],
      },
    ],
  };
}

function facts(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return { instance, healthPort: 3000, sandbox: false, probes: healthyProbes(), net: healthyNet(), ...over };
}

const byId = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);
const one = (findings: Finding[], id: string) => byId(findings, id)[0]!;

describe('doctor rules', () => {
  it('finds nothing wrong with a healthy private instance', () => {
    const findings = diagnose(facts());
    expect(findings.filter((f) => f.severity !== 'ok')).toEqual([]);
    expect(findings.map((f) => f.id)).toEqual([
      'bot-service',
      'health-service',
      'port',
      'health-endpoint',
      'ready-file',
      'service-logs',
      'dns',
      'outbound',
      'nat',
      'route',
      'sg-internet',
      'sg-health-port',
    ]);
    expect(one(findings, 'port').detail).toBe('listening on 0.0.0.0:3000 (node, pid 812)');
    expect(one(findings, 'route').detail).toBe('rtb-priv: 0.0.0.0/0 → nat-1');
    expect(one(findings, 'ready-file').detail).toBe('fresh (heartbeat 2 s ago), pid 811, ready');
  });

  it('explains a stopped bot', () => {
    const probes = healthyProbes();
    probes.set(...probe('bot-active', 'inactive', 3));
    probes.set(...probe('bot-show', 'ActiveState=inactive\nSubState=dead\nNRestarts=0'));
    probes.set(...probe('ready-file', 'cat: /tmp/bot-ready: No such file or directory', 1));
    probes.set(
      ...probe(
        'health-endpoint',
        '{"status":"unhealthy","reason":"readiness file removed: the bot is not running"}\n503',
      ),
    );
    const findings = diagnose(facts({ probes }));
    expect(one(findings, 'bot-service')).toMatchObject({ severity: 'problem', detail: 'inactive (dead)' });
    expect(one(findings, 'bot-service').explanation).toMatch(
      /^the bot is not running, so the readiness file is not refreshed/,
    );
    expect(one(findings, 'bot-service').fix).toContain('sudo systemctl restart discord-bot');
    expect(one(findings, 'ready-file')).toMatchObject({
      severity: 'problem',
      detail: 'absent',
      explanation: 'the bot is not running (it removes the file on shutdown)',
    });
    expect(one(findings, 'health-endpoint')).toMatchObject({
      severity: 'problem',
      detail: '503 unhealthy: readiness file removed: the bot is not running',
    });
  });

  it('tells a crash loop and a rejected token from the log lines', () => {
    const probes = healthyProbes();
    probes.set(...probe('bot-active', 'activating', 3));
    probes.set(...probe('bot-show', 'ActiveState=activating\nSubState=auto-restart\nNRestarts=7'));
    probes.set(...probe('bot-logs', '{"level":60,"msg":"login failed: An invalid token was provided."}'));
    probes.set(...probe('ready-file', '', 1));
    const findings = diagnose(facts({ probes }));
    expect(one(findings, 'bot-service')).toMatchObject({
      severity: 'problem',
      detail: 'activating (auto-restart), 7 restarts',
    });
    expect(one(findings, 'bot-service').explanation).toContain('keeps crashing');
    expect(one(findings, 'service-logs')).toMatchObject({
      severity: 'problem',
      title: 'service log: Discord rejected the bot token',
      fix: 'ydeploy init --store-token --env production, then restart the bot',
    });
  });

  it('flags a stale readiness file left by a crashed bot', () => {
    const probes = healthyProbes();
    probes.set(
      ...probe('ready-file', JSON.stringify({ pid: 811, heartbeatAt: (NOW - 300) * 1000, discord: { ready: true } })),
    );
    expect(one(diagnose(facts({ probes })), 'ready-file')).toMatchObject({
      severity: 'problem',
      detail: 'stale: last heartbeat 300 s ago (pid 811)',
    });
  });

  it('degrades when systemctl, ss or curl are missing', () => {
    const probes = healthyProbes();
    const noSystemd = "System has not been booted with systemd as init system (PID 1). Can't operate.";
    probes.set(...probe('bot-active', noSystemd, 1, true));
    probes.set(...probe('health-active', noSystemd, 1, true));
    probes.set(...probe('bot-logs', 'bash: journalctl: command not found', 127, true));
    probes.set(...probe('port', 'bash: ss: command not found', 127, true));
    probes.set(...probe('outbound', 'bash: curl: command not found', 127, true));
    const findings = diagnose(facts({ probes }));
    expect(one(findings, 'bot-service')).toMatchObject({
      severity: 'unknown',
      detail: 'systemctl is not available on the instance',
    });
    expect(one(findings, 'port')).toMatchObject({ severity: 'unknown' });
    expect(one(findings, 'outbound')).toMatchObject({ severity: 'unknown' });
    expect(one(findings, 'service-logs').severity).toBe('ok');
  });

  it('does not mistake a crashing systemctl for a stopped service', () => {
    const probes = healthyProbes();
    probes.set(
      ...probe(
        'bot-active',
        "Error: Cannot find module '/x/entry.js'\n    at Module._resolveFilename\nNode.js v20.20.2",
        1,
      ),
    );
    probes.set(...probe('bot-show', 'Error: Cannot find module', 1));
    expect(one(diagnose(facts({ probes })), 'bot-service')).toMatchObject({
      severity: 'unknown',
      detail: 'systemctl gave no unit state: Node.js v20.20.2',
    });
  });

  it('reports an SSM failure as one problem and still reads the network', () => {
    const findings = diagnose(facts({ probes: new Map(), remoteError: 'SSM command Undeliverable (exit -1)' }));
    expect(findings.map((f) => f.id)).toEqual(['ssm', 'nat', 'route', 'sg-internet', 'sg-health-port']);
  });

  it('explains a NAT that failed, a blackhole route and an internet-gateway route from a private subnet', () => {
    const net = healthyNet();
    net.natGateways = [{ id: 'nat-1', state: 'failed', failureMessage: 'Elastic IP address is already associated' }];
    net.routeTable!.routes[1] = { destination: '0.0.0.0/0', target: 'nat-1', state: 'blackhole' };
    const probes = healthyProbes();
    probes.set(...probe('outbound', 'curl: (28) Connection timed out after 8001 milliseconds\n000', 28));
    const findings = diagnose(facts({ net, probes }));
    expect(one(findings, 'nat')).toMatchObject({
      severity: 'problem',
      detail: 'nat-1 is failed: Elastic IP address is already associated',
    });
    expect(one(findings, 'route')).toMatchObject({
      severity: 'problem',
      detail: 'rtb-priv: 0.0.0.0/0 → nat-1 is a blackhole',
    });
    expect(one(findings, 'outbound')).toMatchObject({
      severity: 'problem',
      detail: 'no answer: Connection timed out after 8001 milliseconds',
    });
    expect(one(findings, 'outbound').explanation).toContain('NAT gateway');

    net.routeTable!.routes[1] = { destination: '0.0.0.0/0', target: 'igw-9', state: 'active' };
    expect(one(diagnose(facts({ net })), 'route').explanation).toMatch(/^a private instance has no public IP/);
    net.routeTable!.routes.pop();
    expect(one(diagnose(facts({ net })), 'route').detail).toBe('rtb-priv has no 0.0.0.0/0 route');
  });

  it('accepts a private instance going out through a NAT instance (a route to its network interface, no NAT gateway)', () => {
    const net = healthyNet();
    net.natGateways = [];
    net.routeTable!.routes[1] = { destination: '0.0.0.0/0', target: 'eni-0nat', state: 'active' };
    const findings = diagnose(facts({ net }));
    expect(one(findings, 'nat')).toMatchObject({
      severity: 'ok',
      title: 'NAT instance',
      detail: 'the private subnet goes out through a NAT instance (eni-0nat)',
    });
    expect(one(findings, 'route')).toMatchObject({ severity: 'ok', detail: 'rtb-priv: 0.0.0.0/0 → eni-0nat' });
    // The NAT instance gone: its route is a blackhole and the subnet has no NAT at all.
    net.routeTable!.routes[1] = { destination: '0.0.0.0/0', target: 'eni-0nat', state: 'blackhole' };
    expect(one(diagnose(facts({ net })), 'nat')).toMatchObject({ severity: 'problem' });
    expect(one(diagnose(facts({ net })), 'route')).toMatchObject({ severity: 'problem' });
  });

  it('accepts a public legacy instance going out through the internet gateway', () => {
    const net = healthyNet();
    net.natGateways = [];
    net.routeTable = {
      id: 'rtb-pub',
      main: false,
      routes: [{ destination: '0.0.0.0/0', target: 'igw-9', state: 'active' }],
    };
    const findings = diagnose(facts({ net, instance: { ...instance, kind: 'legacy', privateSubnet: false } }));
    expect(one(findings, 'nat')).toMatchObject({ severity: 'ok' });
    expect(one(findings, 'route')).toMatchObject({ severity: 'ok', title: 'default route of the public subnet' });
  });

  it('flags inbound from the internet and a health port open beyond the VPC', () => {
    const net = healthyNet();
    net.securityGroups[0]!.rules.push({
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrs: ['0.0.0.0/0'],
      sourceGroups: [],
    });
    net.securityGroups[0]!.rules.push({
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 3000,
      toPort: 3000,
      cidrs: ['203.0.113.0/24'],
      sourceGroups: [],
    });
    const findings = diagnose(facts({ net }));
    expect(one(findings, 'sg-internet')).toMatchObject({
      severity: 'problem',
      detail: 'sg-1 allows tcp/22 from 0.0.0.0/0',
    });
    expect(one(findings, 'sg-health-port')).toMatchObject({
      severity: 'problem',
      detail: 'sg-1 allows it from 203.0.113.0/24',
    });
  });

  it('flags missing outbound HTTPS in the security group', () => {
    const net = healthyNet();
    net.securityGroups[0]!.rules = net.securityGroups[0]!.rules.filter((r) => r.direction === 'ingress');
    expect(one(diagnose(facts({ net })), 'sg-egress')).toMatchObject({
      severity: 'problem',
      detail: 'no egress rule allows 443 to 0.0.0.0/0',
    });
  });
});
