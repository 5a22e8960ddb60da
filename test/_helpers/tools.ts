// The system tools the tests run. terraform, moto_server and the provider mirror come with the
// machine; Debian packages (shellcheck) are installed by the tests themselves where they can
// (root on Debian, with apt-get), and said on stderr. Otherwise the tests stop with the exact
// command that installs what is missing; they never skip.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compareVersions, MIN_TERRAFORM_VERSION } from '../../cli/config/requirements.js';

const TOOLS = {
  terraform: {
    probe: ['version', '-json'],
    install: `install terraform >= ${MIN_TERRAFORM_VERSION} on PATH from https://developer.hashicorp.com/terraform/install`,
  },
  moto_server: { probe: ['--help'], install: 'pip install "moto[server]"' },
} as const;

/** Runs the tool once and returns its output, or throws with the command that installs it. */
export function requireTool(name: keyof typeof TOOLS): string {
  const { probe, install } = TOOLS[name];
  let out: string;
  try {
    out = execFileSync(name, probe, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    const why = missing ? 'was not found on PATH' : `did not run (${(error as Error).message.split('\n')[0]})`;
    throw new Error(`${name} is required by the tests but ${why}: ${install}`);
  }
  if (name === 'terraform') requireTerraformVersion(out, install);
  return out;
}

function requireTerraformVersion(versionJson: string, install: string): void {
  const version = (JSON.parse(versionJson) as { terraform_version: string }).terraform_version;
  if (compareVersions(version, MIN_TERRAFORM_VERSION) < 0) {
    throw new Error(
      `terraform ${version} is too old for the tests, which need >= ${MIN_TERRAFORM_VERSION}: ${install}`,
    );
  }
}

/** The hashicorp/aws provider mirror on this machine (DESIGN.md §6). */
export function pluginDir(): string {
  return process.env.YDEPLOY_TF_PLUGIN_DIR ?? '/opt/tf-plugins';
}

/** The tests run terraform init against the mirror only: without it, every init fails. */
export function requirePluginMirror(): void {
  const dir = pluginDir();
  if (existsSync(join(dir, 'registry.terraform.io', 'hashicorp', 'aws'))) return;
  throw new Error(
    `the hashicorp/aws provider mirror was not found in ${dir}, which the terraform tests init from: ` +
      `terraform -chdir=terraform providers mirror ${dir} (or set YDEPLOY_TF_PLUGIN_DIR to a mirror)`,
  );
}

/** Commands that come from a Debian package, and the tests that need them. */
const PACKAGES = {
  shellcheck: { package: 'shellcheck', neededBy: "the terraform module's static tests" },
  'systemd-analyze': { package: 'systemd', neededBy: "the terraform module's static tests" },
  'systemd-nspawn': { package: 'systemd-container', neededBy: "the sandbox's systemd-mode instances" },
  debootstrap: { package: 'debootstrap', neededBy: "the sandbox's systemd-mode instances (their root filesystem)" },
} as const;

export type PackagedCommand = keyof typeof PACKAGES;

/**
 * Makes sure a command is on PATH: as root on Debian it installs the package (apt-get, saying
 * so on stderr); anywhere else it throws with the exact command to run.
 */
export function ensureCommand(
  command: PackagedCommand,
  say = (line: string) => process.stderr.write(`${line}\n`),
): void {
  if (onPath(command)) return;
  const { package: pkg, neededBy } = PACKAGES[command];
  const install = `apt-get install -y ${pkg}`;
  if (!canInstallPackages()) {
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    throw new Error(`${command} is required by ${neededBy} but was not found on PATH: ${sudo}${install}`);
  }
  say(`installing ${command} (${install}) for ${neededBy}`);
  aptInstall(pkg, install);
  if (!onPath(command)) throw new Error(`${command}: ${install} succeeded but ${command} is still not on PATH`);
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function canInstallPackages(): boolean {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version') && onPath('apt-get');
}

/** A fresh machine may have no package lists yet: update them first. Output only on failure. */
function aptInstall(pkg: string, install: string): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const output = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message)
      .trim()
      .split('\n')
      .slice(-5)
      .join('\n');
    throw new Error(`${install} failed: ${output} (run apt-get update && ${install} by hand, then the tests again)`);
  }
}
