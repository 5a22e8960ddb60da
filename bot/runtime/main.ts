// The bot process's entry around a team's module (the build generates one calling this):
//   await runBotModule(() => import('./src/bot.ts'), { entry: 'src/bot.ts' });
// Signals are handled from the first instant; then the module loads. `--describe` (or
// YDEPLOY_DESCRIBE=1) prints what the bot contains as one JSON line and exits, with no token
// and no connection. Light on purpose: discord.js loads with the team's module or the runtime.
import { describeBot } from '../define/describe.js';
import { isBot } from '../define/define.js';
import type { Bot } from '../define/types.js';
import { exitEarlyOnSignals } from '../shutdown.js';

export async function runBotModule(load: () => Promise<unknown>, meta: { entry: string }): Promise<void> {
  exitEarlyOnSignals();
  const describing = process.argv.includes('--describe') || process.env.YDEPLOY_DESCRIBE === '1';
  let loaded: unknown;
  try {
    loaded = await load();
  } catch (error) {
    return loadFailed(error, meta.entry, describing);
  }
  const bot = botOf(loaded);
  if (!bot) {
    process.stderr.write(`${meta.entry}: must export default defineBot({...}) from "ydeploy/bot"\n`);
    return process.exit(2);
  }
  if (describing) {
    const line = `${JSON.stringify(describeBot(bot))}\n`;
    process.stdout.write(line, () => process.exit(0));
    return;
  }
  const { runBot } = await import('./run.js');
  await runBot(bot, meta);
}

/** The default export; a CommonJS module's default may sit one level deeper. */
function botOf(loaded: unknown): Bot | undefined {
  const exported = (loaded as { default?: unknown } | undefined)?.default;
  if (isBot(exported)) return exported;
  const nested = (exported as { default?: unknown } | undefined)?.default;
  return isBot(nested) ? nested : undefined;
}

/**
 * The module threw while loading: a bad definition (defineBot's "{what}: {why}") exits 2, any
 * other error 1. Describing, the reason goes to stderr; running, it is a JSON log line.
 */
async function loadFailed(error: unknown, entry: string, describing: boolean): Promise<never> {
  const definition = (error as Error)?.name === 'BotDefinitionError';
  const code = definition ? 2 : 1;
  if (describing || definition) {
    const text = definition ? (error as Error).message : ((error as Error)?.stack ?? String(error));
    process.stderr.write(`${entry}: ${text}\n`);
  }
  if (!describing) {
    const { createLogger } = await import('../log.js');
    createLogger('bot', {}).fatal({ err: error, entry }, `loading ${entry} failed`);
  }
  return process.exit(code);
}
