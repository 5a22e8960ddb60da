// The role survives a restart of the bot (systemd Restart=): a bot activated by botctl that
// crashes must come back active, not as the BOT_ROLE it was first launched with.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ROLES, type Role } from '../contracts/roles.js';

export function readRoleFile(path: string): Role | undefined {
  try {
    const role = readFileSync(path, 'utf8').trim();
    return ROLES.find((known) => known === role);
  } catch {
    return undefined;
  }
}

export function writeRoleFile(path: string, role: Role): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${role}\n`);
  renameSync(temp, path);
}
