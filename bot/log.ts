// JSON lines to stdout (journald ships them to CloudWatch). The token must never appear:
// pino redacts known fields, and every line is scrubbed of registered secrets on its way out,
// so even an error message that quoted it would not leak it.
import pino, { type DestinationStream, type Logger } from 'pino';

const secrets: string[] = [];

export function addSecret(secret: string): void {
  if (secret.length >= 8 && !secrets.includes(secret)) secrets.push(secret);
}

export function scrub(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}

/** A logger writing JSON lines to `destination` (stdout unless given). */
export function createLogger(
  name: 'bot' | 'health' | 'botctl',
  fields: Record<string, unknown>,
  level = 'info',
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { pid: process.pid, ...fields },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'token',
        '*.token',
        'headers.authorization',
        '*.headers.authorization',
        'DISCORD_TOKEN',
        '*.DISCORD_TOKEN',
      ],
      censor: '[redacted]',
    },
    hooks: { streamWrite: scrub },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Crashes are logged as one JSON line (scrubbed) instead of Node's raw stack on stderr;
 * `onCrash` hears the reason first (the bot keeps it for its next start's backoff).
 */
export function logCrashes(log: Logger, onCrash?: (reason: string) => void): void {
  const die = (kind: string) => (error: unknown) => {
    onCrash?.(scrub(`${kind}: ${(error as Error)?.message ?? String(error)}`));
    log.fatal({ err: error }, kind);
    process.exit(1);
  };
  process.on('uncaughtException', die('uncaught exception'));
  process.on('unhandledRejection', die('unhandled rejection'));
}
