// Runs the emulator on its own, outside a sandbox (the sandbox starts main.ts instead):
//   node --import tsx cli/sandbox/emulators/discord/standalone.ts [--host H] [--port P] [--token T ...] [--application-id ID]
// Env: DISCORD_EMULATOR_HOST, DISCORD_EMULATOR_PORT, DISCORD_EMULATOR_TOKENS (comma-separated),
// DISCORD_EMULATOR_APPLICATION_ID. Prints one JSON line {url, apiBase, controlUrl, gatewayUrl, port, pid}
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
  },
});

const emulator = await startDiscordEmulator({
  host: values.host,
  port: Number(values.port),
  tokens: values.token,
  applicationId: values['application-id'],
});
const { url, apiBase, controlUrl, gatewayUrl, port } = emulator;
process.stdout.write(`${JSON.stringify({ url, apiBase, controlUrl, gatewayUrl, port, pid: process.pid })}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void emulator.stop().then(() => process.exit(0)));
}
