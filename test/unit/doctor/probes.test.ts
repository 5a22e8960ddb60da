// The troubleshooting script itself, run by bash on this machine with stand-in systemctl and
// journalctl, a real health server on a free port and a readiness file: the same script SSM runs.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProbes, probes, script } from '../../../cli/doctor/probes.js';
import { diagnose } from '../../../cli/doctor/rules.js';
import { freePort } from '../../_helpers/ports.js';

const run = promisify(execFile);
let dir: string;
let bin: string;
let server: Server;
let port: number;

async function tool(name: string, body: string) {
  await writeFile(join(bin, name), `#!/bin/sh\n${body}\n`);
  await chmod(join(bin, name), 0o755);
}

async function runScript(env: Record<string, string>) {
  const commands = script(probes({ discordApi: `http://127.0.0.1:${port}/api`, dnsNames: ['localhost'] }));
  const { stdout } = await run('bash', ['-c', commands.join('\n')], {
    env: { PATH: `${bin}:${process.env.PATH}`, YDEPLOY_HEALTH_PORT: String(port), ...env },
  });
  return parseProbes(stdout);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ydeploy-doctor-'));
  bin = join(dir, 'bin');
  await run('mkdir', ['-p', bin]);
  port = await freePort();
  server = createServer((req, res) => {
    const healthy = req.url === '/health';
    res
      .writeHead(healthy ? 200 : 401, { 'content-type': 'application/json' })
      .end(healthy ? JSON.stringify({ status: 'healthy', version: 'v1' }) : '{"message":"401: Unauthorized"}');
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('the troubleshooting script', () => {
  it('reads a healthy instance', async () => {
    await tool(
      'systemctl',
      'case "$1" in is-active) echo active;; show) printf "ActiveState=active\\nSubState=running\\nNRestarts=0\\n";; esac',
    );
    await tool('journalctl', 'echo \'{"level":30,"msg":"ready"}\'');
    const ready = join(dir, 'bot-ready');
    await writeFile(
      ready,
      JSON.stringify({ pid: process.pid, heartbeatAt: Date.now(), state: 'ready', discord: { ready: true } }),
    );
    const results = await runScript({ YDEPLOY_READY_FILE: ready });
    expect([...results.keys()]).toEqual([
      'bot-active',
      'bot-show',
      'bot-logs',
      'health-active',
      'health-show',
      'health-logs',
      'port',
      'health-endpoint',
      'ready-file',
      'clock',
      'dns',
      'outbound',
    ]);
    const findings = diagnose({
      instance: { id: 'i-1', kind: 'enhanced', state: 'running', environment: 'sandbox', privateSubnet: true },
      healthPort: port,
      sandbox: true,
      probes: results,
    });
    expect(findings.filter((f) => f.severity !== 'ok').map((f) => `${f.id}: ${f.detail}`)).toEqual([]);
    expect(findings.find((f) => f.id === 'outbound')!.detail).toBe('Discord answered (HTTP 401)');
    expect(findings.find((f) => f.id === 'port')!.detail).toMatch(/^listening/);
  });

  it('reads a broken one: bot stopped, no readiness file', async () => {
    await tool(
      'systemctl',
      'case "$1" in is-active) echo inactive; exit 3;; show) printf "ActiveState=inactive\\nSubState=dead\\nNRestarts=2\\n";; esac',
    );
    const results = await runScript({ YDEPLOY_READY_FILE: join(dir, 'absent') });
    expect(results.get('bot-active')).toMatchObject({ exitCode: 3, output: 'inactive', unavailable: false });
    expect(results.get('ready-file')!.exitCode).not.toBe(0);
    const findings = diagnose({
      instance: { id: 'i-1', kind: 'enhanced', state: 'running', environment: 'sandbox', privateSubnet: true },
      healthPort: port,
      sandbox: true,
      probes: results,
    });
    expect(findings.find((f) => f.id === 'bot-service')).toMatchObject({
      severity: 'problem',
      detail: 'inactive (dead), 2 restarts',
    });
    expect(findings.find((f) => f.id === 'ready-file')).toMatchObject({ severity: 'problem', detail: 'absent' });
  });
});
