// `ydeploy lock status | release [--force]`: the deployment lock in the state bucket.
import type { CommandInput } from '../command.js';
import { readLock, releaseLock } from '../core/lock/lock.js';
import { orchestration } from './_orchestrate.js';

export async function run(input: CommandInput<{ force?: boolean }>): Promise<number> {
  const o = await orchestration(input as CommandInput);
  try {
    const { core } = o;
    const env = core.env.name;
    if (input.command[1] === 'release') {
      const released = await releaseLock(core, { force: Boolean(input.options.force) });
      if (released) core.reporter.info(`released the lock of ${env} held by ${released.body.holder} (${released.body.command} since ${released.body.since})`);
      else core.reporter.info(`${env} is not locked`);
      core.reporter.result({ ok: true, environment: env, released: released ? released.body : null });
      return 0;
    }
    const lock = await readLock(core);
    if (!lock) core.reporter.data(`${env}: not locked`);
    else {
      const state = lock.expired ? 'expired (the next deployment takes it over)' : `held, expires ${lock.body.expiresAt}`;
      core.reporter.data(
        [`${env}: ${state}`, `  holder   ${lock.body.holder}${lock.body.identity ? ` (${lock.body.identity})` : ''}`, `  command  ${lock.body.command}`, `  since    ${lock.body.since}`, `  renewed  ${lock.body.renewedAt}`].join('\n'),
      );
    }
    core.reporter.result({ ok: true, environment: env, locked: Boolean(lock && !lock.expired), lock: lock ? { ...lock.body, expired: lock.expired } : null });
    return 0;
  } finally {
    await o.dispose();
  }
}
