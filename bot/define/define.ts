// defineBot(): pure. Checks the definition's shape lightly (a typo fails at import, naming the
// field) and brands it so the runtime recognises it, even from another copy of this module.
import { INTENT_BITS } from './intents.js';
import { intervalMs } from './interval.js';
import { BOT_BRAND, type Bot, type BotDefinition, type SlashCommand, type SlashCommandData } from './types.js';

/** A definition the runtime cannot run: "{what}: {why}". */
export class BotDefinitionError extends Error {
  override name = 'BotDefinitionError';
}

const FIELDS = ['intents', 'commands', 'prefix', 'messageCommands', 'onMessage', 'events', 'jobs', 'setup'];
const DISPATCHED: Record<string, string> = {
  interactionCreate: 'slash commands go in "commands" (answered exactly once across a handoff)',
  messageCreate: 'use "onMessage" or "messageCommands" (answered exactly once across a handoff)',
};

export function defineBot<T extends BotDefinition>(definition: T): Bot<T> {
  if (!definition || typeof definition !== 'object' || Array.isArray(definition))
    fail('defineBot', 'expects an object ({ commands, messageCommands, events, jobs, ... })');
  for (const key of Object.keys(definition))
    if (!FIELDS.includes(key)) fail(`defineBot: "${key}"`, `unknown field (known: ${FIELDS.join(', ')})`);
  checkIntents(definition.intents);
  checkCommands(definition.commands);
  checkMessages(definition);
  checkEvents(definition.events);
  checkJobs(definition.jobs);
  if (definition.setup !== undefined) fn(definition.setup, 'setup');
  return Object.freeze({ ...definition, [BOT_BRAND]: 1 as const });
}

/** true for a value defineBot() returned (from any copy of the runtime). */
export function isBot(value: unknown): value is Bot {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BOT_BRAND] === 1;
}

/** A slash command's Discord JSON (toJSON() of a builder, or the plain object). */
export function commandJson(command: SlashCommand): SlashCommandData {
  const data = command.data as { toJSON?: () => SlashCommandData };
  return typeof data.toJSON === 'function' ? data.toJSON() : (command.data as SlashCommandData);
}

function checkIntents(intents: unknown): void {
  if (intents === undefined) return;
  list(intents, 'intents').forEach((intent, i) => {
    const known = typeof intent === 'string' ? intent in INTENT_BITS : Number.isInteger(intent) && Number(intent) >= 0;
    if (!known) fail(`intents[${i}] ${JSON.stringify(intent)}`, 'not a GatewayIntentBits name or bit');
  });
}

function checkCommands(commands: unknown): void {
  if (commands === undefined) return;
  const seen = new Set<string>();
  list(commands, 'commands').forEach((command, i) => {
    const what = `commands[${i}]`;
    if (!command || typeof command !== 'object' || !(command as SlashCommand).data)
      fail(what, 'expects { data: { name, description, ... }, run(interaction, ctx) }');
    let name: unknown;
    try {
      name = commandJson(command as SlashCommand).name;
    } catch (error) {
      fail(`${what}.data`, `toJSON() failed: ${(error as Error).message}`);
    }
    if (typeof name !== 'string' || !name) fail(`${what}.data.name`, 'must be a non-empty string');
    fn((command as SlashCommand).run, `slash command "${name}".run`);
    if (seen.has(name)) fail(`slash command "${name}"`, 'defined twice');
    seen.add(name);
  });
}

function checkMessages(definition: BotDefinition): void {
  const { prefix, messageCommands, onMessage } = definition;
  if (prefix !== undefined && (typeof prefix !== 'string' || !/^\S{1,32}$/.test(prefix)))
    fail('prefix', `${JSON.stringify(prefix)} must be 1 to 32 characters without spaces`);
  if (onMessage !== undefined) fn(onMessage, 'onMessage');
  if (messageCommands === undefined) return;
  const seen = new Set<string>();
  list(messageCommands, 'messageCommands').forEach((command, i) => {
    const { name, aliases, run } = (command ?? {}) as { name?: unknown; aliases?: unknown; run?: unknown };
    if (typeof name !== 'string' || !/^\S+$/.test(name))
      fail(`messageCommands[${i}].name`, `${JSON.stringify(name)} must be a word without spaces`);
    fn(run, `message command "${name}".run`);
    for (const word of [name, ...(aliases === undefined ? [] : list(aliases, `message command "${name}".aliases`))]) {
      if (typeof word !== 'string' || !/^\S+$/.test(word))
        fail(`message command "${name}".aliases`, `${JSON.stringify(word)} must be a word without spaces`);
      if (seen.has(word.toLowerCase())) fail(`message command "${word}"`, 'defined twice (names and aliases)');
      seen.add(word.toLowerCase());
    }
  });
}

function checkEvents(events: unknown): void {
  if (events === undefined) return;
  if (!events || typeof events !== 'object' || Array.isArray(events))
    fail('events', 'expects an object of handlers: { guildMemberAdd: async (member, ctx) => {...} }');
  for (const [name, handler] of Object.entries(events)) {
    if (DISPATCHED[name]) fail(`events.${name}`, DISPATCHED[name]);
    fn(handler, `events.${name}`);
  }
}

function checkJobs(jobs: unknown): void {
  if (jobs === undefined) return;
  const seen = new Set<string>();
  list(jobs, 'jobs').forEach((job, i) => {
    const { name, every, run } = (job ?? {}) as { name?: unknown; every?: unknown; run?: unknown };
    if (typeof name !== 'string' || !name) fail(`jobs[${i}].name`, 'must be a non-empty string');
    if (intervalMs(every) === undefined)
      fail(`job "${name}".every`, `${JSON.stringify(every)} is not a duration ("1h", "30s", or milliseconds)`);
    fn(run, `job "${name}".run`);
    if (seen.has(name)) fail(`job "${name}"`, 'defined twice');
    seen.add(name);
  });
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(what, 'must be an array');
  return value;
}

function fn(value: unknown, what: string): void {
  if (typeof value !== 'function') fail(what, 'must be a function');
}

function fail(what: string, why: string): never {
  throw new BotDefinitionError(`${what}: ${why}`);
}
