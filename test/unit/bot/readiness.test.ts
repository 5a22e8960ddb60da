import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReadiness } from '../../../bot/contracts/readiness.js';
import { readReadiness, removeReadiness, writeReadiness } from '../../../bot/readiness/file.js';
import { ReadinessWriter } from '../../../bot/readiness/writer.js';

const valid = {
  pid: 1,
  startedAt: 1,
  readyAt: 2,
  heartbeatAt: 3,
  version: 'v1',
  instanceId: 'i-1',
  role: 'standby',
  state: 'ready',
  discord: { ready: true, ping: 5, guilds: 1, lostAt: null },
  lastEventAt: 7,
  lastInteractionId: '123',
};

describe('parseReadiness', () => {
  it('reads a complete file', () => {
    expect(parseReadiness(JSON.stringify(valid))).toEqual({ kind: 'ok', readiness: valid });
  });

  it('says why a file is invalid', () => {
    expect(parseReadiness('{"pid":')).toEqual({ kind: 'invalid', why: 'readiness file is not JSON' });
    expect(parseReadiness(JSON.stringify({ ...valid, heartbeatAt: 'soon' }))).toEqual({
      kind: 'invalid',
      why: 'readiness file has no numeric heartbeatAt',
    });
    expect(parseReadiness(JSON.stringify({ ...valid, role: 'leader' }))).toEqual({
      kind: 'invalid',
      why: 'readiness file role "leader" is not active or standby',
    });
    expect(parseReadiness(JSON.stringify({ ...valid, discord: {} }))).toEqual({
      kind: 'invalid',
      why: 'readiness file has no discord.ready',
    });
    expect(parseReadiness('null').kind).toBe('invalid');
  });

  it('defaults optional fields and treats an unknown state as ready', () => {
    const { lastEventAt: _a, lastInteractionId: _b, ...rest } = valid;
    const read = parseReadiness(JSON.stringify({ ...rest, state: 'weird', discord: { ready: false } }));
    expect(read).toMatchObject({
      kind: 'ok',
      readiness: {
        state: 'ready',
        lastEventAt: null,
        lastInteractionId: null,
        discord: { ready: false, ping: -1, guilds: 0, lostAt: null },
      },
    });
  });
});

describe('readiness file on disk', () => {
  it('is written atomically (no temp file left), read back, and removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydb-unit-'));
    const path = join(dir, 'bot-ready');
    expect(readReadiness(path)).toEqual({ kind: 'missing' });
    writeReadiness(path, valid as never);
    expect(readdirSync(dir)).toEqual(['bot-ready']);
    expect(readReadiness(path)).toEqual({ kind: 'ok', readiness: valid });
    removeReadiness(path);
    removeReadiness(path);
    expect(readReadiness(path)).toEqual({ kind: 'missing' });
  });

  it("is readable by an operator's shell whatever the unit's UMask", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydeploy-ready-'));
    const path = join(dir, 'bot-ready');
    const previous = process.umask(0o027);
    try {
      writeReadiness(path, valid as never);
    } finally {
      process.umask(previous);
    }
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('is not fooled by a symbolic link: it reads as invalid, and the writer replaces it instead of writing through it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydb-unit-'));
    const target = join(dir, 'elsewhere');
    writeFileSync(target, JSON.stringify(valid));
    const path = join(dir, 'bot-ready');
    symlinkSync(target, path);
    expect(readReadiness(path)).toEqual({
      kind: 'invalid',
      why: `${path} is a symbolic link, not a file the bot wrote`,
    });
    writeReadiness(path, { ...valid, pid: 2 } as never);
    expect(JSON.parse(readFileSync(target, 'utf8')).pid).toBe(1);
    expect(readReadiness(path)).toMatchObject({ kind: 'ok', readiness: { pid: 2 } });
  });

  it("trusts only a file owned by the bot's user", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydb-unit-'));
    const path = join(dir, 'bot-ready');
    writeReadiness(path, valid as never);
    const uid = process.getuid!();
    expect(readReadiness(path, uid).kind).toBe('ok');
    expect(readReadiness(path, uid + 1)).toEqual({
      kind: 'invalid',
      why: `${path} is owned by uid ${uid}, not by the bot's user (uid ${uid + 1})`,
    });
  });

  it('never follows a link planted at a temp path: temp names are new files (O_EXCL) each time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydb-unit-'));
    const path = join(dir, 'bot-ready');
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep');
    // The old fixed temp name: a link there used to be written through.
    symlinkSync(victim, `${path}.${process.pid}.tmp`);
    writeReadiness(path, valid as never);
    expect(readFileSync(victim, 'utf8')).toBe('keep');
    expect(readReadiness(path).kind).toBe('ok');
  });

  it('reports an unreadable path as invalid, not missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydb-unit-'));
    expect(readReadiness(dir)).toMatchObject({ kind: 'invalid' });
  });
});

describe('ReadinessWriter', () => {
  it('writes nothing before ready, then role, Discord state and the last handled interaction; stopping; removal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydb-unit-'));
    const path = join(dir, 'bot-ready');
    let role: 'active' | 'standby' = 'active';
    const writer = new ReadinessWriter(
      path,
      { version: 'v9', instanceId: 'i-9', startedAt: 100, heartbeatMs: 60_000 },
      {
        discord: () => ({ ready: true, ping: 12, guilds: 2, lostAt: null }),
        role: () => role,
        lastHandled: () => ({ id: '555', at: 1234 }),
      },
      (error) => {
        throw error;
      },
    );
    writer.touch();
    expect(readReadiness(path).kind).toBe('missing');
    writer.ready();
    const first = JSON.parse(readFileSync(path, 'utf8'));
    expect(first).toMatchObject({
      pid: process.pid,
      startedAt: 100,
      version: 'v9',
      instanceId: 'i-9',
      role: 'active',
      state: 'ready',
      discord: { ready: true, ping: 12, guilds: 2 },
      lastEventAt: 1234,
      lastInteractionId: '555',
    });
    role = 'standby';
    writer.touch();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ role: 'standby', readyAt: first.readyAt });
    writer.markStopping();
    expect(JSON.parse(readFileSync(path, 'utf8')).state).toBe('stopping');
    writer.remove();
    expect(readReadiness(path).kind).toBe('missing');
  });
});
