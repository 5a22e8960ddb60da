// The built-in "sandbox" environment: needs no config file.
import { environmentSchema, type EnvironmentConfig } from './schema.js';

export const SANDBOX = 'sandbox';

/** Where this machine's provider mirror lives, if the environment does not say. */
export const DEFAULT_PLUGIN_DIR = '/opt/tf-plugins';

/**
 * The sandbox's settings before the schema applies its defaults. A config's own
 * `environments.sandbox` is laid over these (its `health` key by key), so it may set only what
 * it changes, e.g. `{ "lockTtl": "30s" }`.
 */
export const SANDBOX_SETTINGS = {
  region: 'us-east-1',
  stateBucket: 'ydeploy-sandbox-state',
  releaseBucket: 'ydeploy-sandbox-releases',
  tokenParameter: '/ydeploy/sandbox/discord-token',
  instanceType: 't3.micro',
  health: { pollInterval: '500ms', gateTimeout: '90s', onlineTimeout: '60s', logsTimeout: '30s' },
  lockTtl: '2m',
} as const;

export function sandboxEnvironment(): EnvironmentConfig {
  return environmentSchema.parse(SANDBOX_SETTINGS);
}

/** A config's raw `environments.sandbox` over the sandbox's own settings. */
export function withSandboxSettings(configured: unknown): unknown {
  if (!configured || typeof configured !== 'object' || Array.isArray(configured)) return configured;
  const own = configured as Record<string, unknown>;
  const health = own.health;
  return {
    ...SANDBOX_SETTINGS,
    ...own,
    ...(health && typeof health === 'object' && !Array.isArray(health)
      ? { health: { ...SANDBOX_SETTINGS.health, ...(health as Record<string, unknown>) } }
      : {}),
  };
}
