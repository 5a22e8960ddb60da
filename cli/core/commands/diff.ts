// What a bulk overwrite would change: the registered commands against the release's, by name
// (and type: a user command may share a slash command's name). Definitions are compared after
// normalising both sides, so what Discord adds (ids, version) or fills in (defaults) is no change.
import type { CommandDefinition } from '../../ports.js';

export interface CommandDiff {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

/** Fields Discord sets on a registered command; never part of a definition. */
const ASSIGNED = new Set(['id', 'application_id', 'version', 'guild_id']);

/** A command field at its default reads as absent. */
const COMMAND_DEFAULTS: Record<string, unknown> = {
  type: 1,
  options: [],
  nsfw: false,
  dm_permission: true,
  default_permission: true,
  default_member_permissions: null,
  name_localizations: null,
  description_localizations: null,
  integration_types: [0],
  contexts: null,
  handler: null,
};

const OPTION_DEFAULTS: Record<string, unknown> = {
  required: false,
  autocomplete: false,
  options: [],
  choices: [],
  channel_types: [],
  name_localizations: null,
  description_localizations: null,
};

const CHOICE_DEFAULTS: Record<string, unknown> = { name_localizations: null };

export function diffCommands(registered: CommandDefinition[], desired: CommandDefinition[]): CommandDiff {
  const before = new Map(registered.map((c) => [keyOf(c), c]));
  const after = new Map(desired.map((c) => [keyOf(c), c]));
  const diff: CommandDiff = { added: [], changed: [], removed: [], unchanged: [] };
  for (const [key, command] of after) {
    const old = before.get(key);
    if (!old) diff.added.push(labelOf(command));
    else if (canonical(normaliseCommand(old)) !== canonical(normaliseCommand(command)))
      diff.changed.push(labelOf(command));
    else diff.unchanged.push(labelOf(command));
  }
  for (const [key, command] of before) if (!after.has(key)) diff.removed.push(labelOf(command));
  return diff;
}

export function hasChanges(diff: CommandDiff): boolean {
  return diff.added.length + diff.changed.length + diff.removed.length > 0;
}

/** "+1 ~0 -1 (added coin; removed status)" */
export function describeDiff(diff: CommandDiff): string {
  const counts = `+${diff.added.length} ~${diff.changed.length} -${diff.removed.length}`;
  const parts = [
    diff.added.length ? `added ${diff.added.join(', ')}` : '',
    diff.changed.length ? `changed ${diff.changed.join(', ')}` : '',
    diff.removed.length ? `removed ${diff.removed.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? `${counts} (${parts.join('; ')})` : `${counts} (${diff.unchanged.length} unchanged)`;
}

const typeOf = (c: CommandDefinition): number => (typeof c.type === 'number' ? c.type : 1);
const keyOf = (c: CommandDefinition): string => `${typeOf(c)}:${c.name}`;
const TYPE_LABELS: Record<number, string> = { 2: ' (user command)', 3: ' (message command)' };
const labelOf = (c: CommandDefinition): string => `${c.name}${TYPE_LABELS[typeOf(c)] ?? ''}`;

/** The definition without what Discord assigns and without fields at their defaults. */
export function normaliseCommand(command: CommandDefinition): Record<string, unknown> {
  const out = strip(command, COMMAND_DEFAULTS, ASSIGNED);
  // Context-menu commands carry an empty description.
  if (typeOf(command) !== 1 && out.description === '') delete out.description;
  if (Array.isArray(out.options)) out.options = out.options.map(normaliseOption);
  return out;
}

function normaliseOption(option: unknown): unknown {
  if (!option || typeof option !== 'object') return option;
  const out = strip(option as Record<string, unknown>, OPTION_DEFAULTS);
  if (Array.isArray(out.options)) out.options = out.options.map(normaliseOption);
  if (Array.isArray(out.choices))
    out.choices = out.choices.map((c) => strip(c as Record<string, unknown>, CHOICE_DEFAULTS));
  return out;
}

function strip(
  value: Record<string, unknown>,
  defaults: Record<string, unknown>,
  ignored: Set<string> = new Set(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (ignored.has(key) || field === undefined) continue;
    if (key in defaults && canonical(field) === canonical(defaults[key])) continue;
    // Empty localizations are the same as none.
    if (key.endsWith('_localizations') && isEmptyObject(field)) continue;
    out[key] = field;
  }
  return out;
}

function isEmptyObject(value: unknown): boolean {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value) && !Object.keys(value as object).length;
}

/** JSON with object keys sorted: equal definitions give equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
