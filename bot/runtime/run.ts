// Runs a team's bot (a defineBot() value) as the discord-bot unit. Flow of the guide: start ->
// connect to Discord -> ready -> readiness file -> heartbeat; graceful shutdown on SIGTERM.
// Active or standby: only the active bot handles anything; the role is switched over the
// control socket. No slash commands are registered here: the deploy syncs them. Before it
// identifies, a start waits out the backoff of the starts before it that never became ready
// (starts.ts) and for Discord's session start budget to cover its shards (identify-budget.ts).
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Events, Routes, type Client, type RESTGetAPIGatewayBotResult } from 'discord.js';
import type { Logger } from 'pino';
import { ConfigError, readConfig, resolveToken, type BotConfig } from '../config.js';
import type { Role } from '../contracts/roles.js';
import { intentBits } from '../define/intents.js';
import type { BotContext, BotDefinition, BotLogger } from '../define/types.js';
import { createClient } from '../discord/client.js';
import { trackConnection } from '../discord/connection.js';
import { waitForIdentifyBudget } from '../discord/identify-budget.js';
import { presenceFor } from '../discord/presence.js';
import { addSecret, createLogger, logCrashes, scrub } from '../log.js';
import { ReadinessWriter } from '../readiness/writer.js';
import { startControlServer } from '../roles/control-server.js';
import { Dispatcher } from '../roles/dispatcher.js';
import { readRoleFile, startRole, writeRoleFile } from '../roles/role-file.js';
import { onSignals } from '../shutdown.js';
import { wireHandlers } from './handlers.js';
import { JobRunner } from './jobs.js';
import { fileStore, StartGuard } from './starts.js';

export async function runBot(bot: BotDefinition, meta: { entry: string }): Promise<void> {
  const startedAt = Date.now();
  const { config, token } = await configure();
  const log = createLogger('bot', { instanceId: config.instanceId, version: config.version }, config.logLevel);
  const starts = startGuard(config, log);
  logCrashes(log, (reason) => starts.failed(reason));
  // A role that cannot be determined is standby: this bot answers only once it is activated.
  const { role, from } = startRole(readRoleFile(config.roleFile), config.role);
  const intents = intentBits(bot);
  const { shards, shardCount } = config;
  log.info(
    {
      role,
      roleFrom: from,
      roleFile: config.roleFile,
      entry: meta.entry,
      intents,
      api: config.api,
      shards,
      shardCount,
    },
    'starting',
  );
  // A signal during the wait ends this start at once (exit 0). Exit 0 is a stop that was asked
  // for: a start that ends so before it is ready counts as no failure.
  await starts.before();
  process.once('exit', (code) => code === 0 && starts.stopped());

  const partials = Object.keys(bot.events ?? {}).some((event) => event.startsWith('messageReaction'));
  const client = createClient(config, role, { intents, partials });
  // The writer reads role and Discord state through getters, so it can exist first.
  const readiness = new ReadinessWriter(
    config.readyFile,
    { version: config.version, instanceId: config.instanceId, startedAt, heartbeatMs: config.heartbeatMs },
    { discord: () => discordState(), role: () => dispatcher.role(), lastHandled: () => dispatcher.lastHandled() },
    (error) => log.error({ err: error, readyFile: config.readyFile }, 'cannot write the readiness file'),
  );
  const dispatcher = new Dispatcher(
    role,
    (error, item) =>
      log.error({ err: error, kind: item.kind, id: item.id, command: item.name }, `${item.kind} handler failed`),
    (next) => roleChanged(next),
    Date.now,
    (outcome) =>
      log.info(
        outcome,
        `forced activation: answered ${outcome.replayed.length} buffered interactions Discord had no answer for; ${outcome.answeredBefore.length} were answered before, ${outcome.expired.length} expired, ${outcome.unknown.length} could not be checked`,
      ),
  );
  const discordState = trackConnection(client, { shards, shardCount }, log, () => readiness.touch());
  const ctx: BotContext = {
    client,
    log: log as unknown as BotLogger,
    instanceId: config.instanceId,
    version: config.version,
    startedAt,
    role: () => dispatcher.role(),
  };
  const jobs = new JobRunner(bot.jobs ?? [], {
    ctx,
    track: (work) => dispatcher.track(work),
    onError: (error, job) => log.error({ err: error, kind: 'job', job: job.name }, `job ${job.name} failed`),
  });
  const syncJobs = () => jobs.sync(dispatcher.answering() && client.isReady());

  /** Show the new role everywhere: role file (restarts), presence (the emulator), readiness file (/health). */
  function roleChanged(next: Role): void {
    log.info({ role: next }, `role is now ${next}`);
    try {
      writeRoleFile(config.roleFile, next);
    } catch (error) {
      log.error({ err: error, roleFile: config.roleFile }, 'cannot keep the role for a restart');
    }
    if (client.isReady()) client.user.setPresence(presenceFor(config.instanceId, config.version, next));
    readiness.touch();
    syncJobs();
  }

  wireHandlers({ client, bot, ctx, dispatcher, log });
  client.once(Events.ClientReady, (ready) => {
    starts.ready();
    readiness.ready();
    log.info(
      { ms: Date.now() - startedAt, user: ready.user.tag, guilds: ready.guilds.cache.size, role: dispatcher.role() },
      'ready on Discord',
    );
    syncJobs();
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'Discord client error'));
  client.on(Events.Invalidated, () => {
    if (!client.isReady()) starts.failed('Discord invalidated the session');
    log.fatal('Discord invalidated the session: exiting so systemd restarts the bot');
    process.exit(1);
  });

  await runSetup(bot, ctx, log, (reason) => starts.failed(scrub(reason)));
  const control = await startControlServer(config.controlSocket, dispatcher, (request, response) =>
    log.info({ request, response }, `control: ${request.cmd}`),
  ).catch((error) => {
    log.error({ err: error, socket: config.controlSocket }, 'control socket unavailable: this bot cannot change roles');
    return undefined;
  });

  let stopping = false;
  onSignals(log, [
    {
      name: 'stop answering',
      run: () => ((stopping = true), dispatcher.stop(), jobs.sync(false), readiness.markStopping()),
    },
    // Answers, events and jobs already under way finish; and "stopping" stays visible a little
    // longer than the health server's file cache (200 ms), so its pollers see why the bot goes away.
    {
      name: 'finish answers in flight',
      run: () => Promise.all([dispatcher.drain(), sleep(config.stoppingHoldMs)]),
      deadlineMs: 2000,
    },
    { name: 'leave Discord', run: () => client.destroy(), deadlineMs: 3000 },
    {
      name: 'close the control socket',
      run: () => new Promise((resolve) => (control ? control.close(resolve) : resolve(undefined))),
      deadlineMs: 1000,
    },
    { name: 'remove the readiness file', run: () => readiness.remove() },
  ]);

  await waitForBudget(client, token, shards.length, log);
  if (stopping) return;
  log.info({ shards, shardCount }, 'connecting to Discord');
  client.login(token).catch((error: Error) => {
    if (stopping) return;
    starts.failed(scrub(`login to Discord failed: ${error.message}`));
    log.fatal({ err: error }, `login to Discord failed: ${error.message}`);
    readiness.remove();
    rmSync(config.controlSocket, { force: true });
    process.exit(1);
  });
}

/** The configuration and the token; a bad setting or an unreadable token exits 2. */
async function configure(): Promise<{ config: BotConfig; token: string }> {
  try {
    const config = readConfig(process.env);
    const token = await resolveToken(config);
    addSecret(token);
    return { config, token };
  } catch (error) {
    const reason = (error as Error).message;
    createLogger('bot', {}).fatal({ reason }, error instanceof ConfigError ? 'bad configuration' : 'cannot start');
    process.exit(2);
  }
}

/** The start record of this bot (crash-loop protection), logging each backoff with its reason. */
function startGuard(config: BotConfig, log: Logger): StartGuard {
  return new StartGuard(
    fileStore(config.startFile),
    { firstMs: config.startBackoffMs, maxMs: config.startBackoffMaxMs },
    { now: Date.now, sleep: (ms) => sleep(ms) },
    (notice) =>
      log.warn(
        { ...notice, startFile: config.startFile },
        `waiting ${Math.round(notice.waitMs / 1000)} s before identifying: ${notice.failures} start(s) in a row never became ready on Discord (the last: ${notice.reason})`,
      ),
    (error) => log.error({ err: error, startFile: config.startFile }, 'cannot keep the start record'),
  );
}

/** Waits while Discord's session start budget is short of this bot's shards (never identifying into a token reset). */
async function waitForBudget(client: Client, token: string, needed: number, log: Logger): Promise<void> {
  client.rest.setToken(token);
  await waitForIdentifyBudget(needed, {
    fetchLimit: async () =>
      ((await client.rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult).session_start_limit,
    now: Date.now,
    sleep: (ms) => sleep(ms),
    onWait: (notice) =>
      log.warn(
        notice,
        `Discord allows ${notice.remaining} more session starts until ${notice.resetAt}, this bot needs ${needed}: waiting for the reset instead of identifying (an IDENTIFY over the limit resets the token)`,
      ),
    onUnknown: (error) =>
      log.warn({ err: error }, `cannot read the session start limit (GET /gateway/bot): ${(error as Error).message}`),
  });
}

/** The team's setup(): once, before connecting. If it throws, the bot cannot start (exit 1). */
async function runSetup(
  bot: BotDefinition,
  ctx: BotContext,
  log: Logger,
  failed: (reason: string) => void,
): Promise<void> {
  if (!bot.setup) return;
  try {
    await bot.setup(ctx);
  } catch (error) {
    failed(`setup failed: ${(error as Error)?.message}`);
    log.fatal({ err: error }, `setup failed: ${(error as Error)?.message}`);
    process.exit(1);
  }
}
