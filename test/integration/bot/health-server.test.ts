// The health server process on its own, driven by hand-written readiness files: the §4.1
// contract, HEAD, 404/405, malformed requests, a crashed bot's stale file, its own shutdown.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, scratch, sleep, startHealth, type Proc } from '../../_helpers/bot.js';

let health: Proc & { url: string };
let readyFile: string;

beforeAll(async () => {
  readyFile = join(scratch(), 'bot-ready');
  health = await startHealth({
    READY_FILE: readyFile,
    HEALTH_CACHE_MS: '0',
    HEALTH_STALE_MS: '3000',
    HEALTH_DRAIN_MS: '1000',
  });
});
afterAll(() => health?.stop('SIGKILL'));

const write = (patch: Record<string, unknown>) => {
  const now = Date.now();
  writeFileSync(
    readyFile,
    JSON.stringify({
      pid: process.pid,
      startedAt: now - 5000,
      readyAt: now - 4000,
      heartbeatAt: now,
      version: 'v7',
      instanceId: 'i-h',
      role: 'active',
      state: 'ready',
      discord: { ready: true, ping: 9, guilds: 2, lostAt: null },
      lastEventAt: null,
      lastInteractionId: null,
      ...patch,
    }),
  );
};

function raw(text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(health.url).port), '127.0.0.1');
    let out = '';
    socket.on('data', (c) => (out += c));
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
    socket.write(text);
    setTimeout(() => socket.destroy(), 1000);
  });
}

describe('health server', () => {
  it('is starting before the bot is ready; HEAD has the status and no body', async () => {
    expect(await probe(health.url)).toEqual({ code: 503, body: { status: 'starting', timestamp: expect.any(String) } });
    const head = await fetch(health.url, { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(head.headers.get('content-type')).toBe('application/json');
    expect(await head.text()).toBe('');
  });

  it('is healthy from a fresh file with a live pid, with the contract fields', async () => {
    write({});
    const { code, body } = await probe(`${health.url}?probe=1`);
    expect(code).toBe(200);
    expect(body).toMatchObject({
      status: 'healthy',
      uptime: 5,
      version: 'v7',
      instanceId: 'i-h',
      role: 'active',
      discord: { ready: true, ping: 9, guilds: 2 },
    });
    expect(Date.parse(body.timestamp)).toBeGreaterThan(Date.now() - 5000);
    // Both ends of "bot start → ready on Discord", which a deployment's gate records.
    expect(Date.parse(body.readyAt) - Date.parse(body.startedAt)).toBe(1000);
  });

  it("never reads a crashed bot's file as healthy: dead pid, stale heartbeat, garbage", async () => {
    const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
    write({ pid: deadPid });
    expect(await probe(health.url)).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: `bot process ${deadPid} is not running` },
    });
    write({ heartbeatAt: Date.now() - 4000 });
    expect((await probe(health.url)).body.reason).toMatch(/^heartbeat stale: last one 4(\.\d)? s ago \(limit 3 s\)$/);
    writeFileSync(readyFile, '{"pid": 1, "half');
    expect(await probe(health.url)).toMatchObject({
      code: 503,
      body: { status: 'unhealthy', reason: 'readiness file is not JSON' },
    });
    write({ state: 'stopping' });
    expect(await probe(health.url)).toMatchObject({ code: 503, body: { status: 'stopping' } });
  });

  it('answers other paths with a JSON 404 and other methods with 405', async () => {
    const res = await fetch(health.url.replace('/health', '/metrics'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ status: 'not_found', path: '/metrics' });
    const post = await fetch(health.url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('survives malformed requests', async () => {
    expect(await raw('GARBAGE\r\n\r\n')).toContain('400 Bad Request');
    expect(await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 431/,
    );
    expect(await raw('GET /health HTTP/1.1\r\nContent-Length: -5\r\n\r\n')).toContain('400');
    await raw('GET /%%%%%/../\u0000 HTTP/1.1\r\nHost: x\r\n\r\n');
    await raw('\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003'); // a TLS hello
    const half = connect(Number(new URL(health.url).port), '127.0.0.1');
    half.write('GET /health HTTP/1.1\r\nHo');
    half.on('error', () => {});
    await sleep(50);
    half.destroy();
    write({});
    expect((await probe(health.url)).code).toBe(200);
    expect(health.child.exitCode).toBeNull();
  });

  it('says stopping during its own graceful shutdown, then exits 0', async () => {
    write({});
    health.child.kill('SIGTERM');
    await sleep(200);
    expect(await probe(health.url)).toMatchObject({
      code: 503,
      body: { status: 'stopping', reason: 'health server shutting down' },
    });
    const exit = await health.exited;
    expect(exit.code).toBe(0);
    expect(health.output()).toContain('health server stopping');
  });
});
