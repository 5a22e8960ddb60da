// botctl: the operator's and ydeploy's handle on a running bot's role (issue 9), run on the
// instance (through SSM Run Command):
//   node botctl.mjs status
//   node botctl.mjs step-down
//   node botctl.mjs activate --after <after> [--peer-active] [--force]
// Options: --socket <path> (default $CONTROL_SOCKET, $YDEPLOY_CONTROL_SOCKET, /run/discord-bot/control.sock),
// --timeout <ms> (default 5000). Prints one JSON object on stdout.
// Exit codes: 0 done; 1 the bot is unreachable (no socket, not running, no answer);
// 2 bad usage or a request the bot rejected as malformed; 3 refused (another instance still
// reports active, or activate without --after/--force).
import { parseArgs } from 'node:util';
import { sendControl, type ControlRequest } from './roles/protocol.js';

const EXIT = { ok: 0, unreachable: 1, usage: 2, refused: 3 } as const;

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        after: { type: 'string' },
        'peer-active': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        socket: { type: 'string', default: process.env.CONTROL_SOCKET || process.env.YDEPLOY_CONTROL_SOCKET || '/run/discord-bot/control.sock' },
        timeout: { type: 'string', default: '5000' },
      },
    });
  } catch (error) {
    print({ ok: false, error: 'usage', message: `${(error as Error).message}: usage: botctl status|step-down|activate --after <after> [--peer-active] [--force]` });
    return EXIT.usage;
  }
  const [cmd, ...rest] = parsed.positionals;
  if (!['status', 'step-down', 'activate'].includes(cmd ?? '') || rest.length) {
    print({ ok: false, error: 'usage', message: `unknown command ${JSON.stringify(parsed.positionals.join(' '))}: usage: botctl status|step-down|activate --after <after> [--peer-active] [--force]` });
    return EXIT.usage;
  }
  const request: ControlRequest = { cmd: cmd as ControlRequest['cmd'] };
  if (cmd === 'activate') Object.assign(request, { after: parsed.values.after, peerActive: parsed.values['peer-active'], force: parsed.values.force });
  try {
    const response = await sendControl(parsed.values.socket!, request, Number(parsed.values.timeout));
    print(response);
    if (response.ok) return EXIT.ok;
    return response.error === 'refused' ? EXIT.refused : EXIT.usage;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    print({ ok: false, error: 'unreachable', message: `the bot is not reachable on ${parsed.values.socket}: ${code ?? (error as Error).message}`, socket: parsed.values.socket });
    return EXIT.unreachable;
  }
}

process.exitCode = await main(process.argv.slice(2));
