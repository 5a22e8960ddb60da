// Slash commands follow the release: one bulk overwrite to the definitions in the release's
// manifest, run by the flows once the release serves (after the handoff) and before the old
// one is retired. No bot registers commands itself, so a standby never changes what users see.
import type { CommandDefinition } from '../../ports.js';
import { isUserError, UserError } from '../../errors.js';
import type { Context } from '../context.js';
import type { Step } from '../steps/step.js';
import { describeDiff, diffCommands, hasChanges } from './diff.js';
import { readManifest } from './manifest.js';
import { openRegistry, scopeOf } from './registry.js';

export interface SyncStepOptions<S> {
  group?: number;
  /** The release whose definitions are registered. */
  release(state: S): string | null | undefined;
  /** How many commands its manifest records (read when the flow starts); undefined: none, so no sync. */
  count(state: S): number | undefined;
  /** Definitions of a release not uploaded yet (deploy --dry-run of a built release). */
  preview?(state: S): CommandDefinition[] | undefined;
  /** Another reason not to run. */
  skip?(ctx: Context, state: S): string | undefined;
  /** The fix a failed sync names: what serves then, and how to continue. */
  fix(ctx: Context, state: S): string;
  /** A failed sync is a warning, not the flow's failure (an emergency must finish). */
  tolerate?(state: S): boolean;
}

export function syncCommandsStep<S>(options: SyncStepOptions<S>): Step<S> {
  return {
    id: 'sync-commands',
    title: 'Sync the slash commands to the release',
    group: options.group,
    async run(ctx, state) {
      const release = options.release(state)!;
      try {
        return await syncCommands(ctx, release);
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const fix = options.fix(ctx, state);
        if (!options.tolerate?.(state)) throw withFix(error, release, fix);
        const message = (error as Error).message;
        ctx.reporter.warn(`slash commands not synced: ${message} (${fix})`);
        return `not synced: ${message}`;
      }
    },
    async dryRun(ctx, state) {
      const release = options.release(state)!;
      const defs = options.preview?.(state) ?? (await readManifest(ctx.releases, release))?.commands;
      return defs ? planSync(ctx, release, defs) : noCommands(release);
    },
    skip(ctx, state) {
      const release = options.release(state);
      if (!release) return 'no release is known to take the commands from';
      const other = options.skip?.(ctx, state);
      if (other) return other;
      return options.count(state) === undefined && !options.preview?.(state) ? noCommands(release) : undefined;
    },
  };
}

const noCommands = (release: string) =>
  `${release} records no slash commands (built before releases carried them): what is registered stays`;

/** Overwrite the registered commands with the release's; no request when nothing differs. */
export async function syncCommands(ctx: Context, release: string): Promise<string> {
  const defs = (await readManifest(ctx.releases, release))?.commands;
  if (!defs) return noCommands(release);
  const registry = await openRegistry(ctx);
  const diff = diffCommands(await registry.registered(), defs);
  if (!hasChanges(diff))
    return `${registry.scope} already has ${release}'s ${defs.length} commands: nothing to overwrite`;
  await registry.overwrite(defs);
  return `${registry.scope} → ${release}: ${describeDiff(diff)}`;
}

/** The dry-run line: what one overwrite would change, against what is registered now (read-only). */
export async function planSync(ctx: Context, release: string, defs: CommandDefinition[]): Promise<string> {
  const what = `one bulk overwrite of the ${scopeOf(ctx.env)} commands to ${release}'s ${defs.length}`;
  try {
    const registry = await openRegistry(ctx);
    return `${what}: ${describeDiff(diffCommands(await registry.registered(), defs))}`;
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return `${what} (${defs.map((d) => d.name).join(', ')}); what is registered now could not be read: ${(error as Error).message}`;
  }
}

function withFix(error: unknown, release: string, fix: string): UserError {
  if (isUserError(error))
    return new UserError(error.what, error.why, { code: error.code, details: error.details, cause: error, fix });
  return new UserError(`registering ${release}'s slash commands failed`, (error as Error).message, {
    cause: error,
    fix,
  });
}
