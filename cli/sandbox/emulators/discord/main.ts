// The Discord emulator as a sandbox daemon: `node main.js <sandbox dir>`. The token it accepts comes
// from the sandbox state file, never from argv (visible to every user in `ps`).
import { startDiscordEmulator } from './index.js';
import { createWebhook } from './webhooks.js';
import { sandboxWebhook } from '../../layout.js';
import { daemonState, fatal, log, onStop } from '../daemon.js';

try {
  const { state } = await daemonState('discord');
  const emulator = await startDiscordEmulator({
    host: '127.0.0.1',
    port: state.ports.discord,
    tokens: [state.discordToken],
  });
  // Deployments in the sandbox announce themselves here (its URL is in moto SSM: sandbox up).
  const { id, token } = sandboxWebhook(state);
  createWebhook(emulator.state, { id, token, name: 'ydeploy sandbox' });
  log(`Discord emulator listening on ${emulator.url} (API ${emulator.apiBase}, control ${emulator.controlUrl})`);
  onStop(() => emulator.stop());
} catch (error) {
  fatal(error);
}
