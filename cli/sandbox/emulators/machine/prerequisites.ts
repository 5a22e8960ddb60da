// Which way the sandbox boots its instances. systemd mode (each instance a container running
// systemd, its user data run for real) needs root on Linux, systemd-nspawn, and debootstrap for
// the first build of the root filesystem; process mode (the bot's processes run directly, for
// laptops) needs nothing. Without a choice, systemd where it can run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { InstancesMode } from '../../state-files.js';

export const INSTALL_COMMAND = 'apt-get install systemd-container debootstrap';

export interface Prerequisites {
  ok: boolean;
  /** What is missing, each "{what}: {why}". */
  missing: string[];
}

export function systemdPrerequisites(platform = process.platform, uid = process.getuid?.() ?? -1): Prerequisites {
  const missing: string[] = [];
  if (platform !== 'linux') missing.push(`systemd-nspawn: runs on Linux only (this is ${platform})`);
  else {
    if (uid !== 0) missing.push('root: systemd-nspawn boots containers as root only (run ydeploy with sudo)');
    for (const [command, pkg] of [
      ['systemd-nspawn', 'systemd-container'],
      ['debootstrap', 'debootstrap'],
      ['nsenter', 'util-linux'],
      ['ip', 'iproute2'],
    ] as const)
      if (!onPath(command)) missing.push(`${command}: not installed (Debian package ${pkg})`);
  }
  return { ok: missing.length === 0, missing };
}

/** The mode asked for (flag, YDEPLOY_SANDBOX_INSTANCES), or the default for this machine. */
export function resolveInstancesMode(
  requested: string | undefined,
  check: () => Prerequisites = systemdPrerequisites,
): { mode: InstancesMode; why: string } {
  if (requested !== undefined && requested !== 'systemd' && requested !== 'process')
    throw new Error(`--instances ${requested}: must be systemd or process`);
  if (requested === 'process') return { mode: 'process', why: 'asked for' };
  const prerequisites = check();
  if (requested === 'systemd') {
    if (!prerequisites.ok)
      throw new Error(
        `--instances systemd: ${prerequisites.missing.join('; ')}. Install with: ${INSTALL_COMMAND} (as root), or use --instances process`,
      );
    return { mode: 'systemd', why: 'asked for' };
  }
  return prerequisites.ok
    ? { mode: 'systemd', why: 'root on Linux with systemd-nspawn' }
    : { mode: 'process', why: `systemd mode needs ${prerequisites.missing.map((m) => m.split(':')[0]).join(', ')}` };
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir && existsSync(join(dir, command))) return true;
  }
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
