// Which release a run is about, from its command and state: history shows it, hooks and
// notifications name it.
import type { JournalEntry } from './journal.js';

/** The release a journal entry's run shipped: deploy and rollback --to name it; migrate and rollback keep it in their baseline. */
export function releaseOf(entry: Pick<JournalEntry, 'command' | 'state'>): string | undefined {
  const state = entry.state as { release?: unknown; baseline?: Record<string, unknown> };
  if (typeof state.release === 'string') return state.release;
  const b = state.baseline ?? {};
  const order =
    entry.command === 'rollback'
      ? ['legacy_release_version', 'release_version']
      : ['release_version', 'legacy_release_version'];
  const found = order.map((k) => b[k]).find((v) => typeof v === 'string' && v);
  return found as string | undefined;
}
