// The bot's presence names its instance, release and role. It is the one field of IDENTIFY a
// discord.js bot controls, so the emulator reads the instance from it (cli/sandbox/emulators/discord/gateway.ts).
import { ActivityType, type PresenceData } from 'discord.js';
import type { Role } from '../contracts/roles.js';

export function presenceFor(instanceId: string, version: string, role: Role): PresenceData {
  return {
    status: 'online',
    activities: [
      { type: ActivityType.Custom, name: 'Custom Status', state: `instance ${instanceId} · ${version} · ${role}` },
    ],
  };
}
