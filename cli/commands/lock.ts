// `ydeploy lock status | release [--force]`: the deployment lock in the state bucket.
import { defineCommand } from '../command.js';

const statusCommand = defineCommand({
  name: 'status',
  description: 'who holds the lock, since when, until when',
  async run(input) {
    const [{ readLock }, { renderLock }, { openContext }] = await Promise.all([
      import('../core/lock/lock.js'),
      import('../output/lock.js'),
      import('../context.js'),
    ]);
    const ctx = await openContext(input);
    const env = ctx.env.name;
    const lock = await readLock(ctx);
    ctx.reporter.data(renderLock(env, lock));
    ctx.reporter.result({
      ok: true,
      environment: env,
      locked: Boolean(lock && !lock.expired),
      lock: lock ? { ...lock.body, expired: lock.expired } : null,
    });
    return 0;
  },
});

const releaseCommand = defineCommand({
  name: 'release',
  description: 'release the lock you hold, or with --force one left by a killed process',
  options: (cmd) => cmd.option('--force', 'release a lock held by someone else'),
  async run(input) {
    const [{ releaseLock }, { openContext }] = await Promise.all([
      import('../core/lock/lock.js'),
      import('../context.js'),
    ]);
    const ctx = await openContext(input);
    const env = ctx.env.name;
    const released = await releaseLock(ctx, { force: Boolean(input.options.force) });
    if (released) {
      const { holder, command, since } = released.body;
      ctx.reporter.info(`released the lock of ${env} held by ${holder} (${command} since ${since})`);
    } else ctx.reporter.info(`${env} is not locked`);
    ctx.reporter.result({ ok: true, environment: env, released: released ? released.body : null });
    return 0;
  },
});

export default defineCommand({
  name: 'lock',
  description: 'the deployment lock in S3',
  examples: ['ydeploy lock status', 'ydeploy lock release --force'],
  subcommands: [statusCommand, releaseCommand],
});
