// The journal: one S3 object per deployment, rewritten as each step starts and ends, so
// `history` can tell the story and `--resume` knows where to continue.
import * as z from 'zod';
import { PreconditionFailed } from '../../ports.js';
import { ExitCode, UserError } from '../../errors.js';
import type { Context } from '../context.js';
import { rememberDesired } from '../desired/state.js';
import { deploymentMetricsSchema, runMetrics, type DeploymentMetrics } from '../metrics/metrics.js';
import { keys } from '../storage.js';
import { callerArn } from '../who.js';

const stepOutcome = z.enum(['running', 'succeeded', 'failed', 'interrupted', 'skipped']);
const journalStep = z.object({
  id: z.string(),
  title: z.string(),
  started: z.string(),
  ended: z.string().optional(),
  seconds: z.number().optional(),
  outcome: stepOutcome,
  detail: z.string().optional(),
});
export const journalSchema = z.object({
  id: z.string(),
  command: z.string(),
  environment: z.string(),
  who: z.string(),
  identity: z.string().optional(),
  started: z.string(),
  ended: z.string().optional(),
  outcome: z.enum(['running', 'succeeded', 'failed', 'interrupted']),
  /** A failed run whose recovery already put the old state back: nothing to resume. */
  recovered: z.boolean().optional(),
  error: z.string().optional(),
  steps: z.array(journalStep),
  /** The flow's own facts (baseline state, release, gate metrics): what --resume needs. */
  state: z.record(z.string(), z.unknown()),
  /**
   * desired.json as this run last left it (null: there was none), noted at every journal write
   * after a step: --resume refuses when someone changed it since. Absent in older entries.
   */
  desired: z.record(z.string(), z.unknown()).nullable().optional(),
  /** What a step is about to write to desired.json, until the step ends: a run killed mid-step left either. */
  desiredWriting: z.record(z.string(), z.unknown()).optional(),
  /** Key metrics (core/metrics), written when the run ends. Absent in older entries. */
  metrics: deploymentMetricsSchema.optional(),
});
export type JournalEntry = z.infer<typeof journalSchema>;
export type JournalStep = z.infer<typeof journalStep>;

/** The etag each listed entry was read with: a resumed run's writes are conditional on it. */
const readEtags = new WeakMap<JournalEntry, string>();

export class Journal {
  /**
   * The entry's etag as this run last wrote or read it: every write is conditional on it (null:
   * not written yet, so created with If-None-Match), so a stale run cannot overwrite another's.
   */
  private etag: string | null | undefined;
  /** When this run (not the entry: a resume continues one) began, for its metrics. */
  private readonly runStarted: number;
  /** The metrics the runs before a --resume recorded: this run's are added to them. */
  private readonly earlierMetrics: DeploymentMetrics | undefined;

  private constructor(
    private readonly ctx: Context,
    readonly entry: JournalEntry,
    etag: string | null | undefined,
  ) {
    this.etag = etag;
    this.runStarted = ctx.clock.now();
    this.earlierMetrics = entry.metrics;
  }

  static async start(ctx: Context, command: string, state: Record<string, unknown>): Promise<Journal> {
    const entry: JournalEntry = {
      id: deploymentId(ctx.clock.now(), command),
      command,
      environment: ctx.env.name,
      who: ctx.user,
      started: iso(ctx.clock.now()),
      outcome: 'running',
      steps: [],
      state,
    };
    const identity = await callerArn(ctx);
    if (identity) entry.identity = identity;
    const journal = new Journal(ctx, entry, null);
    await journal.noteDesired();
    await journal.save();
    return journal;
  }

  /** Continue a run: it is running again, under the same id. */
  static async resume(ctx: Context, entry: JournalEntry): Promise<Journal> {
    const journal = new Journal(
      ctx,
      { ...entry, outcome: 'running', ended: undefined, error: undefined },
      readEtags.get(entry),
    );
    await journal.save();
    return journal;
  }

  get id(): string {
    return this.entry.id;
  }

  get state(): Record<string, unknown> {
    return this.entry.state;
  }

  succeeded(stepId: string): boolean {
    return this.entry.steps.some((s) => s.id === stepId && s.outcome === 'succeeded');
  }

  async begin(id: string, title: string): Promise<void> {
    this.entry.steps.push({ id, title, started: iso(this.ctx.clock.now()), outcome: 'running' });
    await this.save();
  }

  async end(id: string, outcome: JournalStep['outcome'], detail?: string): Promise<void> {
    const step = [...this.entry.steps].reverse().find((s) => s.id === id && s.outcome === 'running');
    if (!step) {
      this.entry.steps.push({
        id,
        title: id,
        started: iso(this.ctx.clock.now()),
        ended: iso(this.ctx.clock.now()),
        seconds: 0,
        outcome,
        detail,
      });
    } else {
      const now = this.ctx.clock.now();
      Object.assign(step, {
        ended: iso(now),
        seconds: round((now - Date.parse(step.started)) / 1000),
        outcome,
        ...(detail ? { detail } : {}),
      });
    }
    // The step may have written desired.json: what it left is what a resume continues from.
    await this.noteDesired();
    await this.save();
  }

  async finish(outcome: JournalEntry['outcome'], extra: { error?: string; recovered?: boolean } = {}): Promise<void> {
    const now = this.ctx.clock.now();
    Object.assign(this.entry, { outcome, ended: iso(now), ...extra });
    this.entry.metrics = runMetrics(
      this.entry.state,
      { meter: this.ctx.meter, now, runStarted: this.runStarted },
      this.earlierMetrics,
    );
    await this.noteDesired();
    await this.save();
  }

  /** Before a step writes desired.json: journaled first, so a run killed mid-write is still its own. */
  async writingDesired(state: object): Promise<void> {
    this.entry.desiredWriting = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
    await this.save();
  }

  /** Record desired.json as it stands now (this run holds the lock, so it is this run's). */
  private async noteDesired(): Promise<void> {
    const current = await readDesiredObject(this.ctx).catch(() => undefined);
    // Unreadable now: keep what was noted before rather than a value nothing can compare with.
    if (current === undefined) return;
    this.entry.desired = current.value;
    delete this.entry.desiredWriting;
  }

  async save(): Promise<void> {
    const key = keys.journal(this.ctx.env.name, this.entry.id);
    const condition =
      this.etag === undefined ? {} : this.etag === null ? { ifNoneMatch: '*' as const } : { ifMatch: this.etag };
    try {
      const { etag } = await this.ctx.store.put(key, `${JSON.stringify(this.entry, null, 2)}\n`, {
        contentType: 'application/json',
        ...condition,
      });
      this.etag = etag;
    } catch (error) {
      if (!(error instanceof PreconditionFailed)) throw error;
      throw new UserError(
        `journal entry ${this.entry.id} changed since this run wrote it`,
        `another run (a --resume of the same deployment?) wrote s3://${this.ctx.store.bucket}/${key}, so this run stopped rather than overwrite it`,
        { code: ExitCode.locked, fix: `ydeploy history --env ${this.ctx.env.name}` },
      );
    }
  }
}

/** Sortable by time: 20261126T101500Z-migrate-3f2a. */
export function deploymentId(now: number, command: string): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${command}-${Math.random().toString(16).slice(2, 6)}`;
}

/** Every journal entry of the environment, newest first; unreadable ones are skipped. */
export async function listJournal(
  ctx: Pick<Context, 'store' | 'env'>,
  limit = Infinity,
  command?: string,
): Promise<JournalEntry[]> {
  const objects = await ctx.store.list(keys.journalDir(ctx.env.name));
  // Ids are "<time>-<command>-<random>": sorting the keys sorts by time, and names the command.
  const newest = objects
    .map((o) => o.key)
    .filter((k) => k.endsWith('.json') && (!command || k.includes(`-${command}-`)))
    .sort()
    .reverse();
  const entries: JournalEntry[] = [];
  for (const key of newest) {
    if (entries.length >= limit) break;
    const object = await ctx.store.get(key);
    const parsed = object && journalSchema.safeParse(safeJson(object.body));
    if (parsed && parsed.success) {
      readEtags.set(parsed.data, object.etag);
      entries.push(parsed.data);
    }
  }
  return entries;
}

/** The run `--resume` continues: the newest of this command, if it stopped part-way. */
export async function resumable(ctx: Context, command: string): Promise<JournalEntry> {
  const [last] = await listJournal(ctx, 1, command);
  const again = `ydeploy ${command} --env ${ctx.env.name}`;
  if (!last)
    throw new UserError(`nothing to resume`, `no ${command} was journaled in ${ctx.env.name}`, { code: 2, fix: again });
  if (last.outcome === 'succeeded')
    throw new UserError('nothing to resume', `the last ${command} (${last.id}) succeeded`, { code: 2, fix: again });
  if (last.recovered) {
    throw new UserError(
      'nothing to resume',
      `the last ${command} (${last.id}) failed and was rolled back: ${last.error ?? 'see ydeploy history'}`,
      { code: 2, fix: again },
    );
  }
  await assertDesiredUnchanged(ctx, last);
  return last;
}

/**
 * A resume continues from the journal's state and re-applies what its steps ask for: when
 * desired.json changed after the run stopped (another command, a manual edit), that would put a
 * stale state back over the newer one. Refused, naming what changed and how to start afresh.
 */
async function assertDesiredUnchanged(ctx: Context, entry: JournalEntry): Promise<void> {
  // What is read here is what the resumed run's writes to desired.json are conditional on.
  // Entries written before desired.json was noted cannot be compared.
  const read = await readDesiredObject(ctx).catch((error: unknown) => {
    if (entry.desired === undefined) return undefined;
    throw error;
  });
  if (read) rememberDesired(ctx.store, keys.desired(ctx.env.name), read.etag);
  if (entry.desired === undefined || !read) return;
  const now = read.value;
  // A run killed while a step wrote desired.json left the step's target there: still its own.
  if (entry.desiredWriting && now && !desiredChanges(entry.desiredWriting, now).length) return;
  const changes = desiredChanges(entry.desired, now);
  if (!changes.length) return;
  const env = ctx.env.name;
  const release = entry.command === 'rollback' ? entry.state.release : undefined;
  const fresh = `ydeploy ${entry.command}${typeof release === 'string' ? ` --to ${release}` : ''} --env ${env}`;
  const shown = changes.slice(0, 5).map(describeChange);
  const more = changes.length > shown.length ? ` and ${changes.length - shown.length} more` : '';
  throw new UserError(
    `cannot resume ${entry.id}`,
    `s3://${ctx.store.bucket}/${keys.desired(env)} changed since it stopped (${shown.join('; ')}${more}), so resuming would apply a stale state over it`,
    {
      code: ExitCode.usage,
      fix: `see what runs now with ydeploy status --env ${env}, then start a new run: ${fresh}`,
      details: { deploymentId: entry.id, changed: changes },
    },
  );
}

export interface DesiredChange {
  field: string;
  /** Absent: the field (or desired.json itself) did not exist. */
  then?: unknown;
  now?: unknown;
}

/** Field by field, what differs between two desired.json bodies (null: no file). */
export function desiredChanges(
  then: Record<string, unknown> | null,
  now: Record<string, unknown> | null,
): DesiredChange[] {
  if (then === null && now === null) return [];
  if (then === null || now === null)
    return [{ field: 'desired.json', ...(then ? { then: 'present' } : { now: 'present' }) }];
  const fields = [...new Set([...Object.keys(then), ...Object.keys(now)])].sort();
  return fields
    .filter((f) => canonical(then[f]) !== canonical(now[f]))
    .map((field) => ({
      field,
      ...(field in then ? { then: then[field] } : {}),
      ...(field in now ? { now: now[field] } : {}),
    }));
}

/** JSON with every object's keys sorted: the same value however it was written. */
function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

function describeChange(change: DesiredChange): string {
  if (change.field === 'desired.json') return change.now === undefined ? 'it was deleted' : 'it was created';
  const shown = (value: unknown, present: boolean) => (present ? JSON.stringify(value) : '(unset)');
  return `${change.field} ${shown(change.then, 'then' in change)} → ${shown(change.now, 'now' in change)}`;
}

/** desired.json as stored (null: absent), without the config's settings laid over it. */
async function readDesiredObject(
  ctx: Pick<Context, 'store' | 'env'>,
): Promise<{ value: Record<string, unknown> | null; etag: string | null }> {
  const object = await ctx.store.get(keys.desired(ctx.env.name));
  if (!object) return { value: null, etag: null };
  const parsed = safeJson(object.body);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UserError(
      `s3://${ctx.store.bucket}/${keys.desired(ctx.env.name)} is not valid JSON`,
      'it cannot be compared',
      {
        fix: `fix or delete s3://${ctx.store.bucket}/${keys.desired(ctx.env.name)}, then rerun`,
      },
    );
  return { value: parsed as Record<string, unknown>, etag: object.etag };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
