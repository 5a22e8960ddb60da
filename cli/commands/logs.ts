// ydeploy logs [--follow] [--since 10m|ISO] [--stream bot|health] [--instance id|role] [--filter pattern]
// Lines are printed as each page arrives; --json prints the raw events as NDJSON.
import type { CommandInput } from '../command.js';
import { createContext } from '../context.js';
import { followLogs, readLogs, type TaggedEvent } from '../inspect/logs/read.js';
import type { StreamKind } from '../inspect/logs/streams.js';
import { pageCollector } from '../inspect/logs/memory.js';
import { rolesFromState } from '../inspect/network.js';
import { parseSince } from '../inspect/options.js';
import { parseSelector } from '../inspect/targets.js';
import { dataPaint, formatLogLines, stdoutDrained } from '../output/logline.js';

/** Events per API page: small enough to keep memory flat, large enough to keep calls few. */
const PAGE_SIZE = 2_500;

interface Options {
  follow?: boolean;
  since?: string;
  stream?: StreamKind;
  instance?: string;
  filter?: string;
}

export async function run(input: CommandInput<Options>): Promise<number> {
  const { options } = input;
  const selector = parseSelector(options.instance);
  const since = parseSince(options.since ?? '10m', Date.now(), 'logs');
  const ctx = await createContext(input as CommandInput);
  const { reporter } = ctx;
  const p = dataPaint({ color: input.globals.color, env: input.env, interactive: reporter.interactive });
  const deps = {
    logs: ctx.ports.logs,
    instances: ctx.ports.instances,
    clock: ctx.ports.clock,
    environment: ctx.env.name,
    knownRoles: () => rolesFromState(ctx.ports.store, ctx.env.name),
  };
  const request = { selector, kind: options.stream, since, filterPattern: options.filter, signal: ctx.signal };
  let count = 0;
  const collectGarbage = pageCollector();
  const emit = async (events: TaggedEvent[]) => {
    count += events.length;
    collectGarbage();
    if (!reporter.json) reporter.data(formatLogLines(events, p));
    else for (const e of events) reporter.event({ type: 'log', id: e.id, timestamp: e.timestamp, ingestionTime: e.ingestionTime, stream: e.stream, instanceId: e.instanceId, role: e.role, message: e.message });
    await stdoutDrained();
  };
  if (options.follow) {
    reporter.info(`following ${ctx.env.name} logs since ${new Date(since).toISOString()} (Ctrl-C stops)`);
    const pages = followLogs(deps, request, { onRetry: (error) => reporter.warn(`reading logs failed, retrying: ${(error as Error).message}`) });
    for await (const events of pages) await emit(events);
  } else {
    for await (const events of readLogs(deps, { ...request, pageSize: PAGE_SIZE })) await emit(events);
    if (!count) reporter.info(`no log events in /ec2/${ctx.env.name}-logs since ${new Date(since).toISOString()}${options.filter ? ` matching ${options.filter}` : ''}`);
  }
  reporter.result({ events: count });
  return 0;
}
