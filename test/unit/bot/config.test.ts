import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRoleFile, startRole, writeRoleFile } from '../../../bot/roles/role-file.js';
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
      roleFile: '/run/discord-bot/control.role',
      role: undefined,
      checkMs: 30_000,
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
      new ConfigError('BOT_ROLE=leader: must be "active", "standby" or "unknown"'),
    );
    expect(readConfig({ BOT_ROLE: 'unknown' }).role).toBeUndefined();
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
  it("defaults beside the control socket (the bot's runtime directory, not /tmp), keeps a role across restarts", () => {
    expect(readConfig({ READY_FILE: '/tmp/bot-ready' }).roleFile).toBe('/run/discord-bot/control.role');
    expect(readConfig({ CONTROL_SOCKET: '/x/i-1.sock' }).roleFile).toBe('/x/i-1.role');
    expect(readConfig({ ROLE_FILE: '/y/role' }).roleFile).toBe('/y/role');
    const path = join(mkdtempSync(join(tmpdir(), 'ydb-unit-')), 'role');
    expect(readRoleFile(path)).toEqual({ kind: 'missing' });
    writeRoleFile(path, 'active');
    expect(readRoleFile(path)).toEqual({ kind: 'ok', role: 'active' });
    writeFileSync(path, 'leader');
    expect(readRoleFile(path)).toEqual({ kind: 'invalid', why: `${path} says "leader", not active or standby` });
  });

  it('trusts neither a symbolic link nor a file of another user, and the writer replaces a link', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydb-unit-'));
    const target = join(dir, 'planted');
    writeFileSync(target, 'active\n');
    const path = join(dir, 'role');
    symlinkSync(target, path);
    expect(readRoleFile(path)).toMatchObject({ kind: 'invalid', why: expect.stringContaining('symbolic link') });
    writeRoleFile(path, 'standby');
    expect(readRoleFile(path)).toEqual({ kind: 'ok', role: 'standby' });
    expect(readRoleFile(target)).toEqual({ kind: 'ok', role: 'active' });
    expect(readRoleFile(path, process.getuid!() + 1)).toMatchObject({
      kind: 'invalid',
      why: expect.stringContaining("not by the bot's user"),
    });
  });
});

describe('startRole', () => {
  it('takes the role file first, then BOT_ROLE', () => {
    expect(startRole({ kind: 'ok', role: 'active' }, 'standby')).toMatchObject({ role: 'active' });
    expect(startRole({ kind: 'ok', role: 'standby' }, 'active')).toMatchObject({ role: 'standby' });
    expect(startRole({ kind: 'missing' }, 'active')).toEqual({ role: 'active', from: 'BOT_ROLE' });
  });

  it('stands by, never answers, when the role cannot be determined', () => {
    expect(startRole({ kind: 'missing' }, undefined)).toEqual({
      role: 'standby',
      from: 'unknown (BOT_ROLE unset): standing by',
    });
    // A role file that cannot be trusted may have said "standby" (stepped down): BOT_ROLE=active
    // from the launch must not win over it.
    expect(startRole({ kind: 'invalid', why: '/run/discord-bot/control.role is a symbolic link' }, 'active')).toEqual({
      role: 'standby',
      from: 'unknown (/run/discord-bot/control.role is a symbolic link): standing by',
    });
    expect(startRole({ kind: 'missing' }, readConfig({}).role).role).toBe('standby');
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
