// A step of a checklist, as data: the timeline, --dry-run, --step, the journal and --json all
// come from the same list (np's steps).
import type { Context } from '../context.js';
import type { DesiredState } from '../desired/state.js';

export interface Step<S> {
  id: string;
  title: string;
  /** The guide's step number it belongs to (migrate --step N). */
  group?: number;
  /** What it did, shown after the title; returned text lands in the journal. */
  run(ctx: Context, state: S): Promise<string | void>;
  /** What it would do, for --dry-run. May plan with terraform but changes nothing. */
  dryRun(ctx: Context, state: S): Promise<string> | string;
  /** A reason not to run it this time (e.g. nothing to hand off from). */
  skip?(ctx: Context, state: S): string | undefined;
  /** The desired state an apply step leaves (what a plan's cost is computed from). */
  target?(state: S): DesiredState;
}
