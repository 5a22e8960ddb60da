// botctl: the handle on a running bot's role, run on the instance (by an operator, or by
// ydeploy through SSM Run Command):
//   node botctl.mjs status | step-down | activate --after <after> [--peer-active] [--force]
//   node botctl.mjs activate --after-shards <count>:<after0>,<after1>,... (a resharding handoff)
// It sends one JSON request line on the bot's unix control socket, the bot answers one JSON
// line, and botctl prints that answer (or its own {"ok":false,...}) and exits with BOTCTL_EXIT.
// The answer's fields are defined once, in schemas.ts (botctlAnswerSchema, BotctlAnswer).
import type { BotctlAnswer } from './schemas.js';

export const BOTCTL_COMMANDS = ['status', 'step-down', 'activate'] as const;
export type BotctlCommand = (typeof BOTCTL_COMMANDS)[number];

/** The bot listens here unless CONTROL_SOCKET says otherwise. */
export const CONTROL_SOCKET_DEFAULT = '/run/discord-bot/control.sock';

/** One request line on the control socket. `after`, `afterShards`, `peerActive` and `force` go with activate. */
export interface ControlRequest {
  cmd: BotctlCommand;
  /** The predecessor's step-down "after": a snowflake id, or a millisecond timestamp. */
  after?: string;
  /**
   * The cut of a resharding handoff, `<count>:<after0>,<after1>,...`: the old fleet's shard count
   * and, per old shard, its bot's step-down "after". Instead of `after`, never with it.
   */
  afterShards?: string;
  /** Another instance still reports active: refused unless forced. */
  peerActive?: boolean;
  force?: boolean;
}

/** Why the bot answers ok: false. */
export type ControlError = 'refused' | 'bad-request';
/** Why botctl answers ok: false itself: the bot's reasons, a bad command line, or no bot. */
export type BotctlError = ControlError | 'usage' | 'unreachable';

/** The bot's answer on the socket: the answer fields, or a refusal with its reason. */
export type ControlResponse = (BotctlAnswer & { ok: true }) | { ok: false; error: ControlError; message: string };

export const BOTCTL_EXIT = { done: 0, unreachable: 1, usage: 2, refused: 3 } as const;
export type BotctlExit = (typeof BOTCTL_EXIT)[keyof typeof BOTCTL_EXIT];

/** botctl's exit code for the answer it prints (a request the bot found malformed is bad usage). */
export function botctlExit(answer: Pick<BotctlAnswer, 'ok' | 'error'>): BotctlExit {
  if (answer.ok) return BOTCTL_EXIT.done;
  if (answer.error === 'refused') return BOTCTL_EXIT.refused;
  return answer.error === 'unreachable' ? BOTCTL_EXIT.unreachable : BOTCTL_EXIT.usage;
}
