// The health gate (the guide's deployment verification), in order: running and Online in SSM,
// /health "starting" -> "healthy", Discord reachable from the instance, logs flowing in both
// streams, commands working. Each check is timed; a failure says which check, the last health
// body, and what to run.
import type { Instance, StepHandle } from '../../ports.js';
import { ExitCode, UserError } from '../../errors.js';
import { tuning, type Context } from '../context.js';
import { parseBotctl, statusScript } from '../handoff/botctl.js';
import { poll } from '../poll.js';
import { probeCommand } from './command.js';
import { logGroupName } from '../../config/names.js';
import { waiting } from '../metrics/meter.js';
import { botReadyMs, responseTimes, type ResponseTimes } from '../metrics/metrics.js';
import { discordScript, healthScript, parseHealthOutput, type HealthBody, type HealthReading } from './probe.js';

export interface GateTarget {
  /** "enhanced 2026.11.26" — how messages name it. */
  label: string;
  /** Finds the instance (it may not exist yet right after an apply). */
  find(): Promise<Instance | undefined>;
  /** An active bot must answer a command; a standby one answers nothing until the handoff; 'either' takes it as it is. */
  expectActive: boolean | 'either';
  /** The release whose manifest names the command to send (default: the instance's release tag). */
  release?: string;
  /** A sharded fleet's instance: the probe goes to a guild on this shard, the one it answers for. */
  shard?: { id: number; count: number };
}

export interface GateCheck {
  name: string;
  seconds: number;
  detail: string;
}

export interface GateReport {
  instanceId: string;
  release?: string;
  /** Instance launch -> Online in SSM: the guide's "instance launch time". */
  launchSeconds?: number;
  /** Instance launch -> "healthy": the guide's "bot readiness time". */
  readinessSeconds?: number;
  startingSeen: boolean;
  healthyAt: string;
  responseMs?: number;
  /** Every /health probe that got an answer during the gate: median and 95th percentile. */
  healthResponseMs?: ResponseTimes;
  /** The bot process's start → ready on Discord, as its /health body reports (newer bots only). */
  botReadyMs?: number;
  role?: string;
  checks: GateCheck[];
}

export class GateFailed extends UserError {
  constructor(target: GateTarget, check: string, why: string, instance: Instance | undefined, lastBody?: string) {
    const id = instance?.id;
    super(`health gate failed for ${target.label}${id ? ` (${id})` : ''} at "${check}"`, why, {
      code: ExitCode.healthGate,
      fix: id ? `ydeploy logs --instance ${id} --since 15m; ydeploy doctor --instance ${id}` : 'ydeploy status',
      details: { check, ...(id ? { instance: id } : {}), ...(lastBody ? { lastHealthBody: lastBody } : {}) },
    });
    this.name = 'GateFailed';
  }
}

/** The gate, all of it waiting on the instance: its sleeps between probes too. */
export function healthGate(ctx: Context, target: GateTarget): Promise<GateReport> {
  return waiting(ctx, () => runGate(ctx, target));
}

async function runGate(ctx: Context, target: GateTarget): Promise<GateReport> {
  const checks: GateCheck[] = [];
  const timed = async <T>(
    name: string,
    check: (handle: StepHandle) => Promise<{ value: T; detail: string }>,
  ): Promise<T> => {
    const handle = ctx.reporter.step(name, { check: name });
    const started = ctx.clock.now();
    try {
      const { value, detail } = await check(handle);
      const seconds = (ctx.clock.now() - started) / 1000;
      checks.push({ name, seconds: Math.round(seconds * 100) / 100, detail });
      handle.succeed(detail);
      return value;
    } catch (error) {
      handle.fail(error instanceof UserError ? error.why : (error as Error).message);
      throw error;
    }
  };

  const { instance, onlineAt } = await timed('instance running and Online in SSM', (h) => waitOnline(ctx, target, h));
  const launchAt = instance.launchTime?.getTime();
  const health = await timed('/health: "starting" then "healthy"', (h) => waitHealthy(ctx, target, instance, h));
  await timed('Discord reachable from the instance', () => checkDiscord(ctx, target, instance));
  await timed('logs flowing (bot and health streams)', (h) => waitLogs(ctx, target, instance, h));
  await timed(target.expectActive ? 'commands answered' : 'commands ready (standby until the handoff)', () =>
    checkCommands(ctx, target, instance, health.body),
  );

  return {
    instanceId: instance.id,
    release: instance.release,
    ...(launchAt !== undefined
      ? { launchSeconds: secondsBetween(launchAt, onlineAt), readinessSeconds: secondsBetween(launchAt, health.at) }
      : {}),
    startingSeen: health.startingSeen,
    healthyAt: new Date(health.at).toISOString(),
    responseMs: health.responseMs,
    ...optional('healthResponseMs', responseTimes(health.responses)),
    ...optional('botReadyMs', botReadyMs(health.body)),
    role: health.body.role,
    checks,
  };
}

async function waitOnline(ctx: Context, target: GateTarget, handle: StepHandle) {
  const { onlineTimeout, pollInterval } = ctx.env.health;
  let last: Instance | undefined;
  let ping = 'Unknown';
  return poll(
    { timeoutMs: onlineTimeout, intervalMs: pollInterval, clock: ctx.clock, signal: ctx.signal },
    async () => {
      last = await target.find();
      if (last?.state === 'running') {
        ping = (await ctx.remote.online([last.id])).get(last.id) ?? 'Unknown';
        if (ping === 'Online')
          return { value: { instance: last, onlineAt: ctx.clock.now() }, detail: `${last.id} Online` };
      }
      handle.update(last ? `${last.id}: ${last.state}, SSM ${ping}` : 'waiting for the instance to exist');
      return undefined;
    },
    () => {
      const after = seconds(onlineTimeout);
      const why = last
        ? `${last.id} is ${last.state}, SSM agent ${ping} after ${after}`
        : `no such instance after ${after}`;
      throw new GateFailed(target, 'instance running and Online in SSM', why, last);
    },
  );
}

async function waitHealthy(ctx: Context, target: GateTarget, instance: Instance, handle: StepHandle) {
  const { port, path, pollInterval, gateTimeout } = ctx.env.health;
  let startingSeen = false;
  let unhealthyInARow = 0;
  let last: HealthReading | undefined;
  /** Response time of every probe the health server answered, whatever its status. */
  const responses: number[] = [];
  const probe = async () => {
    const result = await ctx.remote.run(instance.id, [healthScript(port, path)], {
      timeoutSeconds: 30,
      comment: 'ydeploy health gate',
      signal: ctx.signal,
    });
    last =
      result.status === 'Success'
        ? parseHealthOutput(result.stdout)
        : { kind: 'unreachable', code: 0, raw: `Run Command ${result.status}: ${result.stderr.slice(0, 200)}` };
    if (last.kind === 'invalid') {
      throw new GateFailed(
        target,
        '/health',
        `the health endpoint answered HTTP ${last.code} with a body that is not the contract (${last.problem})`,
        instance,
        last.raw,
      );
    }
    if (last.kind === 'ok' && last.responseMs !== undefined) responses.push(last.responseMs);
    if (last.kind !== 'ok') {
      handle.update(last.raw.startsWith('Run Command') ? last.raw : 'health server not answering yet');
      return undefined;
    }
    const status = last.body.status;
    if (status === 'starting') startingSeen = true;
    if (status === 'healthy') {
      const detail = startingSeen ? 'starting → healthy' : 'healthy (became ready before "starting" was observed)';
      return {
        value: { body: last.body, at: ctx.clock.now(), startingSeen, responseMs: last.responseMs, responses },
        detail: `${detail}${last.body.role ? `, ${last.body.role}` : ''}`,
      };
    }
    unhealthyInARow = status === 'unhealthy' ? unhealthyInARow + 1 : 0;
    if (unhealthyInARow >= tuning(ctx).unhealthyProbesToFail) {
      throw new GateFailed(
        target,
        '/health',
        `the bot reports "unhealthy"${last.body.reason ? `: ${last.body.reason}` : ''} (${unhealthyInARow} probes in a row)`,
        instance,
        last.raw,
      );
    }
    handle.update(status);
    return undefined;
  };
  return poll({ timeoutMs: gateTimeout, intervalMs: pollInterval, clock: ctx.clock, signal: ctx.signal }, probe, () => {
    const seen =
      last?.kind === 'ok'
        ? `still "${last.body.status}"${last.body.reason ? ` (${last.body.reason})` : ''}`
        : 'the health server never answered';
    throw new GateFailed(
      target,
      '/health',
      `not healthy after ${seconds(gateTimeout)}: ${seen}`,
      instance,
      last?.raw || undefined,
    );
  });
}

async function checkDiscord(ctx: Context, target: GateTarget, instance: Instance) {
  let code = '000';
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await ctx.remote.run(instance.id, [discordScript(ctx.env.discordApi)], {
      timeoutSeconds: 30,
      comment: 'ydeploy discord check',
      signal: ctx.signal,
    });
    code = result.stdout.trim().split(/\s+/).pop() || '000';
    if (result.status === 'Success' && /^[1-5]\d\d$/.test(code))
      return { value: undefined, detail: `gateway API answered HTTP ${code}` };
    await ctx.clock.sleep(ctx.env.health.pollInterval, ctx.signal);
  }
  throw new GateFailed(
    target,
    'Discord reachable from the instance',
    `no answer from ${ctx.env.discordApi}/v10/gateway (check the NAT gateway, route tables, DNS and the security group's egress)`,
    instance,
  );
}

async function waitLogs(ctx: Context, target: GateTarget, instance: Instance, handle: StepHandle) {
  const group = logGroupName(ctx.env);
  const wanted = [`${instance.id}-bot`, `${instance.id}-health`];
  const seen = new Set<string>();
  const since = (instance.launchTime?.getTime() ?? ctx.clock.now()) - 60_000;
  const missing = () => wanted.filter((s) => !seen.has(s));
  const { logsTimeout, pollInterval } = ctx.env.health;
  return poll(
    { timeoutMs: logsTimeout, intervalMs: pollInterval, clock: ctx.clock, signal: ctx.signal },
    async () => {
      for (const stream of missing()) if (await hasEvents(ctx, group, stream, since)) seen.add(stream);
      if (seen.size === wanted.length) return { value: undefined, detail: `${group}: ${wanted.join(', ')}` };
      handle.update(`waiting for ${missing().join(', ')}`);
      return undefined;
    },
    () => {
      const streams = missing()
        .map((s) => `${group}/${s}`)
        .join(' and ');
      throw new GateFailed(
        target,
        'logs flowing',
        `no events in ${streams} after ${seconds(logsTimeout)} (is the CloudWatch agent running?)`,
        instance,
      );
    },
  );
}

async function hasEvents(ctx: Context, group: string, stream: string, start: number): Promise<boolean> {
  try {
    for await (const page of ctx.logs.pages({ group, streams: [stream], start, signal: ctx.signal }))
      if (page.length) return true;
  } catch (error) {
    // A stream that does not exist yet is "no events yet", not a failure.
    ctx.reporter.debug(`logs ${group}/${stream}: ${(error as Error).message}`);
  }
  return false;
}

async function checkCommands(ctx: Context, target: GateTarget, instance: Instance, body: HealthBody) {
  if (body.discord && body.discord.ready === false)
    throw new GateFailed(target, 'commands', 'healthy but Discord reports not ready', instance, JSON.stringify(body));
  // The bot's own control channel answers on the instance: the process is alive and in the role
  // it should be in (a standby that already answers would answer twice).
  const status = await ctx.remote.run(instance.id, [statusScript()], {
    timeoutSeconds: 30,
    comment: 'ydeploy health gate: botctl status',
    signal: ctx.signal,
  });
  const answer = parseBotctl(status.stdout);
  if (!answer?.ok)
    throw new GateFailed(
      target,
      'commands',
      `botctl status did not answer (${status.status}: ${(answer?.message ?? status.stderr ?? '').trim().slice(0, 200)})`,
      instance,
      JSON.stringify(body),
    );
  if (target.expectActive === 'either' && answer.role === 'active')
    return { value: undefined, detail: await expectAnswer(ctx, target, instance) };
  if (target.expectActive !== true) {
    if (answer.role === 'active')
      throw new GateFailed(
        target,
        'commands',
        'the new bot is already active beside the serving one (it should stand by until the handoff)',
        instance,
        JSON.stringify(body),
      );
    return {
      value: undefined,
      detail: `${answer.role ?? 'standby'}: connected${body.discord?.guilds !== undefined ? `, ${body.discord.guilds} guilds` : ''}; answers after the handoff`,
    };
  }
  return { value: undefined, detail: await expectAnswer(ctx, target, instance) };
}

/**
 * A real slash command where a probe exists (the sandbox): one from the release's manifest
 * (gate/command.ts). Outside the sandbox, or for a release that records no commands, the health
 * contract (Discord ready) vouches for the bot, and the detail says so.
 */
export function expectAnswer(ctx: Context, target: GateTarget, instance: Instance): Promise<string> {
  return waiting(ctx, () => sendAndExpect(ctx, target, instance));
}

async function sendAndExpect(ctx: Context, target: GateTarget, instance: Instance): Promise<string> {
  if (!ctx.commandProbe) return 'Discord ready (no command probe outside the sandbox)';
  const choice = await probeCommand(ctx, target.release ?? instance.release);
  if ('none' in choice) return `Discord ready; no command sent: ${choice.none}, so the health contract vouches for it`;
  const name = choice.command;
  let answeredBy: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = await ctx.commandProbe.send(name, {
      timeoutMs: 5000,
      ...(target.shard ? { shard: target.shard } : {}),
    });
    answeredBy = answer.answeredBy;
    if (answeredBy.includes(instance.id))
      return `/${name} answered by ${instance.id}${answer.latencyMs !== undefined ? ` in ${answer.latencyMs} ms` : ''}`;
    await ctx.clock.sleep(ctx.env.health.pollInterval, ctx.signal);
  }
  throw new GateFailed(
    target,
    'commands',
    `/${name} was answered by ${answeredBy.length ? answeredBy.join(', ') : 'nobody'}, not by ${instance.id}`,
    instance,
  );
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function secondsBetween(from: number, to: number): number {
  return Math.round(((to - from) / 1000) * 100) / 100;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
