// Dev entry of the discord-bot unit: the example bot through the runtime (signals handled from
// the first instant, then the bot loads). A team's release is built around its own entry instead.
import { runBotModule } from './runtime/main.js';

await runBotModule(() => import('./example/bot.js'), { entry: 'bot/example/bot.ts' });
