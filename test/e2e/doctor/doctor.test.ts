// `ydeploy doctor` in the sandbox, as a user runs it: a healthy legacy instance, then the same
// instance with its bot stopped.
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import type { InstancesState } from '../../../cli/sandbox/state-files.js';
import { freePort } from '../../_helpers/ports.js';
import { eventually, isolatedEnv, privateBuild, resultOf, ydeploy as run } from '../../_helpers/sandbox.js';
import { requireTool } from '../../_helpers/tools.js';

let cwd: string;
let env: NodeJS.ProcessEnv;
let build: Awaited<ReturnType<typeof privateBuild>>;
let legacyId: string;
const ydeploy = (args: string[]) => run(args, env, cwd, build.bin);

async function instances(): Promise<InstancesState> {
  return JSON.parse(await readFile(sandboxFiles(env.YDEPLOY_SANDBOX_DIR!).instances, 'utf8')) as InstancesState;
}

beforeAll(async () => {
  requireTool('terraform');
  requireTool('moto_server');
  build = await privateBuild();
  cwd = await mkdtemp(join(tmpdir(), 'ydeploy-doctor-e2e-'));
  env = isolatedEnv(join(cwd, '.ydeploy', 'sandbox'), (await freePort()) - ((await freePort()) % 100) + 60);
  const up = await ydeploy(['sandbox', 'up', '--json']);
  if (up.code !== 0) throw new Error(`sandbox up failed (${up.code}):\n${up.stderr}\n${up.stdout}`);
  legacyId = resultOf(up.stdout).legacy.instanceId;
});

afterAll(async () => {
  if (env) await ydeploy(['sandbox', 'down', '--purge']);
  if (cwd) await rm(cwd, { recursive: true, force: true });
  await build?.cleanup();
});

const finding = (result: Record<string, any>, id: string) => result.findings.find((f: { id: string }) => f.id === id);

describe('ydeploy doctor in the sandbox', () => {
  it('finds nothing wrong with a healthy instance', async () => {
    const { code, stdout, stderr, seconds } = await ydeploy(['doctor', '--env', 'sandbox', '--json']);
    const result = resultOf(stdout);
    expect(result.findings.filter((f: { severity: string }) => f.severity !== 'ok')).toEqual([]);
    expect(code, stderr).toBe(0);
    expect(result).toMatchObject({ type: 'result', ok: true, instance: { id: legacyId, role: 'legacy' } });
    expect(finding(result, 'bot-service').detail).toBe('active (running)');
    expect(finding(result, 'port').detail).toMatch(/^listening on 127\.0\.0\.1:\d+ \(node, pid \d+\)$/);
    expect(finding(result, 'health-endpoint').detail).toMatch(/^200 healthy/);
    expect(finding(result, 'outbound').detail).toMatch(/^Discord answered \(HTTP \d{3}\)$/);
    expect(finding(result, 'route').detail).toMatch(/0\.0\.0\.0\/0 → igw-/);
    expect(finding(result, 'sg-internet').severity).toBe('ok');
    expect(stdout.split('\n').filter((l) => l.includes('"type":"finding"')).length).toBe(result.findings.length);
    console.info(`doctor on a healthy sandbox instance: ${seconds.toFixed(1)} s`);
  });

  it('explains a stopped bot, and exits 1', async () => {
    const bot = (await instances()).instances[legacyId]!.units.bot;
    process.kill(bot.pid!, 'SIGTERM');
    await eventually(
      'the bot unit to be inactive',
      async () => (await instances()).instances[legacyId]!.units.bot.status === 'inactive',
      20_000,
    );
    const { code, stdout } = await ydeploy(['doctor', '--env', 'sandbox', '--instance', legacyId]);
    expect(code).toBe(1);
    expect(stdout).toContain('✖ systemd service discord-bot: inactive (dead)');
    expect(stdout).toContain(
      'why: the bot is not running, so the readiness file is not refreshed and /health reports it unhealthy',
    );
    expect(stdout).toContain('→ read why in the log');
    expect(stdout).toContain('✔ systemd service discord-health: active (running)');
    expect(stdout).toContain('✖ readiness file: absent');
    expect(stdout).toMatch(/✖ GET \/health on the instance: 503 unhealthy/);
  });

  it('says clearly when there is no such instance', async () => {
    const { code, stderr } = await ydeploy(['doctor', '--env', 'sandbox', '--instance', 'enhanced']);
    expect(code).toBe(1);
    expect(stderr).toContain('no running enhanced instance in sandbox');
    expect(stderr).toContain('→ ydeploy status --env sandbox');
  });
});
