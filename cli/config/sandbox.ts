// The built-in "sandbox" environment: needs no config file.
import { environmentSchema, type EnvironmentConfig } from './schema.js';

export const SANDBOX = 'sandbox';

/** Where this machine's provider mirror lives, if the environment does not say. */
export const DEFAULT_PLUGIN_DIR = '/opt/tf-plugins';

export function sandboxEnvironment(): EnvironmentConfig {
  return environmentSchema.parse({
    region: 'us-east-1',
    stateBucket: 'ydeploy-sandbox-state',
    releaseBucket: 'ydeploy-sandbox-releases',
    tokenParameter: '/ydeploy/sandbox/discord-token',
    instanceType: 't3.micro',
    health: { pollInterval: '500ms', gateTimeout: '90s', onlineTimeout: '60s', logsTimeout: '30s' },
    lockTtl: '2m',
  });
}
