// The journal: one S3 object per deployment, rewritten as each step starts and ends, so
// `history` can tell the story and `--resume` knows where to continue.
import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { Context } from '../context.js';
import { keys } from '../storage.js';

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
});
export type JournalEntry = z.infer<typeof journalSchema>;
export type JournalStep = z.infer<typeof journalStep>;

export class Journal {
  private constructor(
    private readonly ctx: Context,
    readonly entry: JournalEntry,
  ) {}

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
    const identity = await ctx.identity?.whoami().catch(() => undefined);
    if (identity) entry.identity = identity.arn;
    const journal = new Journal(ctx, entry);
    await journal.save();
    return journal;
  }

  /** Continue a run: it is running again, under the same id. */
  static async resume(ctx: Context, entry: JournalEntry): Promise<Journal> {
    const journal = new Journal(ctx, { ...entry, outcome: 'running', ended: undefined, error: undefined });
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
    await this.save();
  }

  async finish(outcome: JournalEntry['outcome'], extra: { error?: string; recovered?: boolean } = {}): Promise<void> {
    Object.assign(this.entry, { outcome, ended: iso(this.ctx.clock.now()), ...extra });
    await this.save();
  }

  async save(): Promise<void> {
    await this.ctx.store.put(
      keys.journal(this.ctx.env.name, this.entry.id),
      `${JSON.stringify(this.entry, null, 2)}\n`,
      { contentType: 'application/json' },
    );
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
    if (parsed && parsed.success) entries.push(parsed.data);
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
  return last;
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
