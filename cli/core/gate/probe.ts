// The scripts the health gate runs on an instance through SSM Run Command, and the parsing of
// what they print. Instance-local facts come from YDEPLOY_* variables with the EC2 defaults, so
// the same script works on EC2 and in the sandbox. Configured values are checked and
// single-quoted (core/shell.ts): only the instance's own variables are expanded. Pure: tested by
// exact equality.
import { healthHttpCode } from '../../../bot/contracts/health.js';
import { healthBodySchema, type HealthBody } from '../../../bot/contracts/schemas.js';
import { checkHttpUrl, checkPort, checkUrlPath, shellQuote } from '../shell.js';

export type { HealthBody };

/** GET /health on the instance; prints the body, then "<http code> <seconds>" on its own line. */
export function healthScript(port: number, path: string): string {
  const url = `"http://127.0.0.1:\${YDEPLOY_HEALTH_PORT:-${checkPort('health.port', port)}}"${shellQuote(checkUrlPath('health.path', path))}`;
  return `curl -s -m 2 -o - -w '\\n%{http_code} %{time_total}' ${url} || true`;
}

/** Any HTTP answer from Discord's API proves the route out (NAT, DNS, security group). */
export function discordScript(discordApi: string): string {
  // The configured base goes into a shell variable first: a default inside "${VAR:-…}" would be
  // expanded ($(…), backquotes), while "$api" is only ever the literal assigned to it.
  const base = checkHttpUrl('discordApi', discordApi).replace(/\/+$/, '');
  return `api=${shellQuote(base)}; curl -s -m 5 -o /dev/null -w '%{http_code}' "\${YDEPLOY_DISCORD_API:-$api}/v10/gateway" || true`;
}

export type HealthReading =
  /** Nothing answered on the port yet (connection refused, timeout). */
  | { kind: 'unreachable'; code: number; raw: string }
  /** Something answered, but not with the contract of DESIGN.md §4.1. */
  | { kind: 'invalid'; code: number; raw: string; problem: string }
  | { kind: 'ok'; code: number; body: HealthBody; raw: string; responseMs?: number };

export function parseHealthOutput(stdout: string): HealthReading {
  const text = stdout.replace(/\s+$/, '');
  const cut = text.lastIndexOf('\n');
  const raw = cut >= 0 ? text.slice(0, cut) : '';
  const [codeText, secondsText] = (cut >= 0 ? text.slice(cut + 1) : text).trim().split(/\s+/);
  const code = Number(codeText);
  if (!Number.isInteger(code) || code === 0) return { kind: 'unreachable', code: 0, raw: raw.slice(0, 500) };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', code, raw: raw.slice(0, 500), problem: 'the body is not JSON' };
  }
  const parsed = healthBodySchema.safeParse(json);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return { kind: 'invalid', code, raw: raw.slice(0, 500), problem };
  }
  const expected = healthHttpCode(parsed.data.status);
  if (code !== expected)
    return {
      kind: 'invalid',
      code,
      raw: raw.slice(0, 500),
      problem: `status "${parsed.data.status}" must come with HTTP ${expected}, got ${code}`,
    };
  const seconds = Number(secondsText);
  return {
    kind: 'ok',
    code,
    body: parsed.data,
    raw: raw.slice(0, 500),
    ...(Number.isFinite(seconds) ? { responseMs: Math.round(seconds * 1000) } : {}),
  };
}
