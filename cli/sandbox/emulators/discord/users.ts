// The people in the emulated guild: one default user who sends commands and messages, and the
// members added through the control API. None of them is a bot.
import { HttpError } from './http.js';
import type { EmulatedUser, EmulatorState } from './emulator-state.js';

export const tester: EmulatedUser = {
  id: '100000000000000001',
  username: 'tester',
  discriminator: '0',
  global_name: 'Tester',
  avatar: null,
};

/** The user with this id: the tester, a member the control API added, or a stranger named after the id. */
export function userOf(state: EmulatorState, id: string | undefined): EmulatedUser {
  if (!id || id === tester.id) return tester;
  if (!/^\d{1,20}$/.test(id)) throw new HttpError(400, `authorId ${JSON.stringify(id)} is not a snowflake`);
  return state.users.get(id) ?? { id, username: `user-${id}`, discriminator: '0', global_name: null, avatar: null };
}

/** A guild member object (without `user`, as in MESSAGE_CREATE and interactions). */
export function memberOf(joinedAt = new Date(0)) {
  return {
    roles: [],
    nick: null,
    avatar: null,
    premium_since: null,
    joined_at: joinedAt.toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
  };
}
