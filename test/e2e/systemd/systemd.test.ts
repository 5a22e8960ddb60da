// The sandbox in systemd mode: every instance a container booting systemd from the Debian root
// filesystem, its user data (as terraform rendered it) run once by the cloud-init stand-in, the
// units, rsyslog, logrotate and journald for real. This is where the bootstrap, the two units
// and their sandboxing are proven harmless: the bot starts, reads its token, writes its
// readiness file, answers, restarts after a crash and stops gracefully, under systemd.
// Needs root on Linux with systemd-nspawn and debootstrap (brought in with apt-get as root).
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import { readJson, type HostedInstance, type InstancesState } from '../../../cli/sandbox/state-files.js';
import { eventually } from '../../_helpers/sandbox.js';
import { ensureCommand } from '../../_helpers/tools.js';
import { resultOf, startSandbox, startTraffic, type Sandbox, type TrafficStats } from '../orchestration/_harness.js';

let sandbox: Sandbox;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    throw new Error(
      'the systemd-mode tests boot containers with systemd-nspawn: they need root on Linux (run npm test as root)',
    );
  ensureCommand('systemd-nspawn');
  ensureCommand('debootstrap');
  const started = performance.now();
  sandbox = await startSandbox('systemd', { upArgs: ['--instances', 'systemd'] });
  figures.sandboxUpSeconds = (performance.now() - started) / 1000;
  figures.rootfs = sandbox.up.rootfs;
});

afterAll(async () => {
  console.log('systemd-mode figures', JSON.stringify(figures, null, 2));
  await sandbox?.down();
  // Nothing left behind: no container, no overlay mount of the sandbox's instances.
  const mounts = readFileSync('/proc/self/mounts', 'utf8');
  expect(mounts).not.toContain(sandbox?.cwd ?? '\0');
});

async function hosted(): Promise<InstancesState> {
  return (await readJson<InstancesState>(sandboxFiles(sandbox.state.dir).instances))!;
}

async function instance(kind: string): Promise<HostedInstance> {
  const all = Object.values((await hosted()).instances);
  const found = all.find((i) => i.kind === kind);
  if (!found?.machine) throw new Error(`no ${kind} instance in systemd mode: ${JSON.stringify(all.map((i) => i.id))}`);
  return found;
}

/** A command inside the instance, as root, the way an operator's SSM session runs it. */
async function inside(i: HostedInstance, command: string) {
  return execa('nsenter', [`--target=${i.machine!.leader}`, '--all', '--', 'bash', '-lc', command], {
    reject: false,
    timeout: 60_000,
  });
}

async function health(i: HostedInstance): Promise<{ code: number; status?: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${i.healthPort}/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json().catch(() => ({}))) as { status?: string };
    return { code: res.status, status: body.status };
  } catch {
    return { code: 0 };
  }
}

async function underProbe(name: string, args: string[]) {
  const traffic = startTraffic(sandbox.state.endpoints.discordControl, 250, { command: 'ping' });
  const result = await sandbox.run(args);
  const stats: TrafficStats = await traffic.stop();
  figures[name] = { seconds: result.seconds, ...stats };
  if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  // A sandbox restarted under the run (daemons it found not answering) would explain lost answers.
  const restarts = result.stdout.split('\n').filter((l) => l.includes('partly running'));
  expect(restarts, restarts.join('\n')).toEqual([]);
  return { result, stats, json: resultOf(result.stdout) };
}

describe('systemd-mode instances', () => {
  it('boots the legacy instance from its user data under systemd', async () => {
    expect(sandbox.up).toMatchObject({ instances: 'systemd' });
    const legacy = await instance('legacy');
    const status = await sandbox.run(['sandbox', 'status']);
    expect(status.stdout).toContain('instances boot in systemd mode');
    // cloud-init's run of the user data, once, to its end; dnf asked for what the image holds.
    const cloudInit = await inside(legacy, 'cat /var/log/cloud-init-output.log; cat /var/log/dnf-requests.log');
    expect(cloudInit.stdout).toMatch(/Cloud-init v\. \S+ finished at /);
    expect(cloudInit.stdout).toContain('dnf install -y nodejs22 amazon-cloudwatch-agent rsyslog');
    const units = await inside(
      legacy,
      'systemctl is-active discord-bot discord-health rsyslog amazon-ssm-agent amazon-cloudwatch-agent; id discord-bot',
    );
    expect(units.stdout.split('\n').slice(0, 5)).toEqual(['active', 'active', 'active', 'active', 'active']);
    expect(units.stdout).toMatch(/uid=\d+\(discord-bot\)/);
    // The readiness file where the guide says, readable by an operator's shell.
    const ready = await inside(
      legacy,
      'stat -c "%U %a" /tmp/bot-ready && su -s /bin/sh nobody -c "cat /tmp/bot-ready"',
    );
    expect(ready.exitCode, ready.stderr).toBe(0);
    expect(ready.stdout).toMatch(/^discord-bot 644\n\{/);
    // The units run sandboxed as systemd rates them.
    const security = await inside(legacy, 'systemd-analyze security discord-bot.service --no-pager | tail -1');
    expect(security.stdout).toMatch(/Overall exposure level for discord-bot\.service: [0-2]\.\d/);
    const answer = await sandbox.probe.interact('ping');
    expect(answer.answeredBy).toEqual([legacy.id]);
  });

  it('answers the guide troubleshooting commands inside the instance, and doctor runs them there', async () => {
    const legacy = await instance('legacy');
    const port = legacy.machine!.healthPortInside;
    const commands = await inside(
      legacy,
      `systemctl status discord-bot --no-pager; journalctl -u discord-health --no-pager -n 5; ss -ltnp 'sport = :${port}'`,
    );
    expect(commands.stdout).toContain('discord-bot.service - Discord bot');
    expect(commands.stdout).toContain('Active: active (running)');
    expect(commands.stdout).toMatch(/discord-health\[\d+\]/);
    expect(commands.stdout).toMatch(new RegExp(`LISTEN .*:${port} .*node`));
    const logrotate = await inside(legacy, 'logrotate -d /etc/logrotate.d/discord-bot 2>&1');
    expect(logrotate.exitCode, logrotate.stdout).toBe(0);
    expect(logrotate.stdout).toContain('rotating pattern: /var/log/discord-bot/*.log');
    expect(logrotate.stdout).not.toMatch(/error/i);
    const doctor = await sandbox.run(['doctor', '--env', 'sandbox', '--json']);
    const result = resultOf(doctor.stdout);
    const notOk = result.findings.filter((f: { severity: string }) => f.severity !== 'ok');
    expect(notOk, `${JSON.stringify(notOk, null, 2)}\n${doctor.stdout}\n${doctor.stderr}`).toEqual([]);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(result.findings.find((f: { id: string }) => f.id === 'bot-service').detail).toBe('active (running)');
  });

  it('migrates with every probe answered once', async () => {
    const { json, stats } = await underProbe('migrate', ['migrate', '--env', 'sandbox', '--yes', '--json']);
    expect(json).toMatchObject({ ok: true });
    expect(stats.unanswered).toBe(0);
    expect(stats.answeredTwice, stats.doubles.join('\n')).toBe(0);
    const enhanced = await instance('enhanced');
    expect(enhanced.id).toBe(json.state.enhancedId);
    figures.bootToHealthySeconds = json.state.gate.readinessSeconds;
    // The enhanced instance's bot logs reached CloudWatch through the agent stand-in.
    await eventually(
      'the enhanced bot log stream in CloudWatch',
      async () => {
        const logs = await sandbox.run(['logs', '--env', 'sandbox', '--since', '15m', '--instance', enhanced.id]);
        return logs.code === 0 && logs.stdout.includes(enhanced.id) && /\bbot\b/.test(logs.stdout);
      },
      30_000,
    );
  });

  it('restarts a killed bot: /health goes unhealthy, then healthy again', async () => {
    const enhanced = await instance('enhanced');
    const before = await inside(enhanced, 'systemctl show discord-bot -p MainPID -p NRestarts --value');
    const [pid, restarts] = before.stdout.trim().split('\n').map(Number);
    const seen: string[] = [];
    const watch = setInterval(() => void health(enhanced).then((h) => seen.push(h.status ?? String(h.code))), 100);
    await inside(enhanced, `kill -9 ${pid}`);
    await eventually(
      'systemd to restart the bot and /health to be healthy again',
      async () => {
        const after = await inside(enhanced, 'systemctl show discord-bot -p MainPID -p NRestarts --value');
        const [newPid, newRestarts] = after.stdout.trim().split('\n').map(Number);
        return newPid !== pid && newRestarts === restarts + 1 && (await health(enhanced)).status === 'healthy';
      },
      60_000,
    );
    clearInterval(watch);
    seen.push((await health(enhanced)).status ?? 'down');
    const firstBad = seen.findIndex((s) => s !== 'healthy');
    expect(firstBad, seen.join(' ')).toBeGreaterThanOrEqual(0);
    expect(seen.slice(firstBad)).toContain('healthy');
    figures.killRecovery = { states: [...new Set(seen)] };
  });

  it('stops gracefully with systemctl stop: 503 stopping, then exit 0', async () => {
    const enhanced = await instance('enhanced');
    const seen: { code: number; status?: string }[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) seen.push(await health(enhanced));
    })();
    try {
      const stop = await inside(enhanced, 'systemctl stop discord-bot');
      watching = false;
      await watch;
      expect(stop.exitCode, stop.stderr).toBe(0);
      expect(
        seen.some((h) => h.code === 503 && h.status === 'stopping'),
        JSON.stringify(seen.slice(-20)),
      ).toBe(true);
      const shown = await inside(enhanced, 'systemctl show discord-bot -p ExecMainStatus -p Result');
      const props = Object.fromEntries(
        shown.stdout
          .trim()
          .split('\n')
          .map((l) => l.split('=')),
      );
      expect(props).toEqual({ ExecMainStatus: '0', Result: 'success' });
    } finally {
      watching = false;
      // The serving bot comes back for the rest of the suite, whatever happened above.
      const back = await inside(enhanced, 'systemctl start discord-bot');
      expect(back.exitCode).toBe(0);
      await eventually(
        'the bot to be healthy again',
        async () => (await health(enhanced)).status === 'healthy',
        60_000,
      );
    }
  });

  it('deploys a new release and rolls back in an emergency, never two bots answering', async () => {
    const deployed = await underProbe('deploy', ['deploy', '--env', 'sandbox', '--release', 'v2', '--yes', '--json']);
    expect(deployed.json.state).toMatchObject({ release: 'v2' });
    expect(deployed.stats.unanswered).toBe(0);
    expect(deployed.stats.answeredTwice, deployed.stats.doubles.join('\n')).toBe(0);
    const rolled = await underProbe('rollback-emergency', [
      'rollback',
      '--emergency',
      '--env',
      'sandbox',
      '--yes',
      '--json',
    ]);
    expect(rolled.json.ok).toBe(true);
    expect(rolled.stats.unanswered).toBe(0);
    expect(rolled.stats.answeredTwice, rolled.stats.doubles.join('\n')).toBe(0);
    // Memory of each instance: the resident memory of every process of its container.
    const state = await hosted();
    figures.instances = await Promise.all(
      Object.values(state.instances).map(async (i) => {
        const rss = await inside(i, "ps -e -o rss= | awk '{ s += $1 } END { print s }'");
        return { id: i.id, kind: i.kind, release: i.release, rssMiB: Math.round(Number(rss.stdout.trim()) / 1024) };
      }),
    );
  });
});
