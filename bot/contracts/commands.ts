// Application command definitions as Discord's API takes them (the JSON body of a bulk overwrite,
// RESTPostAPIChatInputApplicationCommandsJSONBody), typed minimally so neither discord.js nor zod is
// needed to read them, and the rules Discord documents for them. The build refuses a release whose
// definitions break a rule; the sandbox's Discord emulator answers 400 for the same ones.
// Pure: no I/O, no dependencies.

/** Option types (Discord's ApplicationCommandOptionType). */
export const OPTION_TYPES = {
  SUB_COMMAND: 1,
  SUB_COMMAND_GROUP: 2,
  STRING: 3,
  INTEGER: 4,
  BOOLEAN: 5,
  USER: 6,
  CHANNEL: 7,
  ROLE: 8,
  MENTIONABLE: 9,
  NUMBER: 10,
  ATTACHMENT: 11,
} as const;

/** Command types (Discord's ApplicationCommandType): slash, user context menu, message context menu. */
export const COMMAND_TYPES = { CHAT_INPUT: 1, USER: 2, MESSAGE: 3 } as const;

export type Localizations = Record<string, string | null>;

export interface CommandOptionChoice {
  name: string;
  value: string | number;
  name_localizations?: Localizations | null;
}

export interface CommandOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: CommandOptionChoice[];
  options?: CommandOption[];
  name_localizations?: Localizations | null;
  description_localizations?: Localizations | null;
  // channel_types, min_value, max_value, min_length, max_length, autocomplete, ...
  [field: string]: unknown;
}

export interface CommandDefinition {
  name: string;
  /** Required for slash commands; must be "" (or absent) for context-menu commands. */
  description?: string;
  /** 1 = CHAT_INPUT (the default when absent). */
  type?: number;
  options?: CommandOption[];
  name_localizations?: Localizations | null;
  description_localizations?: Localizations | null;
  default_member_permissions?: string | null;
  nsfw?: boolean;
  // contexts, integration_types, dm_permission, ...
  [field: string]: unknown;
}

/** A broken rule: the command it concerns (its name, or "#<index>" without one) and the rule. */
export interface CommandViolation {
  command: string;
  rule: string;
}

/** CHAT_INPUT command and option names (Discord's documented pattern), also lowercase. */
export const CHAT_INPUT_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

export const LIMITS = {
  descriptionMax: 100,
  options: 25,
  choices: 25,
  choiceNameMax: 100,
  choiceValueMax: 100,
  chatInputCommands: 100,
  userCommands: 5,
  messageCommands: 5,
  totalCharacters: 4000,
} as const;

const NAME_RULE = `name must match ${CHAT_INPUT_NAME.source} and be lowercase`;
const VALUE_TYPES: readonly number[] = Object.values(OPTION_TYPES);
const CHOICE_TYPES: readonly number[] = [OPTION_TYPES.STRING, OPTION_TYPES.INTEGER, OPTION_TYPES.NUMBER];
const SUB_TYPES: readonly number[] = [OPTION_TYPES.SUB_COMMAND, OPTION_TYPES.SUB_COMMAND_GROUP];

/**
 * Every rule the definitions break, in order (none = an empty list). The definitions are one scope's
 * full set (global, or one guild's), as a bulk overwrite sends them. Tolerates any JSON: a value that
 * is not an object is reported, not thrown on.
 */
export function validateCommands(defs: readonly unknown[]): CommandViolation[] {
  const out: CommandViolation[] = [];
  const seen = new Map<string, number>();
  const counts = new Map<number, number>();
  defs.forEach((def, index) => {
    const label = commandLabel(def, index);
    if (!isObject(def)) {
      out.push({ command: label, rule: 'must be an object' });
      return;
    }
    const type = def.type ?? COMMAND_TYPES.CHAT_INPUT;
    const key = `${String(type)}:${String(def.name)}`;
    if (seen.has(key)) out.push({ command: label, rule: 'duplicate command name (names are unique per type)' });
    seen.set(key, index);
    counts.set(Number(type), (counts.get(Number(type)) ?? 0) + 1);
    for (const rule of commandRules(def)) out.push({ command: label, rule });
  });
  out.push(...countRules(defs, counts));
  return out;
}

/** The name a violation names: the command's own, or its position when it has none. */
function commandLabel(def: unknown, index: number): string {
  return isObject(def) && typeof def.name === 'string' && def.name !== '' ? def.name : `#${index}`;
}

function commandRules(def: Record<string, unknown>): string[] {
  const type = def.type ?? COMMAND_TYPES.CHAT_INPUT;
  if (type === COMMAND_TYPES.USER || type === COMMAND_TYPES.MESSAGE) return contextMenuRules(def);
  if (type !== COMMAND_TYPES.CHAT_INPUT)
    return [`type must be 1 (CHAT_INPUT), 2 (USER) or 3 (MESSAGE), got ${j(type)}`];
  const rules = [...nameRules(def.name, ''), ...descriptionRules(def.description, '')];
  rules.push(...optionListRules(def.options, ''));
  const total = totalCharacters(def);
  if (total > LIMITS.totalCharacters) {
    rules.push(`name, descriptions and choices total ${total} characters (at most ${LIMITS.totalCharacters})`);
  }
  return rules;
}

function contextMenuRules(def: Record<string, unknown>): string[] {
  const rules: string[] = [];
  if (typeof def.name !== 'string' || def.name.length < 1 || def.name.length > 32) {
    rules.push('name must be 1-32 characters');
  }
  if (def.description !== undefined && def.description !== '') {
    rules.push('description must be empty for a context-menu command');
  }
  if (def.options !== undefined) rules.push('a context-menu command takes no options');
  return rules;
}

function nameRules(name: unknown, where: string): string[] {
  if (typeof name !== 'string' || !CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
    return [`${where}${NAME_RULE} (got ${j(name)})`];
  }
  return [];
}

function descriptionRules(description: unknown, where: string): string[] {
  if (typeof description !== 'string' || description.length < 1 || description.length > LIMITS.descriptionMax) {
    const got = typeof description === 'string' ? `${description.length} characters` : j(description);
    return [`${where}description must be 1-${LIMITS.descriptionMax} characters (got ${got})`];
  }
  return [];
}

/** One level of options: count, unique names, required before optional, no subcommands mixed in. */
function optionListRules(options: unknown, where: string): string[] {
  if (options === undefined || options === null) return [];
  if (!Array.isArray(options)) return [`${where}options must be a list`];
  const rules: string[] = [];
  if (options.length > LIMITS.options) {
    rules.push(`${where}at most ${LIMITS.options} options (got ${options.length})`);
  }
  const names = new Set<string>();
  let optionalSeen = false;
  const subs = options.filter((o) => isObject(o) && SUB_TYPES.includes(o.type as number)).length;
  if (subs > 0 && subs < options.length) {
    rules.push(`${where}subcommands and subcommand groups cannot be mixed with other options`);
  }
  for (const option of options) {
    if (!isObject(option)) {
      rules.push(`${where}each option must be an object`);
      continue;
    }
    const at = `${where}option "${String(option.name)}": `;
    if (typeof option.name === 'string' && names.has(option.name)) rules.push(`${at}duplicate option name`);
    names.add(String(option.name));
    if (option.required === true && optionalSeen) {
      rules.push(`${at}required options must come before optional ones`);
    }
    if (option.required !== true) optionalSeen = true;
    rules.push(...optionRules(option, at, where));
  }
  return rules;
}

function optionRules(option: Record<string, unknown>, at: string, where: string): string[] {
  const rules = [...nameRules(option.name, at), ...descriptionRules(option.description, at)];
  const type = option.type as number;
  if (!VALUE_TYPES.includes(type)) rules.push(`${at}type must be an option type 1-11 (got ${j(option.type)})`);
  if (option.choices !== undefined) rules.push(...choiceRules(option.choices, type, at));
  if (type === OPTION_TYPES.SUB_COMMAND_GROUP) {
    const nested = Array.isArray(option.options) ? option.options : [];
    if (nested.some((o) => !isObject(o) || o.type !== OPTION_TYPES.SUB_COMMAND)) {
      rules.push(`${at}a subcommand group holds only subcommands`);
    }
  } else if (type === OPTION_TYPES.SUB_COMMAND && Array.isArray(option.options)) {
    if (option.options.some((o) => isObject(o) && SUB_TYPES.includes(o.type as number))) {
      rules.push(`${at}a subcommand cannot hold subcommands`);
    }
  } else if (option.options !== undefined) {
    rules.push(`${at}only subcommands and subcommand groups have options`);
  }
  if (SUB_TYPES.includes(type)) rules.push(...optionListRules(option.options, `${where}${at}`));
  return rules;
}

function choiceRules(choices: unknown, type: number, at: string): string[] {
  if (!Array.isArray(choices)) return [`${at}choices must be a list`];
  const rules: string[] = [];
  if (!CHOICE_TYPES.includes(type)) rules.push(`${at}only string, integer and number options have choices`);
  if (choices.length > LIMITS.choices) rules.push(`${at}at most ${LIMITS.choices} choices (got ${choices.length})`);
  for (const choice of choices) {
    const name = isObject(choice) ? choice.name : undefined;
    const value = isObject(choice) ? choice.value : undefined;
    if (typeof name !== 'string' || name.length < 1 || name.length > LIMITS.choiceNameMax) {
      rules.push(`${at}choice names must be 1-${LIMITS.choiceNameMax} characters (got ${j(name)})`);
    }
    const valueOk =
      (typeof value === 'string' && value.length >= 1 && value.length <= LIMITS.choiceValueMax) ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!valueOk) rules.push(`${at}choice values must be a string of 1-${LIMITS.choiceValueMax} or a number`);
  }
  return rules;
}

/** Characters of the name, description and choice names and values, across every option level. */
export function totalCharacters(node: Record<string, unknown>): number {
  let total = len(node.name) + len(node.description);
  if (Array.isArray(node.choices)) {
    for (const c of node.choices)
      if (isObject(c)) total += len(c.name) + len(c.value === undefined ? '' : String(c.value));
  }
  if (Array.isArray(node.options)) for (const o of node.options) if (isObject(o)) total += totalCharacters(o);
  return total;
}

function countRules(defs: readonly unknown[], counts: Map<number, number>): CommandViolation[] {
  const limits: [number, number, string][] = [
    [COMMAND_TYPES.CHAT_INPUT, LIMITS.chatInputCommands, 'chat-input'],
    [COMMAND_TYPES.USER, LIMITS.userCommands, 'user'],
    [COMMAND_TYPES.MESSAGE, LIMITS.messageCommands, 'message'],
  ];
  const out: CommandViolation[] = [];
  for (const [type, max, label] of limits) {
    const count = counts.get(type) ?? 0;
    if (count <= max) continue;
    const ofType = defs.filter((d) => isObject(d) && (d.type ?? COMMAND_TYPES.CHAT_INPUT) === type);
    out.push({
      command: commandLabel(ofType[max], defs.indexOf(ofType[max])),
      rule: `at most ${max} ${label} commands per scope (got ${count})`,
    });
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function len(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

function j(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
