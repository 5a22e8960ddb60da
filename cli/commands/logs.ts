// ydeploy logs [--follow] [--since 10m|ISO] [--stream bot|health] [--instance id|role | --shard N |
// --group s0-1of4] [--filter pattern]
// Lines are printed as each page arrives; --json prints the raw events as NDJSON. On a sharded
// fleet every group's streams are interleaved, each line labelled with its group.
import { defineCommand } from '../command.js';
import type { TaggedEvent } from '../inspect/logs/read.js';

/** Events per API page: small enough to keep memory flat, large enough to keep calls few. */
const PAGE_SIZE = 2_500;

export default defineCommand({
  name: 'logs',
  description: 'bot and health log streams of the environment, merged by time',
  examples: [
    'ydeploy logs --env production --since 15m',
    'ydeploy logs --follow --stream bot --instance enhanced',
    'ydeploy logs --shard 5 --since 1h --env production',
    "ydeploy logs --filter '{ $.level >= 50 }' --since 2026-11-26T10:00:00Z",
  ],
  options: (cmd) =>
    cmd
      .option('-f, --follow', 'keep printing new events (picks up new instances)')
      .option('--since <when>', 'start at a duration ago (15m) or an ISO time', '10m')
      .addOption(cmd.createOption('--stream <name>', 'only one stream').choices(['bot', 'health']))
      .option('--instance <id|role>', 'only one instance (id, legacy or enhanced)')
      .option('--shard <id>', 'a sharded fleet: only the instances running this shard')
      .option('--group <name>', 'a sharded fleet: only the instances of this shard group (s0-1of4)')
      .option('--filter <pattern>', 'CloudWatch filter pattern'),
  async run(input) {
    const [
      { openContext },
      { followLogs, readLogs },
      { pageCollector },
      { kindsFromState },
      { parseSince },
      { parseSelector },
      { loadDesired },
      { runsFleet },
      { readShardFlags, shardSelector },
    ] = await Promise.all([
      import('../context.js'),
      import('../inspect/logs/read.js'),
      import('../inspect/logs/memory.js'),
      import('../inspect/network.js'),
      import('../inspect/options.js'),
      import('../inspect/targets.js'),
      import('../core/desired/state.js'),
      import('../core/fleet.js'),
      import('../inspect/shard-targets.js'),
    ]);
    const { dataPaint, formatLogLines, stdoutDrained } = await import('../output/logline.js');
    const { logGroupName } = await import('../config/names.js');
    const { options } = input;
    let selector = parseSelector(options.instance);
    const shardFlags = readShardFlags(options, 'logs');
    const since = parseSince(options.since, Date.now(), 'logs');
    const ctx = await openContext(input);
    const { reporter } = ctx;
    // The desired state says whether this is a sharded fleet (and what --shard picks from).
    const desired = await loadDesired(ctx).catch((error: unknown) => {
      if (shardFlags) throw error;
      reporter.debug(`desired state not read: ${(error as Error).message}`);
      return undefined;
    });
    if (shardFlags) selector = shardSelector(desired, shardFlags, ctx.env.name, 'logs');
    const fleet = runsFleet(desired);
    const p = dataPaint({ color: input.globals.color, env: input.env, interactive: reporter.interactive });
    const deps = {
      logs: ctx.logs,
      instances: ctx.instances,
      clock: ctx.clock,
      environment: ctx.env.name,
      logGroup: logGroupName(ctx.env),
      // A fleet's groups come from the instances' tags, which only EC2 has.
      knownKinds: fleet ? undefined : () => kindsFromState(ctx.store, ctx.env.name),
    };
    const request = { selector, kind: options.stream, since, filterPattern: options.filter, signal: ctx.signal };
    let count = 0;
    const collectGarbage = pageCollector();
    const emit = async (events: TaggedEvent[]) => {
      count += events.length;
      collectGarbage();
      if (!reporter.json) reporter.data(formatLogLines(events, p));
      else
        for (const e of events)
          reporter.event({
            type: 'log',
            id: e.id,
            timestamp: e.timestamp,
            ingestionTime: e.ingestionTime,
            stream: e.stream,
            instanceId: e.instanceId,
            instanceKind: e.instanceKind,
            ...(e.group ? { group: e.group } : {}),
            message: e.message,
          });
      await stdoutDrained();
    };
    if (options.follow) {
      reporter.info(`following ${ctx.env.name} logs since ${new Date(since).toISOString()} (Ctrl-C stops)`);
      const pages = followLogs(deps, request, {
        onRetry: (error) => reporter.warn(`reading logs failed, retrying: ${(error as Error).message}`),
      });
      for await (const events of pages) await emit(events);
    } else {
      for await (const events of readLogs(deps, { ...request, pageSize: PAGE_SIZE })) await emit(events);
      if (!count)
        reporter.info(
          `no log events in ${deps.logGroup} since ${new Date(since).toISOString()}${options.filter ? ` matching ${options.filter}` : ''}`,
        );
    }
    reporter.result({ events: count });
    return 0;
  },
});
