// `ydeploy/bot`: what a team imports to write a bot ydeploy deploys and hands over.
//   import { defineBot } from 'ydeploy/bot';
//   export default defineBot({ commands: [...], messageCommands: [...], events: {...}, jobs: [...] });
// Pure: importing it connects to nothing and loads no discord.js code (bot/README.md).
export { defineBot, isBot, BotDefinitionError } from './define/define.js';
export { describeBot, type BotDescription } from './define/describe.js';
export { INTENT_BITS, type IntentName } from './define/intents.js';
export {
  BOT_BRAND,
  type Bot,
  type BotContext,
  type BotDefinition,
  type BotEvents,
  type BotLogger,
  type Job,
  type MessageCommand,
  type SlashCommand,
  type SlashCommandData,
} from './define/types.js';
