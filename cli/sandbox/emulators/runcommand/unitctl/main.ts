// `systemctl` and `journalctl` for commands the Run Command shim runs: they answer from the
// instance host's real process state and journals, so the guide's troubleshooting commands work
// in the sandbox (`systemctl is-active discord-bot`, `journalctl -u discord-health -n 20`).
import { runUnitTool } from './systemd.js';

process.exitCode = await runUnitTool(
  process.argv[2] ?? '',
  process.argv.slice(3),
  process.env,
  (text) => process.stdout.write(text),
  (text) => process.stderr.write(text),
);
