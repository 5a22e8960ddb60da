// Where the sandbox keeps its state, and which loopback ports it uses. One folder per project
// (git-ignored `.ydeploy/sandbox/`), or YDEPLOY_SANDBOX_DIR so tests run isolated.
import { createHash, createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Ports below 32768 never clash with the kernel's ephemeral range (DESIGN.md §6). */
export const DEFAULT_PORT_BASE = 29500;
export const ENVIRONMENT = 'sandbox';
/** The release `sandbox up` deploys as the guide's starting point. */
export const LEGACY_RELEASE = 'legacy-1';

export function sandboxDir(cwd: string, env: NodeJS.ProcessEnv): string {
  return resolve(cwd, env.YDEPLOY_SANDBOX_DIR || join('.ydeploy', 'sandbox'));
}

export function portBase(env: NodeJS.ProcessEnv): number {
  const raw = env.YDEPLOY_SANDBOX_PORT_BASE;
  if (!raw) return DEFAULT_PORT_BASE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1024 || value > 65000) {
    throw new Error(`YDEPLOY_SANDBOX_PORT_BASE=${raw} is not a port between 1024 and 65000`);
  }
  return value;
}

/** Every file the sandbox writes, from its folder. */
export function sandboxFiles(dir: string) {
  return {
    dir,
    state: join(dir, 'sandbox.json'),
    instances: join(dir, 'instances.json'),
    logs: join(dir, 'logs'),
    daemonLog: (name: string) => join(dir, 'logs', `${name}.log`),
    instanceDir: (id: string) => join(dir, 'instances', id),
    bin: join(dir, 'bin'),
    terraformData: join(dir, 'terraform'),
    terraformrc: join(dir, 'terraform', 'terraformrc'),
  };
}

/** Unix socket paths are limited to ~107 bytes; deep folders fall back to a short tmp path. */
export function controlSocketPath(dir: string, instanceId: string): string {
  const local = join(dir, 'instances', instanceId, 'control.sock');
  if (Buffer.byteLength(local) <= 100) return local;
  const short = createHash('sha256').update(dir).digest('hex').slice(0, 10);
  return join(tmpdir(), `ydeploy-${short}`, `${instanceId}.sock`);
}

/**
 * The sandbox's notification webhook, derived from its Discord token: the emulator registers it
 * whenever it starts and `sandbox up` stores its URL in moto SSM, so the two agree across
 * restarts of either without another secret in the state file.
 */
export function sandboxWebhook(state: { discordToken: string; endpoints: { discordApi: string } }): {
  id: string;
  token: string;
  url: string;
} {
  const digest = createHmac('sha256', state.discordToken).update('ydeploy sandbox webhook').digest();
  // A snowflake-sized id (digits), and a token of Discord's alphabet.
  const id = (BigInt(`0x${digest.subarray(0, 7).toString('hex')}`) + 100_000_000_000_000_000n).toString();
  const token = digest.subarray(7).toString('base64url');
  return { id, token, url: `${state.endpoints.discordApi.replace(/\/+$/, '')}/v10/webhooks/${id}/${token}` };
}
