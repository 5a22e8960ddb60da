// Application commands, global (scope = the application id) or per guild (`<app>:<guild>`): list and
// bulk overwrite, validated by Discord's documented rules (400, code 50035, naming the command and the
// field), and Discord's daily limit of 200 command creates per scope (429, code 30034). A command keeps
// its id while its name stays registered, as on Discord; a name not registered before is a create.
import { validateCommands, type CommandViolation } from '../../../../bot/contracts/commands.js';
import { HttpError } from './http.js';
import { snowflake } from './snowflake.js';
import type { EmulatorState } from './emulator-state.js';

export const DAILY_CREATES = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

export type Command = Record<string, unknown> & { id: string; name: string };

export function scopeOf(applicationId: string, guildId?: string): string {
  return guildId ? `${applicationId}:${guildId}` : applicationId;
}

export function listCommands(state: EmulatorState, applicationId: string, guildId?: string): Command[] {
  return (state.commands.get(scopeOf(applicationId, guildId)) ?? []) as Command[];
}

/** A command a user could type in the guild: registered in the guild, or globally. */
export function registeredCommand(state: EmulatorState, name: string, guildId: string | undefined) {
  const inGuild = guildId ? listCommands(state, state.applicationId, guildId).find((c) => c.name === name) : undefined;
  return inGuild ?? listCommands(state, state.applicationId).find((c) => c.name === name);
}

/** PUT .../commands: replaces the scope's whole set, or refuses it entirely. */
export function overwriteCommands(state: EmulatorState, body: unknown, applicationId: string, guildId?: string) {
  if (!Array.isArray(body)) throw invalidForm({ _errors: [error('BASE_TYPE_ARRAY', 'Must be an array.')] });
  const violations = validateCommands(body);
  if (violations.length) throw invalidForm(formErrors(body, violations));
  const scope = scopeOf(applicationId, guildId);
  const existing = new Map(listCommands(state, applicationId, guildId).map((c) => [commandKey(c), c]));
  const created = body.filter((c) => !existing.has(commandKey(c))).length;
  const now = Date.now();
  const creates = (state.commandCreates.get(scope) ?? []).filter((at) => now - at < DAY_MS);
  if (creates.length + created > DAILY_CREATES) {
    const retryAfter = Math.ceil((creates[0]! + DAY_MS - now) / 1000);
    throw new HttpError(429, `Max number of daily application command creates has been reached (${DAILY_CREATES})`, {
      code: 30034,
      body: { retry_after: retryAfter, global: false },
      headers: { 'retry-after': String(retryAfter), 'x-ratelimit-scope': 'shared' },
    });
  }
  state.commandCreates.set(scope, [...creates, ...Array<number>(created).fill(now)]);
  const commands = body.map((def: Record<string, unknown>) => stored(def, existing.get(commandKey(def)), scope));
  state.commands.set(scope, commands);
  return commands;
}

function stored(def: Record<string, unknown>, before: Command | undefined, scope: string): Command {
  const [applicationId, guildId] = scope.split(':');
  const definition: Record<string, unknown> = { type: 1, default_member_permissions: null, nsfw: false, ...def };
  const same = before && JSON.stringify(strip(before)) === JSON.stringify(strip(definition));
  return {
    ...definition,
    name: String(def.name),
    id: before?.id ?? snowflake(),
    application_id: applicationId,
    ...(guildId ? { guild_id: guildId } : {}),
    version: same ? before.version : snowflake(),
  };
}

/** Command names are unique per type. */
function commandKey(c: Record<string, unknown>): string {
  return `${String(c.type ?? 1)}:${String(c.name)}`;
}

function strip(c: Record<string, unknown>) {
  const { id: _id, application_id: _app, guild_id: _guild, version: _version, ...rest } = c;
  return rest;
}

/** Discord's "Invalid Form Body": errors nested by index and field, each with a code and a message. */
function invalidForm(errors: Record<string, unknown>): HttpError {
  return new HttpError(400, 'Invalid Form Body', { code: 50035, body: { errors } });
}

function formErrors(body: unknown[], violations: CommandViolation[]): Record<string, any> {
  const errors: Record<string, any> = {};
  for (const { command, rule } of violations) {
    const index = indexOf(body, command);
    const field = fieldOf(rule);
    const code = /duplicate/.test(rule) ? 'APPLICATION_COMMANDS_DUPLICATE_NAME' : 'APPLICATION_COMMAND_INVALID';
    const at = index === undefined ? errors : (errors[index] ??= {});
    const node = field ? (at[field] ??= {}) : at;
    (node._errors ??= []).push(error(code, `${command}: ${rule}`));
  }
  return errors;
}

/** The position of the command a violation names (its name, or "#<index>"); the last one for a duplicate. */
function indexOf(body: unknown[], command: string): number | undefined {
  const byPosition = /^#(\d+)$/.exec(command);
  if (byPosition) return Number(byPosition[1]);
  const named = body.map((c, i) => ((c as { name?: unknown })?.name === command ? i : -1)).filter((i) => i >= 0);
  return named.at(-1);
}

/** The field a rule is about, from its first words ("name must…", "option "x": …", "description must…"). */
function fieldOf(rule: string): string | undefined {
  if (rule.startsWith('option "')) return 'options';
  return /^(name|description|type) must\b/.exec(rule)?.[1];
}

function error(code: string, message: string) {
  return { code, message };
}
