// The `ydeploy lock status` screen: who holds the deployment lock, since when, until when.
import type { CurrentLock } from '../core/lock/lock.js';

export function renderLock(env: string, lock: CurrentLock | undefined): string {
  if (!lock) return `${env}: not locked`;
  const { body } = lock;
  const state = lock.expired ? 'expired (the next deployment takes it over)' : `held, expires ${lock.expiresAt}`;
  return [
    `${env}: ${state}`,
    `  holder   ${body.holder}${body.identity ? ` (${body.identity})` : ''}`,
    `  command  ${body.command}`,
    `  since    ${body.since}`,
    `  renewed  ${body.renewedAt}`,
  ].join('\n');
}
