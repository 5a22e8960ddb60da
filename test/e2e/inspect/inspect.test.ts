// The operating commands in a real sandbox (built CLI, real bots): `logs --follow` shows a
// bot's lines within 3 s and picks up a new instance; `status` shows both instances in the
// middle of a migration; `cost` prices what desired.json runs; `health --wait`; Ctrl-C stops
// --follow cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, ydeploy } from '../../_helpers/sandbox.js';
import { requireTool } from '../../_helpers/tools.js';
import { Follower, followLatency, launchEnhanced, opsSandbox, type OpsSandbox } from './sandbox-inspect.js';

let sb: OpsSandbox;
let follower: Follower | undefined;
let enhancedId = '';

beforeAll(async () => {
  requireTool('terraform');
  requireTool('moto_server');
  sb = await opsSandbox();
});

afterAll(async () => {
  await follower?.interrupt();
  await sb?.down();
});

describe('ydeploy logs / status / health in the sandbox', () => {
  it("logs --follow shows a real bot's lines within 3 s of the bot writing them", async () => {
    follower = new Follower(sb, ['--stream', 'bot', '--since', '2m']);
    // The legacy bot's start-up lines, from before the follow began.
    await follower.waitFor('the legacy bot\'s "ready on Discord"', () =>
      follower!.lines.find((l) => l.event.instanceId === sb.legacyId && l.event.message.includes('ready on Discord')),
    );
    const latencies: number[] = [];
    for (let n = 0; n < 3; n++) latencies.push(await followLatency(sb, follower, sb.legacyId));
    console.info(`logs --follow latency (bot wrote -> line shown): ${latencies.join(', ')} ms`);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(3000);
    expect(follower.lines.every((l) => l.event.role === 'legacy' && l.event.stream.endsWith('-bot'))).toBe(true);
  });

  it('picks up the enhanced instance of a migration as it appears; health --wait sees it healthy', async () => {
    enhancedId = await launchEnhanced(sb);
    const started = await follower!.waitFor(
      "the new enhanced bot's lines",
      () =>
        follower!.lines.find((l) => l.event.instanceId === enhancedId && l.event.message.includes('ready on Discord')),
      60_000,
    );
    expect(started.event.role).toBe('enhanced');
    const health = await ydeploy(
      ['health', '--env', 'sandbox', '--instance', 'enhanced', '--wait', '--timeout', '60s', '--json'],
      sb.env,
      sb.cwd,
    );
    expect(health.code, health.stderr).toBe(0);
    expect(resultOf(health.stdout)).toMatchObject({
      healthy: true,
      instances: [{ instanceId: enhancedId, role: 'enhanced', state: 'healthy', botRole: 'standby' }],
    });
    // Every event once, across both instances.
    const ids = follower!.lines.map((l) => l.event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('status shows both instances in the middle of the migration, each with its health and streams', async () => {
    const run = await ydeploy(['status', '--env', 'sandbox', '--json'], sb.env, sb.cwd);
    expect(run.code, run.stderr).toBe(0);
    const status = resultOf(run.stdout);
    console.info(`status with two instances: gathered in ${status.tookMs} ms, command ${run.seconds.toFixed(2)} s`);
    expect(status.tookMs).toBeLessThan(3000);
    expect(
      status.instances.map((i: any) => [i.role, i.id, i.state, i.subnet, i.health.state, i.health.botRole]),
    ).toEqual([
      ['legacy', sb.legacyId, 'running', 'public', 'healthy', 'active'],
      ['enhanced', enhancedId, 'running', 'private', 'healthy', 'standby'],
    ]);
    const streams = status.streams.map((s: any) => s.name);
    for (const id of [sb.legacyId, enhancedId])
      expect(streams).toEqual(expect.arrayContaining([`${id}-bot`, `${id}-health`]));
    expect(status.network).toMatchObject({ instances: { legacy: { id: sb.legacyId } } });
    expect(status.alarms.length).toBeGreaterThan(0);
    expect(status.errors).toEqual({});

    const screen = await ydeploy(['status', '--env', 'sandbox'], sb.env, sb.cwd);
    expect(screen.stdout).toMatch(new RegExp(`legacy\\s+│ ${sb.legacyId} │ running │ public .*healthy \\(active\\)`));
    expect(screen.stdout).toMatch(new RegExp(`enhanced │ ${enhancedId} │ running │ private .*healthy \\(standby\\)`));
  });

  it("cost prices what desired.json runs (legacy in the public subnet; the enhanced instance launched by hand is not the module's)", async () => {
    const run = await ydeploy(['cost', '--env', 'sandbox', '--json'], sb.env, sb.cwd);
    expect(run.code, run.stderr).toBe(0);
    const result = resultOf(run.stdout);
    expect(result.basis).toMatch(/^s3:\/\/\S+\/desired\.json$/);
    const lines = result.cost.lines as { id: string; quantity: number; monthly: number | null; basis?: string }[];
    const instances = lines.filter((l) => l.id.startsWith('instance:'));
    expect(instances).toHaveLength(1);
    expect(instances[0].monthly).toBeGreaterThan(0);
    // Two public IPv4 addresses all month: the NAT gateway's and legacy's.
    expect(lines.find((l) => l.id === 'public-ipv4')?.quantity).toBe(2 * 730);
    expect(lines.find((l) => l.id === 'nat-hours')?.monthly).toBeGreaterThan(30);
    expect(result.cost.unpriced).toEqual([]);
    expect(result.cost.total).toBeGreaterThan(40);
    // Volumes are either measured by the sandbox's CloudWatch or said to be assumed.
    expect(lines.find((l) => l.id === 'logs-ingest')?.basis).toMatch(/measured|assumed/);
    const screen = await ydeploy(['cost', '--env', 'sandbox'], sb.env, sb.cwd);
    expect(screen.code, screen.stderr).toBe(0);
    expect(screen.stdout).toMatch(/NAT gateway/);
  });

  it('Ctrl-C stops logs --follow cleanly', async () => {
    const code = await follower!.interrupt();
    follower = undefined;
    expect(code).toBe(0);
  });
});
