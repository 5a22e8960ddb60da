import { describe, expect, it } from 'vitest';
import { discordScript, healthScript, parseHealthOutput } from '../../../../cli/core/gate/probe.js';
import { activateScript, parseBotctl, stepDownScript } from '../../../../cli/core/handoff/botctl.js';

describe('health gate scripts', () => {
  it('probes /health on the instance-local port, defaulting to the configured one', () => {
    expect(healthScript(3000, '/health')).toBe(
      `curl -s -m 2 -o - -w '\\n%{http_code} %{time_total}' "http://127.0.0.1:\${YDEPLOY_HEALTH_PORT:-3000}"'/health' || true`,
    );
    expect(discordScript('https://discord.com/api/')).toBe(
      `api='https://discord.com/api'; curl -s -m 5 -o /dev/null -w '%{http_code}' "\${YDEPLOY_DISCORD_API:-$api}/v10/gateway" || true`,
    );
  });

  it('reads the contract: starting, healthy, with the response time', () => {
    expect(parseHealthOutput('{"status":"starting","timestamp":"2026-11-26T10:00:00Z"}\n503 0.004')).toMatchObject({
      kind: 'ok',
      code: 503,
      body: { status: 'starting' },
      responseMs: 4,
    });
    const healthy = parseHealthOutput(
      '{"status":"healthy","timestamp":"t","uptime":3,"role":"standby","discord":{"ready":true,"ping":40,"guilds":1}}\n200 0.012\n',
    );
    expect(healthy).toMatchObject({
      kind: 'ok',
      code: 200,
      body: { status: 'healthy', role: 'standby' },
      responseMs: 12,
    });
  });

  it('nothing listening yet is "unreachable", not a failure', () => {
    expect(parseHealthOutput('\n000 0.000')).toEqual({ kind: 'unreachable', code: 0, raw: '' });
    expect(parseHealthOutput('')).toMatchObject({ kind: 'unreachable' });
  });

  it('a body that is not the contract is "invalid" with the reason', () => {
    expect(parseHealthOutput('<html>hi</html>\n200 0.001')).toMatchObject({
      kind: 'invalid',
      problem: 'the body is not JSON',
    });
    expect(parseHealthOutput('{"status":"great"}\n200 0.001')).toMatchObject({ kind: 'invalid', code: 200 });
    expect(parseHealthOutput('{"status":"healthy","timestamp":"t"}\n503 0.001')).toMatchObject({
      kind: 'invalid',
      problem: 'status "healthy" must come with HTTP 200, got 503',
    });
  });
});

describe('botctl', () => {
  it('runs from the release directory', () => {
    expect(stepDownScript()).toBe('node "${YDEPLOY_RELEASE_DIR:-/opt/discord-bot/current}/botctl.mjs" step-down');
    expect(activateScript({ after: '1234567890123456789' })).toBe(
      `node "\${YDEPLOY_RELEASE_DIR:-/opt/discord-bot/current}/botctl.mjs" activate --after '1234567890123456789'`,
    );
    expect(activateScript({})).toBe(
      'node "${YDEPLOY_RELEASE_DIR:-/opt/discord-bot/current}/botctl.mjs" activate --force',
    );
    expect(activateScript({ after: '0', peerActive: true })).toMatch(/activate --after '0' --peer-active$/);
  });

  it('parses its JSON answer and nothing else', () => {
    expect(parseBotctl('{"ok":true,"role":"standby","lastEventAt":null,"after":"0"}')).toMatchObject({
      ok: true,
      role: 'standby',
      after: '0',
    });
    expect(
      parseBotctl('{"ok":false,"error":"unreachable","message":"the bot is not reachable on /run/x.sock: ENOENT"}'),
    ).toMatchObject({ ok: false, error: 'unreachable' });
    expect(parseBotctl('node: not found')).toBeUndefined();
  });
});
