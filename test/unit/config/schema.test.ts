import { describe, expect, it } from 'vitest';
import { configSchema, environmentSchema } from '../../../cli/config/schema.js';
import { sandboxEnvironment } from '../../../cli/config/sandbox.js';

describe('config schema defaults', () => {
  it('fills every default of an environment from the two required keys', () => {
    const config = configSchema.parse({
      environments: { production: { stateBucket: 'acme-state', tokenParameter: '/acme/discord-token' } },
    });
    expect(config.project).toBe('ydeploy');
    expect(config.environments.production).toEqual({
      region: 'us-east-1',
      stateBucket: 'acme-state',
      tokenParameter: '/acme/discord-token',
      instanceType: 't3.small',
      terraform: { binary: 'terraform', varFiles: [], vars: {} },
      fleet: { shards: 1, groupsAtOnce: 1 },
      health: {
        port: 3000,
        path: '/health',
        readyFile: '/tmp/bot-ready',
        pollInterval: 2_000,
        gateTimeout: 600_000,
        onlineTimeout: 300_000,
        logsTimeout: 120_000,
      },
      network: { nat: 'gateway', natInstanceType: 't4g.nano', interfaceEndpoints: [] },
      lockTtl: 600_000,
      discordApi: 'https://discord.com/api',
      cost: { warnAbove: 10 },
      notify: { timeout: 5_000 },
    });
  });

  it('an empty file is a valid config with no environments', () => {
    expect(configSchema.parse({})).toEqual({ project: 'ydeploy', sandbox: { legacy: true }, environments: {} });
  });

  it('takes durations as text or milliseconds', () => {
    const env = environmentSchema.parse({
      stateBucket: 'abc',
      tokenParameter: '/t',
      lockTtl: 45_000,
      health: { gateTimeout: '90s', pollInterval: '500ms' },
    });
    expect(env.lockTtl).toBe(45_000);
    expect(env.health.gateTimeout).toBe(90_000);
    expect(env.health.pollInterval).toBe(500);
  });

  it('the built-in sandbox is a valid environment with short timeouts', () => {
    const sandbox = sandboxEnvironment();
    expect(environmentSchema.safeParse(sandbox).success).toBe(true);
    expect(sandbox).toMatchObject({
      region: 'us-east-1',
      stateBucket: 'ydeploy-sandbox-state',
      tokenParameter: '/ydeploy/sandbox/discord-token',
    });
    expect(sandbox.health.gateTimeout).toBe(90_000);
  });
});
