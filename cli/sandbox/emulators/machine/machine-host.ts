// The instance host's systemd mode: each instance EC2 runs boots as a Machine from the cached
// root filesystem, its user data run by the image's cloud-init stand-in. What the rest of the
// sandbox reads about it (instances.json) points into the running instance: its readiness file,
// control socket and release folder through /proc/<init>/root, its health port through a
// loopback port of this machine relayed into its namespace, its units' state from systemctl.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../../../package-root.js';
import { programCommand } from '../../programs.js';
import type { HostedInstance, UnitName, UnitRecord, UnitStatus } from '../../state-files.js';
import type { ImdsFacts } from './imds.js';
import { Machine, shortDir } from './machine.js';
import { listen, pipe } from './relay.js';
import { ensureRootfs } from './rootfs.js';

export interface MachineHostOptions {
  dir: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The sandbox's endpoints, as the instance reaches them (relayed to the same loopback ports). */
  endpoints: { aws: string; ssm: string };
  /** Ports of this machine's loopback the instances may reach: moto, the SSM endpoint, Discord. */
  relayedPorts: number[];
  log(line: string): void;
}

export interface InstanceFacts {
  id: string;
  userData: string;
  privateIp?: string;
  instanceType?: string;
  imageId?: string;
  availabilityZone?: string;
  tags: Record<string, string>;
  metadata: ImdsFacts['metadata'];
  iamRole?: string;
  /** The instance profile the role was read from. */
  profileArn?: string;
  /** Loopback port of this machine that reaches the instance's health port. */
  hostHealthPort: number;
}

interface Running {
  machine: Machine;
  healthServer: Server;
  /** The folder of the health relay's socket (under /tmp when the instance's is deep). */
  healthDir: string;
  facts: InstanceFacts;
  healthPort: number;
}

export class MachineHost {
  private rootfs?: string;
  private readonly outbound: Server[] = [];
  private readonly running = new Map<string, Running>();
  private readonly mountDir: string;
  private readonly netDir: string;

  constructor(private readonly options: MachineHostOptions) {
    this.mountDir = join(options.dir, 'machine', 'mount');
    this.netDir = shortDir(join(options.dir, 'machine', 'net'));
  }

  /** Builds (or finds) the root filesystem, writes the launchers, serves the outbound relays. */
  async start(): Promise<void> {
    const rootfs = await ensureRootfs({ log: this.options.log });
    this.rootfs = rootfs.path;
    await this.writeLaunchers();
    await mkdir(this.netDir, { recursive: true });
    for (const port of this.options.relayedPorts) {
      const path = join(this.netDir, `${port}.sock`);
      await rm(path, { force: true });
      const server = await listen(
        createServer((client) => pipe(client, () => connect(port, '127.0.0.1'))),
        { path },
      );
      await chmod(path, 0o666);
      this.outbound.push(server);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.poweroff(id)));
    await Promise.all(this.outbound.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await rm(this.netDir, { recursive: true, force: true });
  }

  /** Boots the instance; resolves with what instances.json says of it once its systemd runs. */
  async boot(
    instanceDir: string,
    facts: InstanceFacts,
  ): Promise<Omit<HostedInstance, 'units' | 'kind' | 'release' | 'botRole' | 'startedAt' | 'tags'>> {
    if (!this.rootfs) throw new Error('the machine host is not started');
    const healthPort = Number(/^HEALTH_PORT=(\d+)$/m.exec(facts.userData)?.[1] ?? 3000);
    const healthSocket = join(shortDir(join(instanceDir, 'machine-net')), 'health.sock');
    await mkdir(dirname(healthSocket), { recursive: true });
    const machine = new Machine({
      id: facts.id,
      dir: instanceDir,
      rootfs: this.rootfs,
      userData: facts.userData,
      hostname: facts.privateIp ? `ip-${facts.privateIp.replaceAll('.', '-')}` : facts.id,
      defaultEnvironment: {
        AWS_ENDPOINT_URL: this.options.endpoints.aws,
        AWS_ENDPOINT_URL_SSM: this.options.endpoints.ssm,
        AWS_DEFAULT_REGION: this.options.region,
      },
      readOnly: this.readOnlyMounts(),
      sandboxMount: this.mountDir,
      relayCommand: nodeCommand('relay'),
      relay: {
        outbound: this.options.relayedPorts.map((port) => ({ port, socket: join(this.netDir, `${port}.sock`) })),
        inbound: [{ socket: healthSocket, port: healthPort }],
      },
      log: this.options.log,
    });
    await machine.boot(() => this.writeImdsFacts(machine.paths.imdsFacts, facts));
    const healthServer = await listen(
      createServer((client) => pipe(client, () => connect(healthSocket))),
      { port: facts.hostHealthPort, host: '127.0.0.1' },
    );
    this.running.set(facts.id, { machine, healthServer, facts, healthPort, healthDir: dirname(healthSocket) });
    const inside = `/proc/${machine.leader}/root`;
    return {
      id: facts.id,
      privateIp: facts.privateIp,
      healthPort: facts.hostHealthPort,
      readyFile: `${inside}/tmp/bot-ready`,
      controlSocket: `${inside}/run/discord-bot/control.sock`,
      releaseDir: `${inside}/opt/discord-bot/current`,
      machine: {
        leader: machine.leader!,
        agentSocket: join(machine.paths.exchange, 'ssm-agent.sock'),
        console: machine.paths.console,
        healthPortInside: healthPort,
      },
    };
  }

  /**
   * What IMDS serves changes while an instance runs: tags (BotRole at a handoff), and the role
   * once EC2 shows the instance profile (moto may list a pending instance without it).
   */
  async updateFacts(id: string, changed: Pick<InstanceFacts, 'tags' | 'iamRole' | 'profileArn'>): Promise<void> {
    const running = this.running.get(id);
    if (!running) return;
    const next = { ...running.facts, ...changed };
    if (JSON.stringify(next) === JSON.stringify(running.facts)) return;
    running.facts = next;
    await this.writeImdsFacts(running.machine.paths.imdsFacts, running.facts);
  }

  /** The role IMDS serves for the instance now (undefined: none yet). */
  roleOf(id: string): { profileArn?: string; role?: string } {
    const facts = this.running.get(id)?.facts;
    return { profileArn: facts?.profileArn, role: facts?.iamRole };
  }

  /** The two units' state as systemd reports it inside the instance. */
  async units(id: string): Promise<Record<UnitName, UnitRecord> | undefined> {
    const running = this.running.get(id);
    if (!running?.machine.running) return undefined;
    const show = await running.machine.exec(
      [
        'systemctl',
        'show',
        'discord-bot.service',
        'discord-health.service',
        '--property=Id,ActiveState,SubState,MainPID,NRestarts,ExecMainCode,ExecMainStatus,StateChangeTimestamp',
      ],
      { timeoutMs: 5000 },
    );
    if (show.exitCode !== 0) return undefined;
    const blocks = String(show.stdout).trim().split(/\n\n+/);
    const out = {} as Record<UnitName, UnitRecord>;
    for (const block of blocks) {
      const p = Object.fromEntries(
        block.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const name: UnitName = p.Id === 'discord-bot.service' ? 'bot' : 'health';
      const pid = Number(p.MainPID) || undefined;
      out[name] = {
        status: unitStatus(p.ActiveState),
        pid: pid ? hostPid(running.machine.leader!, pid) : undefined,
        since: p.StateChangeTimestamp ? new Date(p.StateChangeTimestamp).toISOString() : undefined,
        restarts: Number(p.NRestarts) || 0,
        log: `journalctl -u discord-${name === 'bot' ? 'bot' : 'health'} (inside ${id})`,
      };
    }
    return out;
  }

  /** Every process of the instance (its container's init and all below it), as this machine numbers them. */
  pids(id: string): number[] {
    const leader = this.running.get(id)?.machine.leader;
    if (!leader) return [];
    const parents = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        /* gone */
      }
    }
    const inside = new Set([leader]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, parent] of parents)
        if (!inside.has(pid) && inside.has(parent)) {
          inside.add(pid);
          grew = true;
        }
    }
    return [...inside];
  }

  async poweroff(id: string): Promise<void> {
    const running = this.running.get(id);
    if (!running) return;
    this.running.delete(id);
    running.healthServer.close();
    await running.machine.poweroff();
    await rm(running.healthDir, { recursive: true, force: true });
  }

  async kill(id: string): Promise<void> {
    const running = this.running.get(id);
    if (!running) return;
    this.running.delete(id);
    running.healthServer.close();
    await running.machine.kill();
    await rm(running.healthDir, { recursive: true, force: true });
  }

  private async writeImdsFacts(path: string, facts: InstanceFacts): Promise<void> {
    const imds: ImdsFacts = {
      instanceId: facts.id,
      region: this.options.region,
      availabilityZone: facts.availabilityZone ?? `${this.options.region}a`,
      privateIp: facts.privateIp ?? '10.0.1.10',
      localHostname: facts.privateIp
        ? `ip-${facts.privateIp.replaceAll('.', '-')}.${this.options.region}.compute.internal`
        : facts.id,
      instanceType: facts.instanceType ?? 't3.small',
      amiId: facts.imageId ?? 'ami-sandbox',
      tags: facts.tags,
      metadata: facts.metadata,
      iamRole: facts.iamRole,
      credentials: facts.iamRole ? this.options.credentials : undefined,
    };
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.tmp`;
    await writeFile(temp, JSON.stringify(imds));
    await rename(temp, path);
  }

  /** /opt/ydeploy-sandbox/bin: the agents' launchers and the AWS CLI, for this machine's paths. */
  private async writeLaunchers(): Promise<void> {
    const bin = join(this.mountDir, 'bin');
    await mkdir(bin, { recursive: true });
    const launchers: Record<string, string> = {
      'ssm-agent': nodeCommand('ssm-agent').map(quote).join(' '),
      'cloudwatch-agent': nodeCommand('cloudwatch-agent').map(quote).join(' '),
    };
    const aws = awsCli();
    if (aws) launchers.aws = [aws.python, aws.script].map(quote).join(' ');
    for (const [name, command] of Object.entries(launchers)) {
      await writeFile(join(bin, name), `#!/bin/sh\nexec ${command} "$@"\n`);
      await chmod(join(bin, name), 0o755);
    }
  }

  private readOnlyMounts(): { source: string; target: string }[] {
    const mounts = [{ source: realpathSync(process.execPath), target: '/usr/bin/node' }];
    const roots = new Set([PACKAGE_ROOT]);
    const modules = join(PACKAGE_ROOT, 'node_modules');
    if (existsSync(modules)) roots.add(dirname(realpathSync(modules)));
    const aws = awsCli();
    if (aws) roots.add(aws.prefix);
    for (const root of roots) mounts.push({ source: root, target: root });
    return mounts;
  }
}

/** A sandbox program's command line as the instance runs it (/usr/bin/node is this machine's node). */
function nodeCommand(program: 'relay' | 'ssm-agent' | 'cloudwatch-agent'): string[] {
  const [, ...rest] = programCommand(program);
  return ['/usr/bin/node', ...rest];
}

let awsFound: { python: string; script: string; prefix: string } | null | undefined;
/** This machine's AWS CLI: its script and the Python installation it runs on (mounted as is). */
function awsCli(): { python: string; script: string; prefix: string } | undefined {
  if (awsFound !== undefined) return awsFound ?? undefined;
  awsFound = null;
  for (const resolve of [
    () => execFileSync('pyenv', ['which', 'aws'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    () =>
      execFileSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
  ]) {
    try {
      const script = realpathSync(resolve());
      const shebang = /^#!\s*(\S+)/.exec(readFileSync(script, 'utf8').split('\n')[0])?.[1];
      if (!shebang || !shebang.includes('python')) continue;
      const python = realpathSync(shebang);
      awsFound = { python, script, prefix: dirname(dirname(python)) };
      break;
    } catch {
      /* next */
    }
  }
  return awsFound ?? undefined;
}

/** A PID inside the instance's PID namespace, as this machine numbers it. */
function hostPid(leader: number, inner: number): number | undefined {
  // /proc/<pid>/status NSpid lists a process's PID in each namespace, outermost first.
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ns = /^NSpid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/).map(Number);
      if (ns && ns.length > 1 && ns[ns.length - 1] === inner && isDescendant(Number(entry), leader))
        return Number(entry);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

function isDescendant(pid: number, ancestor: number): boolean {
  for (let p = pid, i = 0; p > 1 && i < 64; i++) {
    if (p === ancestor) return true;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}

function unitStatus(active: string | undefined): UnitStatus {
  switch (active) {
    case 'active':
    case 'reloading':
      return 'active';
    case 'activating':
      return 'activating';
    case 'deactivating':
      return 'deactivating';
    case 'failed':
      return 'failed';
    default:
      return 'inactive';
  }
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
