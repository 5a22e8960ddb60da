// Runs the emulator on its own, outside a sandbox (the sandbox starts main.ts instead):
//   node --import tsx cli/sandbox/emulators/discord/standalone.ts [--host H] [--port P] [--token T ...] [--application-id ID]
//     [--guilds N] [--identify-total N] [--max-concurrency N] [--guilds-per-session N] [--reset-after-ms MS]
// Env: DISCORD_EMULATOR_HOST, DISCORD_EMULATOR_PORT, DISCORD_EMULATOR_TOKENS (comma-separated),
// DISCORD_EMULATOR_APPLICATION_ID. A bad number exits 2. Prints one JSON line {url, apiBase, controlUrl, gatewayUrl, port, pid}
// on stdout once listening; stops on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { startDiscordEmulator } from './index.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.DISCORD_EMULATOR_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.DISCORD_EMULATOR_PORT ?? '0' },
    token: {
      type: 'string',
      multiple: true,
      default: (process.env.DISCORD_EMULATOR_TOKENS ?? '').split(',').filter(Boolean),
    },
    'application-id': { type: 'string', default: process.env.DISCORD_EMULATOR_APPLICATION_ID },
    guilds: { type: 'string' },
    'identify-total': { type: 'string' },
    'max-concurrency': { type: 'string' },
    'guilds-per-session': { type: 'string' },
    'reset-after-ms': { type: 'string' },
  },
});

/** A whole-number flag, or exit 2 naming it. */
function whole(flag: string, min: number): number | undefined {
  const text = values[flag as keyof typeof values] as string | undefined;
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    process.stderr.write(`--${flag} ${text}: must be a whole number >= ${min}\n`);
    process.exit(2);
  }
  return value;
}

const emulator = await startDiscordEmulator({
  host: values.host,
  port: Number(values.port),
  tokens: values.token,
  applicationId: values['application-id'],
  guildCount: whole('guilds', 0),
  limits: {
    identifyTotal: whole('identify-total', 0),
    maxConcurrency: whole('max-concurrency', 1),
    guildsPerSession: whole('guilds-per-session', 1),
    resetAfterMs: whole('reset-after-ms', 1),
  },
});
const { url, apiBase, controlUrl, gatewayUrl, port } = emulator;
process.stdout.write(`${JSON.stringify({ url, apiBase, controlUrl, gatewayUrl, port, pid: process.pid })}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void emulator.stop().then(() => process.exit(0)));
}
