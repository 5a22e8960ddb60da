// The role survives a restart of the bot (systemd Restart=): a bot activated by botctl that
// crashes must come back active, not as the BOT_ROLE it was first launched with. The file lives
// beside the control socket (the unit's RuntimeDirectory, /run/discord-bot, which only the
// bot's user can write), and is trusted only as a regular file owned by that user.
import { ROLES, type Role } from '../contracts/roles.js';
import { readOwnedFile, writeOwnedFile } from '../readiness/owned-file.js';

export type RoleFileRead = { kind: 'missing' } | { kind: 'invalid'; why: string } | { kind: 'ok'; role: Role };

export function readRoleFile(path: string, uid?: number): RoleFileRead {
  const read = uid === undefined ? readOwnedFile(path) : readOwnedFile(path, uid);
  if (read.kind !== 'ok') return read;
  const text = read.text.trim();
  const role = ROLES.find((known) => known === text);
  return role
    ? { kind: 'ok', role }
    : { kind: 'invalid', why: `${path} says ${JSON.stringify(text.slice(0, 40))}, not active or standby` };
}

export function writeRoleFile(path: string, role: Role): void {
  writeOwnedFile(path, `${role}\n`, 0o640);
}

/**
 * The role a bot starts in. The role file wins (botctl set it before a restart); without one,
 * the launch role (BOT_ROLE, from the instance's BotRole tag). Whenever the role cannot be
 * determined (no launch role, or a role file that is there but cannot be trusted: it may say
 * this bot was stepped down) the bot stands by: answering is never the guess, because a wrong
 * guess means two bots answer. A standby is activated by the handoff (botctl activate).
 */
export function startRole(kept: RoleFileRead, launch: Role | undefined): { role: Role; from: string } {
  if (kept.kind === 'ok') return { role: kept.role, from: 'role file' };
  if (kept.kind === 'invalid') return { role: 'standby', from: `unknown (${kept.why}): standing by` };
  if (launch) return { role: launch, from: 'BOT_ROLE' };
  return { role: 'standby', from: 'unknown (BOT_ROLE unset): standing by' };
}
