// Which slash command the gate sends to prove a bot answers: one the release defines (its
// handler exists), preferably one users can type now (registered) and one without required
// options (the probe sends none). A release that records no commands has nothing to send: the
// health contract vouches for it instead.
import type { CommandDefinition } from '../../ports.js';
import type { Context } from '../context.js';
import { readManifest } from '../commands/manifest.js';
import { openRegistry } from '../commands/registry.js';

export type ProbeChoice = { command: string } | { none: string };

export async function probeCommand(ctx: Context, release: string | undefined): Promise<ProbeChoice> {
  if (!release) return { none: 'the instance names no release to read its commands from' };
  const manifest = await readManifest(ctx.releases, release).catch(() => undefined);
  const slash = (manifest?.commands ?? []).filter((c) => (c.type ?? 1) === 1);
  if (!slash.length) return { none: `${release} records no slash commands` };
  const registered = await registeredNames(ctx);
  const rank = (c: CommandDefinition) => (registered.has(c.name) ? 0 : 1) + (needsOptions(c) ? 2 : 0);
  const [best] = [...slash].sort((a, b) => rank(a) - rank(b));
  return { command: best!.name };
}

/** What users can type now; unknown (empty) when the registry cannot be read. */
async function registeredNames(ctx: Context): Promise<Set<string>> {
  try {
    const registry = await openRegistry(ctx);
    return new Set((await registry.registered()).map((c) => c.name));
  } catch (error) {
    ctx.reporter.debug(`registered commands not read: ${(error as Error).message}`);
    return new Set();
  }
}

function needsOptions(command: CommandDefinition): boolean {
  return (command.options ?? []).some((o) => o.required === true || o.type === 1 || o.type === 2);
}
