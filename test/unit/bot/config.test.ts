import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRoleFile, writeRoleFile } from '../../../bot/roles/role-file.js';
import { ConfigError, readConfig, resolveToken } from '../../../bot/config.js';
import { addSecret, scrub } from '../../../bot/log.js';

describe('readConfig', () => {
  it('applies the contract defaults', () => {
    expect(readConfig({ DISCORD_TOKEN: 'x' })).toMatchObject({
      api: 'https://discord.com/api',
      healthHost: '0.0.0.0',
      healthPort: 3000,
      readyFile: '/tmp/bot-ready',
      controlSocket: '/run/discord-bot/control.sock',
      role: 'active',
      heartbeatMs: 2000,
      staleMs: 10_000,
      graceMs: 30_000,
    });
  });

  it('reads every variable', () => {
    const config = readConfig({
      DISCORD_TOKEN_PARAMETER: '/p/token',
      DISCORD_API: 'http://127.0.0.1:9/api/',
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: '3100',
      READY_FILE: '/x/r',
      CONTROL_SOCKET: '/x/s',
      INSTANCE_ID: 'i-1',
      RELEASE_VERSION: 'v3',
      BOT_ROLE: 'standby',
    });
    expect(config).toMatchObject({
      tokenParameter: '/p/token',
      api: 'http://127.0.0.1:9/api',
      healthHost: '127.0.0.1',
      healthPort: 3100,
      readyFile: '/x/r',
      controlSocket: '/x/s',
      instanceId: 'i-1',
      version: 'v3',
      role: 'standby',
    });
  });

  it('rejects bad values with "{what}: {why}"', () => {
    expect(() => readConfig({ BOT_ROLE: 'leader' })).toThrow(
      new ConfigError('BOT_ROLE=leader: must be "active" or "standby"'),
    );
    expect(() => readConfig({ HEALTH_PORT: 'http' })).toThrow('HEALTH_PORT=http: must be an integer from 0 to 65535');
    expect(() => readConfig({ HEARTBEAT_MS: '5' })).toThrow('HEARTBEAT_MS=5: must be an integer from 100 to 60000');
  });

  it('needs a token or a parameter name', async () => {
    await expect(resolveToken(readConfig({}))).rejects.toThrow(
      'no Discord token: set DISCORD_TOKEN or DISCORD_TOKEN_PARAMETER',
    );
    await expect(resolveToken(readConfig({ DISCORD_TOKEN: 'abc' }))).resolves.toBe('abc');
  });
});

describe('role file', () => {
  it('defaults next to the readiness file, keeps a role across restarts, ignores garbage', () => {
    expect(readConfig({ READY_FILE: '/x/ready' }).roleFile).toBe('/x/ready.role');
    expect(readConfig({ ROLE_FILE: '/y/role' }).roleFile).toBe('/y/role');
    const path = join(mkdtempSync(join(tmpdir(), 'ydb-unit-')), 'role');
    expect(readRoleFile(path)).toBeUndefined();
    writeRoleFile(path, 'active');
    expect(readRoleFile(path)).toBe('active');
    writeFileSync(path, 'leader');
    expect(readRoleFile(path)).toBeUndefined();
  });
});

describe('scrub', () => {
  it('removes registered secrets from any log line', () => {
    addSecret('MTIz.secret-token-value');
    expect(scrub('{"msg":"bad MTIz.secret-token-value here","err":"Bot MTIz.secret-token-value"}')).toBe(
      '{"msg":"bad [redacted] here","err":"Bot [redacted]"}',
    );
  });
});
