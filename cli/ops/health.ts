// One /health probe of an instance through SSM Run Command (the port is reachable inside the
// VPC only), and the contract of its body (DESIGN.md §4.1). Shared by status, health and
// monitor; core's health gate can reuse probeHealth/parseHealthOutput.
import { z } from 'zod';
import type { Instance, InstanceRole, RemoteExec } from '../ports.js';

export const healthBodySchema = z
  .object({
    status: z.enum(['starting', 'healthy', 'unhealthy', 'stopping']),
    timestamp: z.string(),
    uptime: z.number().optional(),
    version: z.string().optional(),
    instanceId: z.string().optional(),
    role: z.enum(['active', 'standby']).optional(),
    reason: z.string().optional(),
    discord: z.object({ ready: z.boolean().optional(), ping: z.number().optional(), guilds: z.number().optional() }).passthrough().optional(),
  })
  .passthrough();
export type HealthBody = z.infer<typeof healthBodySchema>;

/**
 * healthy/starting/unhealthy/stopping: what the body said. down: SSM reached the instance but
 * nothing answered on the health port. unreachable: SSM could not run the probe. invalid: an
 * answer that breaks the contract.
 */
export type HealthState = HealthBody['status'] | 'down' | 'unreachable' | 'invalid';

export interface HealthProbe {
  instanceId: string;
  role: InstanceRole;
  state: HealthState;
  httpStatus?: number;
  body?: HealthBody;
  /** The bot's role in the active/standby handoff, from the body. */
  botRole?: 'active' | 'standby';
  reason?: string;
  latencyMs: number;
  at: number;
}

export interface ProbeOptions {
  port: number;
  path: string;
  /** Give up on the SSM round trip after this long (unreachable). */
  timeoutMs: number;
  signal?: AbortSignal;
  now?: () => number;
}

/** The script run on the instance: body, then the HTTP status on its own last line. */
export function healthScript(port: number, path: string): string {
  return `curl -s -m 2 -o - -w '\\n%{http_code}' http://127.0.0.1:\${YDEPLOY_HEALTH_PORT:-${port}}${path}`;
}

/** Reads what healthScript printed. */
export function parseHealthOutput(stdout: string, exitCode = 0): Pick<HealthProbe, 'state' | 'httpStatus' | 'body' | 'botRole' | 'reason'> {
  const cut = stdout.lastIndexOf('\n');
  const code = Number((cut < 0 ? stdout : stdout.slice(cut + 1)).trim());
  const text = cut < 0 ? '' : stdout.slice(0, cut).trim();
  if (!Number.isInteger(code) || code === 0) {
    return { state: 'down', reason: `nothing answered on the health port (curl exit ${exitCode})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { state: 'invalid', httpStatus: code, reason: `HTTP ${code} with a body that is not JSON: ${text.slice(0, 80)}` };
  }
  const parsed = healthBodySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { state: 'invalid', httpStatus: code, reason: `HTTP ${code}, body breaks the contract: ${issue.path.join('.') || '$'} ${issue.message}` };
  }
  const body = parsed.data;
  const base = { httpStatus: code, body, botRole: body.role };
  if (body.status === 'healthy' && code !== 200) return { ...base, state: 'invalid', reason: `says healthy with HTTP ${code}` };
  if (body.status !== 'healthy' && code === 200) return { ...base, state: 'invalid', reason: `says ${body.status} with HTTP 200` };
  return { ...base, state: body.status, reason: body.reason };
}

export async function probeHealth(remote: RemoteExec, instance: Pick<Instance, 'id' | 'role'>, options: ProbeOptions): Promise<HealthProbe> {
  const now = options.now ?? Date.now;
  const started = now();
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const base = { instanceId: instance.id, role: instance.role, at: started };
  try {
    const result = await remote.run(instance.id, [healthScript(options.port, options.path)], { timeoutSeconds: 30, comment: 'ydeploy health probe', signal });
    const latencyMs = now() - started;
    if (result.status !== 'Success' && !/\n\d{3}\s*$/.test(result.stdout)) {
      return { ...base, latencyMs, state: 'unreachable', reason: `SSM command ${result.status}${result.stderr ? `: ${result.stderr.trim().slice(0, 120)}` : ''}` };
    }
    return { ...base, latencyMs, ...parseHealthOutput(result.stdout, result.exitCode) };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const why = timeout.aborted ? `no answer through SSM within ${options.timeoutMs / 1000}s` : (error as Error).message;
    return { ...base, latencyMs: now() - started, state: 'unreachable', reason: why };
  }
}

export function probeAll(remote: RemoteExec, instances: Pick<Instance, 'id' | 'role'>[], options: ProbeOptions): Promise<HealthProbe[]> {
  return Promise.all(instances.map((instance) => probeHealth(remote, instance, options)));
}

export const isHealthy = (probe: HealthProbe): boolean => probe.state === 'healthy';
