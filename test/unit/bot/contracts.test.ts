import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { botctlExit, type ControlResponse } from '../../../bot/contracts/botctl.js';
import type { Readiness } from '../../../bot/contracts/readiness.js';
import { bootRole, type BootRoleInputs } from '../../../bot/contracts/roles.js';
import { botctlAnswerSchema, healthBodySchema, type BotctlAnswer } from '../../../bot/contracts/schemas.js';
import { evaluateHealth } from '../../../bot/health/evaluate.js';
import { RELEASE_ENTRIES } from '../../../cli/release/build.js';

describe('bootRole', () => {
  const inputs = (
    legacyEnabled: boolean,
    enhancedEnabled: boolean,
    serving: BootRoleInputs['serving'],
  ): BootRoleInputs => ({ legacyEnabled, enhancedEnabled, serving, release: 'v2' });

  // [legacy enabled, enhanced enabled, serving] -> legacy's role, the serving release's, a candidate's
  it.each([
    [false, true, null, 'active', 'active', 'standby'],
    [false, true, 'legacy', 'active', 'active', 'standby'],
    [false, true, 'enhanced', 'standby', 'active', 'standby'],
    [true, false, null, 'active', 'standby', 'standby'],
    [true, false, 'enhanced', 'active', 'active', 'standby'],
    [true, true, null, 'active', 'standby', 'standby'],
    [true, true, 'legacy', 'active', 'standby', 'standby'],
    [true, true, 'enhanced', 'standby', 'active', 'standby'],
  ] as const)(
    'legacy %s, enhanced %s, serving %s: legacy %s, release %s, candidate %s',
    (legacy, enhanced, serving, legacyRole, releaseRole, candidateRole) => {
      const desired = inputs(legacy, enhanced, serving);
      expect(bootRole('legacy', 'v1', desired)).toBe(legacyRole);
      expect(bootRole('enhanced', 'v2', desired)).toBe(releaseRole);
      expect(bootRole('enhanced', 'v3', desired)).toBe(candidateRole);
    },
  );
});

describe('the health body', () => {
  const now = Date.parse('2026-01-01T00:00:10Z');
  const readiness: Readiness = {
    pid: 42,
    startedAt: now - 9000,
    readyAt: now - 8000,
    heartbeatAt: now - 1000,
    version: 'v1',
    instanceId: 'i-1',
    role: 'active',
    state: 'ready',
    discord: { ready: true, ping: 9, guilds: 1, lostAt: null },
    lastEventAt: null,
    lastInteractionId: null,
  };
  const cases = {
    starting: { read: { kind: 'missing' as const }, seenReady: false, pidAlive: false },
    healthy: { read: { kind: 'ok' as const, readiness }, seenReady: true, pidAlive: true },
    unhealthy: { read: { kind: 'ok' as const, readiness }, seenReady: true, pidAlive: false },
    stopping: {
      read: { kind: 'ok' as const, readiness: { ...readiness, state: 'stopping' as const } },
      seenReady: true,
      pidAlive: true,
    },
  };

  it.each(Object.entries(cases))('the bot builds %s as the CLI parses it, with its HTTP code', (status, inputs) => {
    const report = evaluateHealth({ now, shuttingDown: false, staleMs: 10_000, graceMs: 30_000, ...inputs });
    expect(healthBodySchema.parse(report.body)).toEqual(report.body);
    expect([report.body.status, report.code]).toEqual([status, status === 'healthy' ? 200 : 503]);
  });
});

describe('the botctl answer', () => {
  it('is what the bot answers on its socket', () => {
    expectTypeOf<ControlResponse>().toExtend<BotctlAnswer>();
    const refused: ControlResponse = { ok: false, error: 'refused', message: 'another instance still reports active' };
    expect(botctlAnswerSchema.parse(refused)).toEqual(refused);
  });

  it('gives botctl its exit code: 0 done, 1 unreachable, 2 usage, 3 refused', () => {
    expect(botctlExit({ ok: true })).toBe(0);
    expect(botctlExit({ ok: false, error: 'unreachable' })).toBe(1);
    expect(botctlExit({ ok: false, error: 'usage' })).toBe(2);
    expect(botctlExit({ ok: false, error: 'bad-request' })).toBe(2);
    expect(botctlExit({ ok: false, error: 'refused' })).toBe(3);
  });
});

describe('the release bundles', () => {
  it.each(Object.entries(RELEASE_ENTRIES))(
    '%s does not take zod with the contracts (the CLI parses, the bot only builds)',
    async (_file, entry) => {
      const root = fileURLToPath(new URL('../../../', import.meta.url));
      const { metafile } = await build({
        absWorkingDir: root,
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        write: false,
        metafile: true,
        logLevel: 'silent',
        external: ['zlib-sync', 'bufferutil', 'utf-8-validate', 'erlpack', '@discordjs/voice'],
      });
      const inputs = Object.keys(metafile.inputs);
      expect(inputs.filter((path) => path.includes('node_modules/zod/'))).toEqual([]);
      expect(inputs).toContain(entry);
    },
  );
});
