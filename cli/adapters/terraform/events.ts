// Terraform's machine-readable UI (`-json`): one JSON object per line. UiStream turns the lines
// of one run into Reporter events as they arrive (a step per resource, with its time) and keeps
// what the caller needs afterwards: the change summary, planned changes and diagnostics. An
// apply or destroy is also one step of its own, the resources nested in it: a terminal shows
// that step as one live line (resources done of those planned, the one in progress), which
// settles into its summary.
// Reference: https://developer.hashicorp.com/terraform/internals/machine-readable-ui
import type { PlannedChange, Reporter, StepHandle, TerraformDiagnostic } from '../../ports.js';
import { ApplyProgress } from './progress.js';

interface UiResource {
  addr: string;
}

interface UiHook {
  resource?: UiResource;
  action?: string;
  elapsed_seconds?: number;
  id_key?: string;
  id_value?: string;
  provisioner?: string;
  output?: string;
}

export interface UiMessage {
  type: string;
  '@level'?: string;
  '@message'?: string;
  hook?: UiHook;
  change?: { resource?: UiResource; action?: string };
  changes?: { add: number; change: number; remove: number; import?: number; operation?: string };
  diagnostic?: {
    severity: string;
    summary: string;
    detail?: string;
    address?: string;
    range?: { filename: string; start: { line: number } };
  };
  outputs?: Record<string, { value?: unknown; sensitive?: boolean }>;
  terraform?: string;
}

/** One line of terraform's output; anything that is not a UI message is undefined. */
export function parseLine(line: string): UiMessage | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as Partial<UiMessage>;
    return typeof value.type === 'string' ? (value as UiMessage) : undefined;
  } catch {
    return undefined;
  }
}

export function toDiagnostic(message: UiMessage): TerraformDiagnostic | undefined {
  const d = message.diagnostic;
  if (!d) return undefined;
  const where = d.range ? `${d.range.filename}:${d.range.start.line}` : undefined;
  return {
    severity: d.severity === 'error' ? 'error' : 'warning',
    summary: d.summary,
    ...(d.detail ? { detail: d.detail } : {}),
    ...(d.address ? { address: d.address } : where ? { address: where } : {}),
  };
}

const ACTIONS: Record<string, PlannedChange['action']> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  remove: 'delete',
  forget: 'delete',
  replace: 'replace',
  read: 'read',
  noop: 'noop',
  move: 'noop',
  import: 'noop',
};

const VERBS: Record<string, string> = {
  create: 'create',
  update: 'update',
  delete: 'destroy',
  read: 'read',
  noop: 'check',
};

export interface ChangeSummary {
  add: number;
  change: number;
  remove: number;
}

export class UiStream {
  readonly diagnostics: TerraformDiagnostic[] = [];
  readonly changes: PlannedChange[] = [];
  summary?: ChangeSummary;
  outputs?: Record<string, unknown>;
  version?: string;
  /** Terraform said it received an interrupt and is shutting down. */
  interrupted = false;
  private readonly steps = new Map<string, StepHandle>();
  /** The apply's (or destroy's) own step, opened by terraform's first message. */
  private run?: { command: 'apply' | 'destroy'; step?: StepHandle; progress: ApplyProgress; over: boolean };

  constructor(
    private readonly reporter: Reporter,
    options: { run?: 'apply' | 'destroy' } = {},
  ) {
    if (options.run) this.run = { command: options.run, progress: new ApplyProgress(), over: false };
  }

  /** Feed one raw line; non-JSON lines (a crash, a panic) are kept for the error message. */
  line(raw: string, rawLines?: string[]): void {
    const message = parseLine(raw);
    if (!message) {
      if (raw.trim()) rawLines?.push(raw);
      return;
    }
    this.handle(message);
  }

  handle(message: UiMessage): void {
    this.open();
    switch (message.type) {
      case 'version':
        this.version = message.terraform;
        break;
      case 'apply_start':
        return this.started(message.hook);
      case 'apply_progress':
        return this.progress(message.hook);
      case 'apply_complete':
        return this.finished(message.hook, true);
      case 'apply_errored':
        return this.finished(message.hook, false);
      case 'planned_change':
        return this.planned(message);
      case 'refresh_start':
        if (message.hook?.resource?.addr) this.run?.progress.refresh(message.hook.resource.addr);
        return this.live();
      case 'change_summary':
        if (message.changes)
          this.summary = { add: message.changes.add, change: message.changes.change, remove: message.changes.remove };
        break;
      case 'outputs':
        this.outputs = message.outputs;
        break;
      case 'diagnostic':
        return this.diagnostic(message);
      case 'provision_progress':
        if (message.hook?.output) this.reporter.debug(`${message.hook.resource?.addr}: ${message.hook.output}`);
        break;
      case 'log':
        if (/Interrupt received/.test(message['@message'] ?? '')) {
          this.interrupted = true;
          this.reporter.warn('terraform received the interrupt and is stopping gracefully');
        } else if (message['@message']) {
          this.reporter.debug(`terraform: ${message['@message'].trim()}`);
        }
        break;
      default:
        break;
    }
  }

  /** Steps still running when terraform exits (interrupted or failed) are marked failed. */
  close(reason: string): void {
    for (const step of this.steps.values()) step.fail(reason);
    this.steps.clear();
    if (this.run && !this.run.over) {
      this.run.over = true;
      this.run.step?.fail(reason);
    }
  }

  /** Terraform finished the apply: its step settles into "31 resources (29 added, 2 changed)". */
  finish(): void {
    if (!this.run || this.run.over) return;
    this.run.over = true;
    this.run.step?.succeed(this.run.progress.summary(this.summary));
  }

  private open(): void {
    if (this.run && !this.run.step && !this.run.over)
      this.run.step = this.reporter.step(`terraform ${this.run.command}`, { terraform: this.run.command });
  }

  /** The run's live line, only where someone watches it: elsewhere each resource has its line. */
  private live(): void {
    const text = this.run?.progress.text();
    if (text && this.reporter.interactive && !this.run!.over) this.run!.step?.update(text);
  }

  get errors(): TerraformDiagnostic[] {
    return this.diagnostics.filter((d) => d.severity === 'error');
  }

  private started(hook: UiHook | undefined): void {
    const address = hook?.resource?.addr;
    if (!address) return;
    const action = hook.action ?? 'update';
    const key = `${action} ${address}`;
    this.steps.get(key)?.fail('restarted');
    this.steps.set(
      key,
      this.reporter.step(`${VERBS[action] ?? action} ${address}`, { resource: address, action, nested: true }),
    );
    this.run?.progress.started(key, action, address);
    this.live();
  }

  private progress(hook: UiHook | undefined): void {
    const step = this.find(hook);
    if (step && hook?.elapsed_seconds !== undefined) step.update(`still working, ${hook.elapsed_seconds}s elapsed`);
  }

  private finished(hook: UiHook | undefined, ok: boolean): void {
    const step = this.find(hook);
    if (!step) return;
    const key = this.key(hook!);
    this.steps.delete(key);
    this.run?.progress.finished(key, hook!.action ?? 'update', hook!.resource!.addr, ok);
    if (ok) step.succeed(hook?.id_value ? `${hook.id_key ?? 'id'}=${hook.id_value}` : undefined);
    else step.fail('terraform reported an error');
    this.live();
  }

  private planned(message: UiMessage): void {
    const address = message.change?.resource?.addr;
    const action = ACTIONS[message.change?.action ?? ''];
    if (!address || !action) return;
    this.changes.push({ address, action });
    this.run?.progress.planned(address, action);
  }

  private diagnostic(message: UiMessage): void {
    const diagnostic = toDiagnostic(message);
    if (!diagnostic) return;
    this.diagnostics.push(diagnostic);
    if (diagnostic.severity === 'warning')
      this.reporter.warn(`terraform: ${formatDiagnostic(diagnostic)}`, { diagnostic });
  }

  private find(hook: UiHook | undefined): StepHandle | undefined {
    return hook?.resource?.addr ? this.steps.get(this.key(hook)) : undefined;
  }

  private key(hook: UiHook): string {
    return `${hook.action ?? 'update'} ${hook.resource!.addr}`;
  }
}

/** "summary (address): detail" on one logical line; detail keeps its own line breaks. */
export function formatDiagnostic(diagnostic: TerraformDiagnostic): string {
  const where = diagnostic.address ? ` (${diagnostic.address})` : '';
  const detail = diagnostic.detail?.trim() ? `: ${diagnostic.detail.trim()}` : '';
  return `${diagnostic.summary}${where}${detail}`;
}
