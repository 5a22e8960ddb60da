// How far one terraform apply (or destroy) has got, for its live line: the resources done out of
// those its plan changes, and what terraform is working on now. Counted from the -json events.
import type { PlannedChange } from '../../ports.js';
import type { ChangeSummary } from './events.js';

const ING: Record<string, string> = {
  create: 'creating',
  update: 'updating',
  delete: 'destroying',
  read: 'reading',
  noop: 'checking',
};

export class ApplyProgress {
  /** Planned resources not finished yet, by address: how many hooks each still has to finish. */
  private readonly pending = new Map<string, number>();
  /** What runs now, oldest first, by hook key ("create aws_vpc.main"). */
  private readonly running = new Map<string, string>();
  private refreshing?: string;
  total = 0;
  done = 0;

  /** A planned change: a replace finishes two hooks (destroy and create), anything else one. */
  planned(address: string, action: PlannedChange['action']): void {
    if (action === 'noop' || action === 'read') return;
    if (!this.pending.has(address)) this.total += 1;
    this.pending.set(address, action === 'replace' ? 2 : 1);
  }

  refresh(address: string): void {
    this.refreshing = address;
  }

  started(key: string, action: string, address: string): void {
    this.running.delete(key);
    this.running.set(key, `${ING[action] ?? action} ${address}`);
  }

  finished(key: string, action: string, address: string, ok: boolean): void {
    this.running.delete(key);
    if (!ok || action === 'read' || action === 'noop') return;
    const left = this.pending.get(address);
    if (left === undefined) {
      // A change the plan did not announce: still a resource done.
      this.done += 1;
      this.total = Math.max(this.total, this.done);
    } else if (left > 1) this.pending.set(address, left - 1);
    else {
      this.pending.delete(address);
      this.done += 1;
    }
  }

  /** "12/31 resources · creating aws_instance.enhanced (+2 more)"; undefined before anything happened. */
  text(): string | undefined {
    const now = [...this.running.values()];
    if (now.length === 0 && this.done === 0)
      return this.refreshing ? `planning · refreshing ${this.refreshing}` : undefined;
    const count = `${this.done}/${this.total} resources`;
    if (now.length === 0) return count;
    const latest = now[now.length - 1];
    return `${count} · ${latest}${now.length > 1 ? ` (+${now.length - 1} more)` : ''}`;
  }

  /** "31 resources (29 added, 2 changed)", or "no changes". */
  summary(changes: ChangeSummary | undefined): string {
    const parts = changes
      ? [
          changes.add ? `${changes.add} added` : '',
          changes.change ? `${changes.change} changed` : '',
          changes.remove ? `${changes.remove} destroyed` : '',
        ].filter(Boolean)
      : [];
    if (this.done === 0 && parts.length === 0) return 'no changes';
    const count = `${this.done} resource${this.done === 1 ? '' : 's'}`;
    return parts.length ? `${count} (${parts.join(', ')})` : count;
  }
}
