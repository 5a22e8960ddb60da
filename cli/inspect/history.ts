// `history`: past deployments from the journal (core writes it; DESIGN.md §4.5), newest first.
import type { Context } from '../core/context.js';
import { listJournal, type JournalEntry } from '../core/journal/journal.js';

export interface HistoryStep {
  id: string;
  title: string;
  outcome: string;
  seconds?: number;
  detail?: string;
}

export interface HistoryEntry {
  id: string;
  command: string;
  who: string;
  started: string;
  ended?: string;
  seconds?: number;
  outcome: string;
  error?: string;
  steps: HistoryStep[];
}

export async function readHistory(deps: Pick<Context, 'store' | 'env'>, limit: number): Promise<HistoryEntry[]> {
  const entries = await listJournal({ store: deps.store, env: deps.env }, limit);
  return entries.map(toHistory);
}

export function toHistory(entry: JournalEntry): HistoryEntry {
  return {
    id: entry.id,
    command: entry.command,
    who: entry.who,
    started: entry.started,
    ended: entry.ended,
    seconds: span(entry.started, entry.ended),
    outcome: entry.outcome,
    error: entry.error,
    steps: entry.steps.map((s) => ({
      id: s.id,
      title: s.title,
      outcome: s.outcome,
      seconds: s.seconds ?? span(s.started, s.ended),
      detail: s.detail,
    })),
  };
}

function span(start: string, end: string | undefined): number | undefined {
  if (!end) return undefined;
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}
