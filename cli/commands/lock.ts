// `ydeploy lock status | release [--force]`: the deployment lock in the state bucket.
import { defineCommand } from '../command.js';

const statusCommand = defineCommand({
  name: 'status',
  description: 'who holds the lock, since when, until when',
  async run(input) {
    const [{ readLock }, { renderLock }, { orchestration }] = await Promise.all([
      import('../core/lock/lock.js'),
      import('../output/lock.js'),
      import('./_orchestrate.js'),
    ]);
    const o = await orchestration(input);
    try {
      const { core } = o;
      const env = core.env.name;
      const lock = await readLock(core);
      core.reporter.data(renderLock(env, lock));
      core.reporter.result({
        ok: true,
        environment: env,
        locked: Boolean(lock && !lock.expired),
        lock: lock ? { ...lock.body, expired: lock.expired } : null,
      });
      return 0;
    } finally {
      await o.dispose();
    }
  },
});

const releaseCommand = defineCommand({
  name: 'release',
  description: 'release the lock you hold, or with --force one left by a killed process',
  options: (cmd) => cmd.option('--force', 'release a lock held by someone else'),
  async run(input) {
    const [{ releaseLock }, { orchestration }] = await Promise.all([
      import('../core/lock/lock.js'),
      import('./_orchestrate.js'),
    ]);
    const o = await orchestration(input);
    try {
      const { core } = o;
      const env = core.env.name;
      const released = await releaseLock(core, { force: Boolean(input.options.force) });
      if (released)
        core.reporter.info(
          `released the lock of ${env} held by ${released.body.holder} (${released.body.command} since ${released.body.since})`,
        );
      else core.reporter.info(`${env} is not locked`);
      core.reporter.result({ ok: true, environment: env, released: released ? released.body : null });
      return 0;
    } finally {
      await o.dispose();
    }
  },
});

export default defineCommand({
  name: 'lock',
  description: 'the deployment lock in S3',
  examples: ['ydeploy lock status', 'ydeploy lock release --force'],
  subcommands: [statusCommand, releaseCommand],
});
