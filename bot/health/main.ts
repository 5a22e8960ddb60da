// The health server process (systemd unit discord-health, built as health.mjs): reads the
// readiness file the bot writes and answers GET/HEAD /health (DESIGN.md §4.1). Evaluates itself
// every HEALTH_CHECK_MS and logs each result as a JSON line (the health-failure alarm counts
// them), and logs the changes requests see.
import { ConfigError, readConfig } from '../config.js';
import { healthMetricFields } from '../contracts/metrics.js';
import { createLogger, logCrashes } from '../log.js';
import { BotProbe } from './probe.js';
import { createHealthServer, HealthLog, healthLine } from './server.js';

const boot = createLogger('health', {});
let config;
try {
  config = readConfig(process.env);
} catch (error) {
  boot.fatal({ reason: (error as Error).message }, error instanceof ConfigError ? 'bad configuration' : 'cannot start');
  process.exit(2);
}
const log = createLogger('health', { instanceId: config.instanceId, version: config.version }, config.logLevel);
logCrashes(log);

const probe = new BotProbe({
  readyFile: config.readyFile,
  staleMs: config.staleMs,
  graceMs: config.graceMs,
  cacheMs: config.cacheMs,
});
const healthLog = new HealthLog(probe, (status, body, check, elapsedMs) => {
  // A timer evaluation is also the health metrics' datapoint (EMF), where a namespace is set.
  const metrics =
    check === 'timer' && config.metricNamespace && elapsedMs !== undefined
      ? healthMetricFields(
          config.metricNamespace,
          config.instanceId,
          { responseMs: elapsedMs, unhealthy: status === 'unhealthy' },
          Date.now(),
        )
      : {};
  const line = { ...healthLine(status, body, check), ...metrics };
  if (status === 'unhealthy') log.warn(line, `health is ${status}`);
  else log.info(line, `health is ${status}`);
});
const server = createHealthServer(probe, healthLog);
server.once('error', (error) => {
  log.fatal({ err: error, host: config.healthHost, port: config.healthPort }, 'health server cannot listen');
  process.exit(1);
});
server.listen(config.healthPort, config.healthHost, () => {
  log.info(
    { host: config.healthHost, port: config.healthPort, readyFile: config.readyFile },
    'health server listening',
  );
  healthLog.start(config.checkMs);
});

// Graceful stop: answer "stopping" for a short drain (so pollers learn why), then close.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal, drainMs: config.drainMs }, 'health server stopping');
    probe.shuttingDown = true;
    setTimeout(() => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
      setTimeout(() => process.exit(0), 2000).unref();
    }, config.drainMs);
  });
}
