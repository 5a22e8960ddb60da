// botctl: the operator's and ydeploy's handle on a running bot's role, run on the instance
// (through SSM Run Command). Commands, request, answer and exit codes: contracts/botctl.ts.
//   node botctl.mjs status
//   node botctl.mjs step-down
//   node botctl.mjs activate --after <after> [--peer-active] [--force]
//   node botctl.mjs activate --after-shards <count>:<after0>,<after1>,... [--peer-active] [--force]
// Options: --socket <path> (default $CONTROL_SOCKET, $YDEPLOY_CONTROL_SOCKET, the contract's
// default), --timeout <ms> (default 5000). Prints one JSON object on stdout.
// Exit codes: 0 done; 1 the bot is unreachable (no socket, not running, no answer);
// 2 bad usage or a request the bot rejected as malformed; 3 refused (another instance still
// reports active, or activate without --after/--force).
import { parseArgs } from 'node:util';
import {
  BOTCTL_COMMANDS,
  botctlExit,
  CONTROL_SOCKET_DEFAULT,
  type BotctlCommand,
  type ControlRequest,
} from './contracts/botctl.js';
import type { BotctlAnswer } from './contracts/schemas.js';
import { sendControl } from './roles/protocol.js';

const USAGE =
  'usage: botctl status|step-down|activate (--after <after> | --after-shards <count>:<after0>,<after1>,...) [--peer-active] [--force]';

/** Prints the answer and returns botctl's exit code for it. */
function answer(value: BotctlAnswer): number {
  process.stdout.write(`${JSON.stringify(value)}\n`);
  return botctlExit(value);
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        after: { type: 'string' },
        'after-shards': { type: 'string' },
        'peer-active': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        socket: {
          type: 'string',
          default: process.env.CONTROL_SOCKET || process.env.YDEPLOY_CONTROL_SOCKET || CONTROL_SOCKET_DEFAULT,
        },
        timeout: { type: 'string', default: '5000' },
      },
    });
  } catch (error) {
    return answer({ ok: false, error: 'usage', message: `${(error as Error).message}: ${USAGE}` });
  }
  const [cmd, ...rest] = parsed.positionals;
  if (!BOTCTL_COMMANDS.includes(cmd as BotctlCommand) || rest.length) {
    return answer({
      ok: false,
      error: 'usage',
      message: `unknown command ${JSON.stringify(parsed.positionals.join(' '))}: ${USAGE}`,
    });
  }
  const request: ControlRequest = { cmd: cmd as BotctlCommand };
  if (cmd === 'activate' && parsed.values.after !== undefined && parsed.values['after-shards'] !== undefined)
    return answer({ ok: false, error: 'usage', message: `--after and --after-shards: pass one of them: ${USAGE}` });
  if (cmd === 'activate')
    Object.assign(request, {
      after: parsed.values.after,
      afterShards: parsed.values['after-shards'],
      peerActive: parsed.values['peer-active'],
      force: parsed.values.force,
    });
  try {
    return answer(await sendControl(parsed.values.socket!, request, Number(parsed.values.timeout)));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return answer({
      ok: false,
      error: 'unreachable',
      message: `the bot is not reachable on ${parsed.values.socket}: ${code ?? (error as Error).message}`,
      socket: parsed.values.socket,
    });
  }
}

process.exitCode = await main(process.argv.slice(2));
