// The one Reporter: a TTY gets ora spinners with elapsed time and colour; anything else gets
// plain lines (in CI each with a timestamp); --json gets NDJSON events on stdout. Progress always
// goes to stderr. On a TTY a nested step (a resource inside a terraform apply) is not a line of
// its own: its parent's live line carries the progress, and only a failure stays on screen.
import type { Writable } from 'node:stream';
import type { Reporter, ReporterEvent, StepHandle } from '../ports.js';
import { UsageError } from '../errors.js';
import { paint, type Paint } from './paint.js';
import { ask } from './prompt.js';
import { colorWanted, detectCi, fit, isInteractiveTerminal, timestamp } from './terminal.js';

export { isInteractiveTerminal };

export interface ReporterOptions {
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean; columns?: number };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Force spinners on or off (tests); defaults to isInteractiveTerminal(stderr). */
  interactive?: boolean;
  /** Running in CI (timestamped plain lines, no prompts); defaults to detectCi(env). */
  ci?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

type Spinner = {
  text: string;
  start(): Spinner;
  stop(): Spinner;
  clear(): Spinner;
  render(): Spinner;
  isSpinning: boolean;
};
type SpinnerFactory = (options: { text: string; stream: Writable }) => Spinner;

export async function createReporter(options: ReporterOptions = {}): Promise<Reporter> {
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const ci = options.ci ?? (await detectCi(env));
  const interactive = options.interactive ?? (!options.json && isInteractiveTerminal(stderr, env, ci));
  let spinnerFactory: SpinnerFactory | undefined;
  if (interactive) {
    const { default: ora } = await import('ora');
    // The Reporter has decided the terminal is interactive; ora must not second-guess it (it turns
    // itself off when CI is set, which would leave a TTY with no progress at all).
    spinnerFactory = (o) => ora({ ...o, discardStdin: false, isEnabled: true }) as unknown as Spinner;
  }
  const color = options.color ?? colorWanted({ flag: true, env, stream: stderr, ci });
  return new TerminalReporter({ ...options, color, ci }, interactive, spinnerFactory);
}

interface RunningStep {
  title: string;
  started: number;
  /** The live text after the title (StepHandle.update). */
  status?: string;
  nested: boolean;
}

class TerminalReporter implements Reporter {
  readonly json: boolean;
  readonly interactive: boolean;
  readonly verbose: boolean;
  private readonly ci: boolean;
  private readonly out: Writable & { isTTY?: boolean };
  private readonly err: Writable & { isTTY?: boolean };
  private readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  private readonly paint: Paint;
  private readonly now: () => number;
  private readonly running: RunningStep[] = [];
  private spinner?: Spinner;
  private ticker?: NodeJS.Timeout;

  constructor(
    options: ReporterOptions,
    interactive: boolean,
    private readonly spinnerFactory?: SpinnerFactory,
  ) {
    this.json = options.json ?? false;
    this.verbose = options.verbose ?? false;
    this.ci = options.ci ?? false;
    this.interactive = interactive;
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
    this.stdin = options.stdin ?? process.stdin;
    this.paint = paint(options.color ?? false);
    this.now = options.now ?? Date.now;
  }

  step(title: string, fields: Record<string, unknown> = {}): StepHandle {
    // A nested step (a terraform resource inside an apply) prints only its outcome in plain
    // mode, indented under its parent: CI logs keep one line per resource, not two.
    const nested = fields.nested === true;
    const step: RunningStep = { title, started: this.now(), nested };
    this.running.push(step);
    if (this.json) this.emit({ type: 'step', status: 'started', title, ...fields });
    else if (this.interactive) this.redraw();
    else if (!nested) this.line(`${this.paint.dim('•')} ${title}…`);
    let done = false;
    const finish = (status: 'succeeded' | 'failed' | 'skipped', detail?: string) => {
      if (done) return;
      done = true;
      this.running.splice(this.running.indexOf(step), 1);
      const seconds = (this.now() - step.started) / 1000;
      if (this.json) {
        this.emit({ type: 'step', status, title, seconds: round(seconds), ...(detail ? { detail } : {}), ...fields });
        return;
      }
      // On a terminal the parent's live line has counted it; a failure stays to be read.
      if (nested && this.interactive && !this.verbose && status !== 'failed') return this.resume();
      const mark = { succeeded: this.paint.green('✔'), failed: this.paint.red('✖'), skipped: this.paint.yellow('↷') }[
        status
      ];
      const time = status === 'skipped' ? '' : ` ${this.paint.dim(`(${formatSeconds(seconds)})`)}`;
      const tail = detail ? ` ${this.paint.dim('—')} ${detail}` : '';
      this.persist(`${nested && !this.interactive ? '  ' : ''}${mark} ${title}${time}${tail}`);
    };
    return {
      update: (text) => {
        step.status = text;
        if (this.json) this.emit({ type: 'step', status: 'progress', title, text, ...fields });
        else if (this.interactive) this.redraw();
        else if (this.verbose) this.line(`  ${title}: ${text}`);
      },
      succeed: (detail) => finish('succeeded', detail),
      fail: (detail) => finish('failed', detail),
      skip: (reason) => finish('skipped', reason),
    };
  }

  info(message: string, fields: Record<string, unknown> = {}): void {
    if (this.json) this.emit({ type: 'info', message, ...fields });
    else this.persist(message);
  }

  warn(message: string, fields: Record<string, unknown> = {}): void {
    if (this.json) this.emit({ type: 'warning', message, ...fields });
    else this.persist(`${this.paint.yellow('⚠')} ${message}`);
  }

  debug(message: string, fields: Record<string, unknown> = {}): void {
    if (!this.verbose) return;
    if (this.json) this.emit({ type: 'debug', message, ...fields });
    else this.persist(this.paint.dim(message));
  }

  event(event: ReporterEvent): void {
    if (this.json) this.emit(event);
    else if (typeof event.message === 'string') this.persist(event.message);
  }

  data(text: string): void {
    if (this.json) return;
    this.pause();
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
    this.resume();
  }

  result(value: Record<string, unknown>): void {
    if (this.json) this.emit({ type: 'result', ...value });
  }

  async confirm(question: string, options: { default?: boolean } = {}): Promise<boolean> {
    this.requireTty(question);
    const hint = options.default ? 'Y/n' : 'y/N';
    const answer = (await this.ask(`${question} (${hint}) `, false)).trim().toLowerCase();
    if (!answer) return options.default ?? false;
    return answer === 'y' || answer === 'yes';
  }

  async prompt(question: string, options: { secret?: boolean; default?: string } = {}): Promise<string> {
    this.requireTty(question);
    const suffix = options.default ? ` (${options.default})` : '';
    const answer = (await this.ask(`${question}${suffix}: `, options.secret ?? false)).trim();
    return answer || options.default || '';
  }

  /** Stop the ticker and spinner; called once when the command ends. */
  close(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.spinner?.stop();
    this.spinner = undefined;
  }

  private requireTty(question: string): void {
    const why = this.json
      ? '--json output takes no answers'
      : this.ci
        ? 'running in CI, where no one can answer'
        : !this.stdin.isTTY
          ? 'standard input is not a terminal'
          : undefined;
    if (why)
      throw new UsageError(`cannot ask "${question}"`, why, { fix: 'rerun with --yes (or pass the value as a flag)' });
  }

  private async ask(question: string, secret: boolean): Promise<string> {
    this.pause();
    try {
      return await ask(question, { input: this.stdin, output: this.err, secret });
    } finally {
      this.resume();
    }
  }

  private emit(event: ReporterEvent): void {
    this.out.write(`${JSON.stringify({ time: new Date(this.now()).toISOString(), ...event }, withRoleAlias)}\n`);
  }

  private line(text: string): void {
    if (!this.ci || this.interactive) {
      this.err.write(`${text}\n`);
      return;
    }
    // A CI log line says when it happened, every line of a multi-line message alike.
    const stamp = this.paint.dim(timestamp(this.now()));
    this.err.write(`${text.replace(/^/gm, `${stamp} `)}\n`);
  }

  private persist(text: string): void {
    this.pause();
    this.line(text);
    this.resume();
  }

  private pause(): void {
    if (this.spinner?.isSpinning) this.spinner.clear();
  }

  private resume(): void {
    if (this.interactive) this.redraw();
  }

  private redraw(): void {
    // The innermost step that is not a nested one: its live line counts the nested steps.
    const current = [...this.running].reverse().find((s) => !s.nested) ?? this.running[this.running.length - 1];
    if (!current) {
      this.spinner?.stop();
      this.spinner = undefined;
      if (this.ticker) clearInterval(this.ticker);
      this.ticker = undefined;
      return;
    }
    const text = () => this.liveText(current);
    if (!this.spinner && this.spinnerFactory) {
      this.spinner = this.spinnerFactory({ text: text(), stream: this.err }).start();
    }
    if (this.spinner) {
      this.spinner.text = text();
      this.spinner.render();
    }
    if (!this.ticker) {
      this.ticker = setInterval(() => this.redraw(), 200);
      this.ticker.unref();
    }
  }

  /** "title — status 12.3s", cut to the terminal's width (less the spinner) so it stays one line. */
  private liveText(step: RunningStep): string {
    const elapsed = formatSeconds((this.now() - step.started) / 1000);
    const columns = (this.err as { columns?: number }).columns ?? 80;
    const room = Math.max(columns - 3 - elapsed.length - 1, 1);
    if (step.status === undefined) return `${fit(step.title, room)} ${this.paint.dim(elapsed)}`;
    const title = fit(step.title, room);
    const status = fit(step.status, room - title.length - 3);
    const dash = status ? ` ${this.paint.dim('—')} ${status}` : '';
    return `${title}${dash} ${this.paint.dim(elapsed)}`;
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/**
 * An instance's kind (legacy or enhanced) was called `role` in the JSON of ydeploy 0.1, a word
 * now kept for active/standby (`botRole` in the JSON). For one release every object that names
 * a kind (`kind`, or `instanceKind` on log events) also carries it as `role`, so scripts written
 * against 0.1 keep reading it.
 */
function withRoleAlias(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value) || 'role' in value) return value;
  const { kind, instanceKind } = value as { kind?: unknown; instanceKind?: unknown };
  const named = instanceKind ?? kind;
  if (named === 'legacy' || named === 'enhanced' || instanceKind === 'unknown') return { ...value, role: named };
  return value;
}
