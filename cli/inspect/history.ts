// `history`: past deployments from the journal (core writes it; DESIGN.md §4.5), newest first,
// each with the release it shipped and what that release is (bot name@version, commit), its key
// metrics, and which of them are far off the trend (trend.ts).
import type { Context } from '../core/context.js';
import { listJournal, type JournalEntry } from '../core/journal/journal.js';
import { releaseOf } from '../core/journal/release.js';
import type { DeploymentMetrics } from '../core/metrics/metrics.js';
import { releaseInfo, type ReleaseInfo } from './release-info.js';
import { BASELINE_RUNS, findOutliers, type Outlier } from './trend.js';

export { releaseOf };

export interface HistoryStep {
  id: string;
  title: string;
  outcome: string;
  seconds?: number;
  detail?: string;
}

export interface HistoryEntry extends ReleaseInfo {
  id: string;
  command: string;
  /** The release the run put in service (or, for a rollback to legacy, legacy's release). */
  release?: string;
  /** The operator, user@host. */
  who: string;
  /** The AWS caller's ARN (STS), when the journal recorded it. */
  identity?: string;
  started: string;
  ended?: string;
  seconds?: number;
  outcome: string;
  error?: string;
  steps: HistoryStep[];
  /** Absent in entries journaled before metrics were recorded. */
  metrics?: DeploymentMetrics;
  /** Metrics far off the same command's earlier runs. */
  outliers?: Outlier[];
}

export async function readHistory(
  deps: Pick<Context, 'store' | 'env'> & Partial<Pick<Context, 'releases'>>,
  limit: number,
): Promise<HistoryEntry[]> {
  // The runs just before the oldest shown are read too: its trend is judged against them.
  const read = (await listJournal({ store: deps.store, env: deps.env }, limit + BASELINE_RUNS)).map(toHistory);
  const outliers = findOutliers(read);
  const entries = read.slice(0, limit).map((e) => (outliers.has(e.id) ? { ...e, outliers: outliers.get(e.id)! } : e));
  const releases = deps.releases;
  if (!releases) return entries;
  return Promise.all(entries.map(async (e) => (e.release ? { ...e, ...(await releaseInfo(releases, e.release)) } : e)));
}

export function toHistory(entry: JournalEntry): HistoryEntry {
  const release = releaseOf(entry);
  return {
    id: entry.id,
    command: entry.command,
    ...(release ? { release } : {}),
    who: entry.who,
    ...(entry.identity ? { identity: entry.identity } : {}),
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
    ...(entry.metrics ? { metrics: entry.metrics } : {}),
  };
}

function span(start: string, end: string | undefined): number | undefined {
  if (!end) return undefined;
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}
