// What hooks and notifications say about a run: the facts of one migrate, deploy or rollback at
// one moment (before it, once started, once ended), gathered from its journal and state.
import type { Context } from '../context.js';
import { readManifest } from '../commands/manifest.js';
import type { JournalEntry } from '../journal/journal.js';
import { releaseOf } from '../journal/release.js';
import { callerArn } from '../who.js';

export type RunPhase = 'before' | 'started' | 'succeeded' | 'failed' | 'rolled-back' | 'interrupted';

export interface RunFacts {
  phase: RunPhase;
  command: string;
  environment: string;
  /** Undefined before a fresh run's journal exists. */
  deploymentId?: string;
  release?: string;
  /** The git commit the release was built from (its manifest), 12 characters; "+dirty" when it had changes. */
  commit?: string;
  /** The team's bot, name@version (its manifest). */
  bot?: string;
  /** The operator: user@host. */
  who: string;
  /** The AWS caller's ARN. */
  identity?: string;
  resumed: boolean;
  durationMs?: number;
  steps: { title: string; outcome: string; seconds?: number }[];
  error?: string;
}

/** The facts of a run about to start (`entry` given when resuming), or of one under way or ended. */
export async function runFacts(
  ctx: Context,
  o: { phase: RunPhase; command: string; state: unknown; entry?: JournalEntry; resumed: boolean; error?: unknown },
): Promise<RunFacts> {
  const entry = o.entry;
  const release = releaseOf({ command: o.command, state: (o.state ?? {}) as Record<string, unknown> });
  const [identity, manifest] = await Promise.all([
    entry?.identity ?? callerArn(ctx),
    release ? readManifest(ctx.releases, release).catch(() => undefined) : undefined,
  ]);
  const git = manifest?.git;
  const ended = entry?.ended ? Date.parse(entry.ended) : ctx.clock.now();
  return {
    phase: o.phase,
    command: o.command,
    environment: ctx.env.name,
    ...(entry ? { deploymentId: entry.id } : {}),
    ...(release ? { release } : {}),
    ...(git ? { commit: `${git.commit.slice(0, 12)}${git.dirty ? '+dirty' : ''}` } : {}),
    ...(manifest?.bot ? { bot: `${manifest.bot.name}@${manifest.bot.version}` } : {}),
    who: entry?.who ?? ctx.user,
    ...(identity ? { identity } : {}),
    resumed: o.resumed,
    ...(entry && o.phase !== 'started' ? { durationMs: Math.max(0, ended - Date.parse(entry.started)) } : {}),
    steps: (entry?.steps ?? []).map((s) => ({ title: s.title, outcome: s.outcome, seconds: s.seconds })),
    ...(o.error !== undefined ? { error: (o.error as Error).message ?? String(o.error) } : {}),
  };
}
