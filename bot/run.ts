// The bot process (systemd unit discord-bot), loaded by bot.ts. Flow of the guide: start ->
// connect to Discord -> ready -> readiness file -> heartbeat; graceful shutdown on SIGTERM.
// Active or standby: only the active bot answers; the role is switched over the control socket.
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Events } from 'discord.js';
import { ConfigError, readConfig, resolveToken, type BotConfig } from './config.js';
import type { Role } from './contracts/roles.js';
import { registerCommands, runCommand } from './commands/index.js';
import { createClient } from './discord/client.js';
import { trackConnection } from './discord/connection.js';
import { presenceFor } from './discord/presence.js';
import { addSecret, createLogger, logCrashes } from './log.js';
import { ReadinessWriter } from './readiness/writer.js';
import { startControlServer } from './roles/control-server.js';
import { Dispatcher } from './roles/dispatcher.js';
import { readRoleFile, writeRoleFile } from './roles/role-file.js';
import { onSignals } from './shutdown.js';

const startedAt = Date.now();
const boot = createLogger('bot', {});
let config: BotConfig;
let token: string;
try {
  config = readConfig(process.env);
  token = await resolveToken(config);
  addSecret(token);
} catch (error) {
  boot.fatal({ reason: (error as Error).message }, error instanceof ConfigError ? 'bad configuration' : 'cannot start');
  process.exit(2);
}

const log = createLogger('bot', { instanceId: config.instanceId, version: config.version }, config.logLevel);
logCrashes(log);
const kept = readRoleFile(config.roleFile);
const role = kept ?? config.role;
log.info(
  {
    role,
    roleFrom: kept ? config.roleFile : 'BOT_ROLE',
    api: config.api,
    readyFile: config.readyFile,
    controlSocket: config.controlSocket,
  },
  'starting',
);

const client = createClient(config, role);
// The writer reads role and Discord state through getters, so it can exist first.
const readiness = new ReadinessWriter(
  config.readyFile,
  { version: config.version, instanceId: config.instanceId, startedAt, heartbeatMs: config.heartbeatMs },
  {
    discord: () => discordState(),
    role: () => dispatcher.role(),
    lastHandled: () => dispatcher.lastHandled(),
  },
  (error) => log.error({ err: error, readyFile: config.readyFile }, 'cannot write the readiness file'),
);
const dispatcher = new Dispatcher(
  role,
  (error, item) => log.error({ err: error, interaction: item.id }, 'answering an interaction failed'),
  roleChanged,
);
const discordState = trackConnection(client, log, () => readiness.touch());

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
}

const context = { instanceId: config.instanceId, version: config.version, startedAt, role: () => dispatcher.role() };
client.on(Events.InteractionCreate, (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  dispatcher.receive({ id: interaction.id, receivedAt: Date.now(), answer: () => runCommand(interaction, context) });
});
client.once(Events.ClientReady, (ready) => {
  readiness.ready();
  log.info(
    { ms: Date.now() - startedAt, user: ready.user.tag, guilds: ready.guilds.cache.size, role: dispatcher.role() },
    'ready on Discord',
  );
  registerCommands(ready).then(
    (count) => log.info({ commands: count }, 'slash commands registered'),
    (error) => log.error({ err: error }, 'registering slash commands failed'),
  );
});
client.on(Events.Error, (error) => log.error({ err: error }, 'Discord client error'));
client.on(Events.Invalidated, () => {
  log.fatal('Discord invalidated the session: exiting so systemd restarts the bot');
  process.exit(1);
});

const control = await startControlServer(config.controlSocket, dispatcher, (request, response) =>
  log.info({ request, response }, `control: ${request.cmd}`),
).catch((error) => {
  log.error({ err: error, socket: config.controlSocket }, 'control socket unavailable: this bot cannot change roles');
  return undefined;
});

let stopping = false;
onSignals(log, [
  { name: 'stop answering', run: () => ((stopping = true), dispatcher.stop(), readiness.markStopping()) },
  // Answers already under way finish; and "stopping" stays visible a little longer than the
  // health server's file cache (200 ms), so its pollers see why the bot goes away.
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

log.info('connecting to Discord');
client.login(token).catch((error: Error) => {
  if (stopping) return;
  log.fatal({ err: error }, `login to Discord failed: ${error.message}`);
  readiness.remove();
  rmSync(config.controlSocket, { force: true });
  process.exit(1);
});
