// The guide's troubleshooting section as rules: each reads the facts and says what it found,
// what that likely means, and what fixes it. Order is the order shown.
import type { SecurityGroupRule } from '../ports.js';
import { httpProbe, logLines, readiness, unitFacts, type DoctorFacts } from './facts.js';

export type Severity = 'ok' | 'warning' | 'problem' | 'unknown';

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  /** What was seen. */
  detail: string;
  /** What it likely means. */
  explanation?: string;
  fix?: string;
}

export interface Rule {
  id: string;
  evaluate(facts: DoctorFacts): Finding | Finding[] | undefined;
}

/** Heartbeats older than this mean a bot that stopped writing (the bot writes every 2 s). */
const STALE_MS = 30_000;

const where = (facts: DoctorFacts) => `--instance ${facts.instance.id}`;

const remote: Rule = {
  id: 'ssm',
  evaluate(facts) {
    if (!facts.remoteError) return undefined;
    return {
      id: 'ssm',
      severity: 'problem',
      title: 'SSM Run Command',
      detail: facts.remoteError,
      explanation:
        'nothing on the instance could be checked: the SSM agent is not online, or the instance role lacks AmazonSSMManagedInstanceCore',
      fix: `check the instance in the EC2 console (SSM agent, instance profile), then: ydeploy doctor ${where(facts)}`,
    };
  },
};

function unitRule(id: 'bot' | 'health', name: string, role: string): Rule {
  return {
    id: `${id}-service`,
    evaluate(facts) {
      const unit = unitFacts(facts, id, name);
      if (!unit) return undefined;
      const title = `systemd service ${name}`;
      if (unit.unreadable) {
        return {
          id: `${id}-service`,
          severity: 'unknown',
          title,
          detail: `systemctl gave no unit state: ${unit.unreadable}`,
          explanation: 'systemctl itself failed on the instance, so the service status is unknown',
          fix: `on the instance: systemctl status ${name}`,
        };
      }
      if (!unit.available) {
        return {
          id: `${id}-service`,
          severity: 'unknown',
          title,
          detail: 'systemctl is not available on the instance',
          explanation: 'service status cannot be read here (no systemd)',
          fix: "run the bot on an AMI with systemd (the module's user data installs the units)",
        };
      }
      const tail = unit.logLines.slice(-3).join(' | ');
      if (unit.active === 'active') {
        if (unit.restarts > 0) {
          return {
            id: `${id}-service`,
            severity: 'warning',
            title,
            detail: `active (${unit.subState ?? 'running'}), restarted ${unit.restarts} time${unit.restarts === 1 ? '' : 's'}`,
            explanation: `${role} crashed and systemd restarted it${tail ? `; last lines: ${tail}` : ''}`,
            fix: `ydeploy logs ${where(facts)} --stream ${id} --since 1h`,
          };
        }
        return { id: `${id}-service`, severity: 'ok', title, detail: `active (${unit.subState ?? 'running'})` };
      }
      const restarting = unit.active === 'activating' || unit.subState === 'auto-restart';
      return {
        id: `${id}-service`,
        severity: 'problem',
        title,
        detail: `${unit.active}${unit.subState ? ` (${unit.subState})` : ''}${unit.restarts ? `, ${unit.restarts} restarts` : ''}`,
        explanation: restarting
          ? `${role} keeps crashing and systemd keeps restarting it${tail ? `; last lines: ${tail}` : ''}`
          : `${role} is not running${id === 'bot' ? ', so the readiness file is not refreshed and /health reports it unhealthy' : ', so nothing answers /health'}${tail ? `; last lines: ${tail}` : ''}`,
        fix: `read why in the log (ydeploy logs ${where(facts)} --stream ${id}), then on the instance: sudo systemctl restart ${name} (or ydeploy rollback --emergency if this instance serves)`,
      };
    },
  };
}

const port: Rule = {
  id: 'port',
  evaluate(facts) {
    const probe = facts.probes.get('port');
    if (!probe) return undefined;
    const title = 'health port bound';
    if (probe.unavailable)
      return { id: 'port', severity: 'unknown', title, detail: '`ss` is not available on the instance' };
    const rows = probe.output.split('\n').filter((l) => /LISTEN/.test(l));
    if (rows.length) {
      const who = /users:\(\("([^"]+)",pid=(\d+)/.exec(rows[0]!);
      const address = rows[0]!.trim().split(/\s+/)[3];
      return {
        id: 'port',
        severity: 'ok',
        title,
        detail: `listening${address ? ` on ${address}` : ''}${who ? ` (${who[1]}, pid ${who[2]})` : ''}`,
      };
    }
    return {
      id: 'port',
      severity: 'problem',
      title,
      detail: 'nothing listens on the health port',
      explanation: 'the health server (discord-health) is not serving, so every health probe and the health gate fail',
      fix: 'on the instance: sudo systemctl restart discord-health; if it exits at once, its log says why (EADDRINUSE: another process holds the port)',
    };
  },
};

const healthEndpoint: Rule = {
  id: 'health-endpoint',
  evaluate(facts) {
    const http = httpProbe(facts.probes.get('health-endpoint'));
    if (!http) return undefined;
    const title = 'GET /health on the instance';
    if (!http.status)
      return {
        id: 'health-endpoint',
        severity: 'problem',
        title,
        detail: `no answer${http.error ? `: ${http.error}` : ''}`,
        explanation: 'the health server does not answer on the instance itself',
      };
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(http.body) as Record<string, unknown>;
    } catch {
      return {
        id: 'health-endpoint',
        severity: 'problem',
        title,
        detail: `${http.status} with a body that is not JSON`,
        explanation: "something other than the bot's health server answers on the health port",
      };
    }
    const status = String(body.status ?? 'unknown');
    if (http.status === 200 && status === 'healthy')
      return {
        id: 'health-endpoint',
        severity: 'ok',
        title,
        detail: `200 healthy${body.version ? `, release ${String(body.version)}` : ''}${body.role ? `, ${String(body.role)}` : ''}`,
      };
    if (status === 'starting')
      return {
        id: 'health-endpoint',
        severity: 'warning',
        title,
        detail: `${http.status} starting`,
        explanation:
          'the bot has not become ready on Discord yet (no readiness file): it may still be logging in, or it cannot reach Discord or its token is refused (see the findings below)',
      };
    return {
      id: 'health-endpoint',
      severity: 'problem',
      title,
      detail: `${http.status} ${status}${body.reason ? `: ${String(body.reason)}` : ''}`,
      explanation: 'the health server runs but reports the bot unhealthy',
    };
  },
};

const readyFile: Rule = {
  id: 'ready-file',
  evaluate(facts) {
    const ready = readiness(facts);
    if (!ready) return undefined;
    const title = 'readiness file';
    const bot = unitFacts(facts, 'bot', 'discord-bot');
    if (!ready.present) {
      const running = bot?.available && bot.active === 'active';
      return {
        id: 'ready-file',
        severity: 'problem',
        title,
        detail: 'absent',
        explanation: running
          ? 'the bot runs but never became ready on Discord: the token is refused or Discord cannot be reached (see the log lines and outbound checks)'
          : 'the bot is not running (it removes the file on shutdown)',
        fix: running ? `ydeploy preflight --env ${facts.instance.environment} (checks the token)` : undefined,
      };
    }
    if (ready.invalid)
      return {
        id: 'ready-file',
        severity: 'problem',
        title,
        detail: 'present but not JSON',
        explanation: 'a partial write or another program wrote it; the health server treats it as unhealthy',
        fix: 'on the instance: sudo systemctl restart discord-bot',
      };
    const age = ready.ageMs;
    if (age !== undefined && age > STALE_MS) {
      return {
        id: 'ready-file',
        severity: 'problem',
        title,
        detail: `stale: last heartbeat ${Math.round(age / 1000)} s ago (pid ${ready.parsed?.pid ?? '?'})`,
        explanation: 'a bot that crashed or hangs left the file behind; the health server reports it unhealthy',
        fix: 'on the instance: sudo systemctl restart discord-bot',
      };
    }
    if (ready.parsed?.discordReady === false)
      return {
        id: 'ready-file',
        severity: 'warning',
        title,
        detail: 'fresh, but the bot says Discord is not ready',
        explanation: 'the bot lost its gateway connection and is reconnecting',
      };
    return {
      id: 'ready-file',
      severity: 'ok',
      title,
      detail: `fresh${age !== undefined ? ` (heartbeat ${Math.round(age / 1000)} s ago)` : ''}, pid ${ready.parsed?.pid ?? '?'}${ready.parsed?.state ? `, ${ready.parsed.state}` : ''}`,
    };
  },
};

/** Known failures and what they mean, matched against the services' last log lines. */
const LOG_PATTERNS: { pattern: RegExp; title: string; explanation: string; fix: (facts: DoctorFacts) => string }[] = [
  {
    pattern: /Authentication failed|TokenInvalid|An invalid token was provided|4004/,
    title: 'Discord rejected the bot token',
    explanation: 'the token in SSM is wrong or was reset in the developer portal',
    fix: (f) => `ydeploy init --store-token --env ${f.instance.environment}, then restart the bot`,
  },
  {
    pattern: /ParameterNotFound/,
    title: 'the token parameter does not exist',
    explanation: 'the bot reads its token from SSM at start and found nothing',
    fix: (f) => `ydeploy init --store-token --env ${f.instance.environment}`,
  },
  {
    pattern: /AccessDenied|not authorized to perform/,
    title: 'the instance role is denied an AWS call',
    explanation: 'the instance profile lacks ssm:GetParameter (or kms:Decrypt) on the token parameter',
    fix: () => "check the module's IAM policy against discord_token_parameter, then: ydeploy deploy",
  },
  {
    pattern: /ENOTFOUND|EAI_AGAIN/,
    title: 'name resolution fails',
    explanation: "the instance cannot resolve Discord's hosts: VPC DNS support is off or resolv.conf is broken",
    fix: () => 'enable DNS support and hostnames on the VPC (the module does)',
  },
  {
    pattern: /ETIMEDOUT|ECONNREFUSED|ECONNRESET|UND_ERR_CONNECT_TIMEOUT/,
    title: 'connections to Discord fail',
    explanation: 'outbound HTTPS does not get out: in a private subnet the NAT gateway or its route is the usual cause',
    fix: () => 'see the NAT gateway and route table findings',
  },
  {
    pattern: /EADDRINUSE/,
    title: 'the health port is taken',
    explanation: 'another process already listens on the health port, so discord-health cannot start',
    fix: (f) =>
      `on the instance: sudo ss -ltnp 'sport = :${f.healthPort}' shows who; stop it, then sudo systemctl restart discord-health`,
  },
];

const serviceLogs: Rule = {
  id: 'service-logs',
  evaluate(facts) {
    const lines = [...logLines(facts.probes.get('bot-logs')), ...logLines(facts.probes.get('health-logs'))];
    if (!facts.probes.has('bot-logs')) return undefined;
    const found = LOG_PATTERNS.filter((p) => lines.some((l) => p.pattern.test(l)));
    if (!found.length) {
      const count = lines.length;
      return {
        id: 'service-logs',
        severity: 'ok',
        title: 'last service log lines',
        detail: count ? `${count} lines, no known failure in them` : 'no log lines (journal empty or unavailable)',
      };
    }
    return found.map((p) => {
      const line = lines.filter((l) => p.pattern.test(l)).pop()!;
      return {
        id: 'service-logs',
        severity: 'problem' as const,
        title: `service log: ${p.title}`,
        detail: line.length > 240 ? `${line.slice(0, 240)}…` : line,
        explanation: p.explanation,
        fix: p.fix(facts),
      };
    });
  },
};

const dns: Rule = {
  id: 'dns',
  evaluate(facts) {
    const probe = facts.probes.get('dns');
    if (!probe) return undefined;
    const title = 'DNS';
    if (probe.unavailable)
      return { id: 'dns', severity: 'unknown', title, detail: '`getent` is not available on the instance' };
    if (probe.exitCode === 0)
      return {
        id: 'dns',
        severity: 'ok',
        title,
        detail: probe.output
          .split('\n')
          .map((l) => l.trim().replace(/\s+/g, ' '))
          .filter(Boolean)
          .join('; '),
      };
    return {
      id: 'dns',
      severity: 'problem',
      title,
      detail: `cannot resolve Discord's hosts (getent exit ${probe.exitCode})`,
      explanation: 'the VPC resolver is not answering: VPC DNS support/hostnames off, or a broken resolv.conf',
      fix: 'enable enableDnsSupport and enableDnsHostnames on the VPC (the module sets both), then: ydeploy doctor',
    };
  },
};

const outbound: Rule = {
  id: 'outbound',
  evaluate(facts) {
    const http = httpProbe(facts.probes.get('outbound'));
    if (!http)
      return facts.probes.has('outbound')
        ? {
            id: 'outbound',
            severity: 'unknown',
            title: 'outbound HTTPS to Discord',
            detail: '`curl` is not available on the instance',
          }
        : undefined;
    const title = 'outbound HTTPS to Discord';
    if (http.status) return { id: 'outbound', severity: 'ok', title, detail: `Discord answered (HTTP ${http.status})` };
    return {
      id: 'outbound',
      severity: 'problem',
      title,
      detail: `no answer${http.error ? `: ${http.error}` : ''}`,
      explanation: facts.instance.privateSubnet
        ? 'a private-subnet instance reaches the internet only through the NAT gateway: check the NAT and route findings'
        : "the security group's egress rules or the subnet's route to the internet gateway block it",
      fix: 'fix the network (see below), then: ydeploy doctor',
    };
  },
};

const nat: Rule = {
  id: 'nat',
  evaluate(facts) {
    if (!facts.net) return undefined;
    const title = 'NAT gateway';
    const nats = facts.net.natGateways.filter((n) => n.state !== 'deleted');
    if (!facts.instance.privateSubnet) {
      return {
        id: 'nat',
        severity: 'ok',
        title,
        detail: `not used: ${facts.instance.kind} sits in a public subnet and goes out through the internet gateway${nats.length ? ` (${nats.length} NAT in the VPC)` : ''}`,
      };
    }
    // nat_type "instance": the private default route targets the NAT instance's network
    // interface, and there is no NAT gateway to look at (the route rule checks the route).
    const viaInstance = facts.net.routeTable?.routes.find(
      (r) => r.destination === '0.0.0.0/0' && r.target.startsWith('eni-') && r.state === 'active',
    );
    if (viaInstance && !nats.length)
      return {
        id: 'nat',
        severity: 'ok',
        title: 'NAT instance',
        detail: `the private subnet goes out through a NAT instance (${viaInstance.target})`,
      };
    const available = nats.filter((n) => n.state === 'available');
    if (available.length)
      return { id: 'nat', severity: 'ok', title, detail: available.map((n) => `${n.id} available`).join(', ') };
    if (!nats.length)
      return {
        id: 'nat',
        severity: 'problem',
        title,
        detail: `no NAT gateway in ${facts.net.network.vpcId}`,
        explanation: 'the private subnet has no way out: the bot cannot reach Discord',
        fix: `ydeploy deploy --env ${facts.instance.environment} (terraform recreates it) or ydeploy rollback --emergency`,
      };
    const bad = nats[0]!;
    return {
      id: 'nat',
      severity: 'problem',
      title,
      detail: `${bad.id} is ${bad.state}${bad.failureMessage ? `: ${bad.failureMessage}` : ''}`,
      explanation:
        bad.state === 'pending'
          ? 'it is still being created; traffic flows once it is available (a few minutes)'
          : 'the NAT gateway cannot carry traffic, so the private subnet has no internet',
      fix:
        bad.state === 'pending'
          ? `wait, then: ydeploy doctor ${where(facts)}`
          : `ydeploy deploy --env ${facts.instance.environment} (terraform replaces it)`,
    };
  },
};

const route: Rule = {
  id: 'route',
  evaluate(facts) {
    if (!facts.net) return undefined;
    const table = facts.net.routeTable;
    const kind = facts.instance.privateSubnet ? 'private' : 'public';
    const title = `default route of the ${kind} subnet`;
    if (!table)
      return {
        id: 'route',
        severity: 'problem',
        title,
        detail: `no route table for ${facts.net.network.subnetId}`,
        fix: `ydeploy deploy --env ${facts.instance.environment}`,
      };
    const def = table.routes.find((r) => r.destination === '0.0.0.0/0');
    const want = facts.instance.privateSubnet ? 'nat-' : 'igw-';
    const via = facts.instance.privateSubnet ? 'the NAT gateway' : 'the internet gateway';
    if (!def)
      return {
        id: 'route',
        severity: 'problem',
        title,
        detail: `${table.id} has no 0.0.0.0/0 route`,
        explanation: `without a default route via ${via} the instance cannot reach Discord`,
        fix: `ydeploy deploy --env ${facts.instance.environment} (terraform restores the route)`,
      };
    if (def.state === 'blackhole')
      return {
        id: 'route',
        severity: 'problem',
        title,
        detail: `${table.id}: 0.0.0.0/0 → ${def.target} is a blackhole`,
        explanation: 'the gateway it points at was deleted',
        fix: `ydeploy deploy --env ${facts.instance.environment} (terraform recreates the NAT and its route)`,
      };
    // A NAT instance (nat_type "instance") is reached through its network interface.
    if (!def.target.startsWith(want) && !(facts.instance.privateSubnet && def.target.startsWith('eni-'))) {
      return {
        id: 'route',
        severity: 'problem',
        title,
        detail: `${table.id}: 0.0.0.0/0 → ${def.target}`,
        explanation: facts.instance.privateSubnet
          ? 'a private instance has no public IP, so a route straight to the internet gateway never works: it must go through the NAT gateway'
          : 'a public subnet goes out through the internet gateway',
        fix: `ydeploy deploy --env ${facts.instance.environment}`,
      };
    }
    return { id: 'route', severity: 'ok', title, detail: `${table.id}: 0.0.0.0/0 → ${def.target}` };
  },
};

const securityGroups: Rule = {
  id: 'security-groups',
  evaluate(facts) {
    if (!facts.net) return undefined;
    const findings: Finding[] = [];
    const ingress = facts.net.securityGroups.flatMap((g) =>
      g.rules.filter((r) => r.direction === 'ingress').map((r) => ({ group: g.id, rule: r })),
    );
    const open = ingress.filter(({ rule }) => rule.cidrs.some((c) => c === '0.0.0.0/0' || c === '::/0'));
    if (open.length) {
      findings.push({
        id: 'sg-internet',
        severity: 'problem',
        title: 'no inbound from the internet',
        detail: open
          .map(({ group, rule }) => `${group} allows ${ports(rule)} from ${rule.cidrs.join(', ')}`)
          .join('; '),
        explanation:
          'the guide allows no inbound from the internet: the health port is for the VPC only, and access goes through SSM',
        fix: `remove the rule (aws ec2 revoke-security-group-ingress --group-id ${open[0]!.group} ...), or let terraform restore it: ydeploy deploy --env ${facts.instance.environment}`,
      });
    } else {
      findings.push({
        id: 'sg-internet',
        severity: 'ok',
        title: 'no inbound from the internet',
        detail: `${facts.net.securityGroups.map((g) => g.id).join(', ')}: no 0.0.0.0/0 or ::/0 ingress`,
      });
    }
    const health = ingress.filter(({ rule }) => covers(rule, facts.healthPort));
    const vpc = facts.net.network.vpcCidrs;
    const outside = health.filter(({ rule }) => rule.cidrs.some((c) => !vpc.includes(c)));
    if (!health.length) {
      findings.push({
        id: 'sg-health-port',
        severity: 'warning',
        title: `health port ${facts.healthPort} open to the VPC`,
        detail: 'no ingress rule for it',
        explanation:
          'ydeploy probes /health on the instance through SSM, so deployments work, but nothing else in the VPC (monitoring, a load balancer) can reach it',
        fix: `ydeploy deploy --env ${facts.instance.environment} (the module opens it to the VPC CIDR)`,
      });
    } else if (outside.length) {
      findings.push({
        id: 'sg-health-port',
        severity: 'problem',
        title: `health port ${facts.healthPort} open to the VPC only`,
        detail: outside
          .map(({ group, rule }) => `${group} allows it from ${rule.cidrs.filter((c) => !vpc.includes(c)).join(', ')}`)
          .join('; '),
        explanation: `the health port must be reachable from the VPC (${vpc.join(', ')}) only`,
        fix: `ydeploy deploy --env ${facts.instance.environment} (terraform restores the module's rules)`,
      });
    } else {
      findings.push({
        id: 'sg-health-port',
        severity: 'ok',
        title: `health port ${facts.healthPort} open to the VPC only`,
        detail: `from ${[...new Set(health.flatMap(({ rule }) => [...rule.cidrs, ...rule.sourceGroups]))].join(', ')}`,
      });
    }
    const egress = facts.net.securityGroups.flatMap((g) => g.rules.filter((r) => r.direction === 'egress'));
    if (!egress.some((r) => covers(r, 443) && r.cidrs.some((c) => c === '0.0.0.0/0' || c === '::/0'))) {
      findings.push({
        id: 'sg-egress',
        severity: 'problem',
        title: 'outbound HTTPS allowed',
        detail: 'no egress rule allows 443 to 0.0.0.0/0',
        explanation: "the bot cannot reach Discord's API and gateway",
        fix: `ydeploy deploy --env ${facts.instance.environment} (the module allows HTTPS out)`,
      });
    }
    return findings;
  },
};

function covers(rule: SecurityGroupRule, port: number): boolean {
  if (rule.protocol === '-1') return true;
  if (rule.protocol !== 'tcp' && rule.protocol !== '6') return false;
  return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535);
}

function ports(rule: SecurityGroupRule): string {
  if (rule.protocol === '-1') return 'all traffic';
  return rule.fromPort === rule.toPort
    ? `${rule.protocol}/${rule.fromPort}`
    : `${rule.protocol}/${rule.fromPort}-${rule.toPort}`;
}

const networkUnreadable: Rule = {
  id: 'network-api',
  evaluate(facts) {
    if (!facts.networkError) return undefined;
    return {
      id: 'network-api',
      severity: 'unknown',
      title: 'network (NAT, routes, security groups)',
      detail: facts.networkError,
      fix: 'check the credentials may call ec2:Describe*',
    };
  },
};

export const rules: Rule[] = [
  remote,
  unitRule('bot', 'discord-bot', 'the bot'),
  unitRule('health', 'discord-health', 'the health server'),
  port,
  healthEndpoint,
  readyFile,
  serviceLogs,
  dns,
  outbound,
  networkUnreadable,
  nat,
  route,
  securityGroups,
];

export function diagnose(facts: DoctorFacts, list: Rule[] = rules): Finding[] {
  return list.flatMap((rule) => {
    const out = rule.evaluate(facts);
    return out === undefined ? [] : Array.isArray(out) ? out : [out];
  });
}
