// A Reporter that records what it was told, for asserting on the events a run produced.
import type { Reporter, StepHandle } from '../../../../cli/ports.js';

export interface Recorded {
  kind: 'step' | 'update' | 'succeed' | 'fail' | 'skip' | 'info' | 'warn' | 'debug' | 'event' | 'data' | 'result';
  text: string;
  fields?: Record<string, unknown>;
  at: number;
}

export class RecordingReporter implements Reporter {
  readonly json = false;
  readonly interactive = false;
  readonly verbose = true;
  readonly records: Recorded[] = [];
  /** Called after each record: lets a test act when something happens (e.g. a step starts). */
  onRecord?: (record: Recorded) => void;

  step(title: string, fields?: Record<string, unknown>): StepHandle {
    this.add('step', title, fields);
    return {
      update: (text) => this.add('update', `${title}: ${text}`),
      succeed: (detail) => this.add('succeed', title, detail ? { detail } : undefined),
      fail: (detail) => this.add('fail', title, detail ? { detail } : undefined),
      skip: (reason) => this.add('skip', title, reason ? { reason } : undefined),
    };
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.add('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.add('warn', message, fields);
  }
  debug(message: string, fields?: Record<string, unknown>): void {
    this.add('debug', message, fields);
  }
  event(event: { type: string; [field: string]: unknown }): void {
    this.add('event', event.type, event);
  }
  data(text: string): void {
    this.add('data', text);
  }
  result(value: Record<string, unknown>): void {
    this.add('result', 'result', value);
  }
  async confirm(): Promise<boolean> {
    throw new Error('RecordingReporter cannot answer prompts');
  }
  async prompt(): Promise<string> {
    throw new Error('RecordingReporter cannot answer prompts');
  }

  of(kind: Recorded['kind']): string[] {
    return this.records.filter((r) => r.kind === kind).map((r) => r.text);
  }

  private add(kind: Recorded['kind'], text: string, fields?: Record<string, unknown>): void {
    const record = { kind, text, fields, at: Date.now() };
    this.records.push(record);
    this.onRecord?.(record);
  }
}
