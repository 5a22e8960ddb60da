import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseLine, toDiagnostic, UiStream } from '../../../../cli/adapters/terraform/events.js';
import { RecordingReporter } from './recorder.js';

// Lines recorded from terraform 1.11.4 (-json) on terraform_data fixtures.
const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8').split('\n');

function feed(name: string) {
  const reporter = new RecordingReporter();
  const ui = new UiStream(reporter);
  const raw: string[] = [];
  for (const line of fixture(name)) ui.line(line, raw);
  return { reporter, ui, raw };
}

describe('parseLine', () => {
  it('reads UI messages and ignores everything else', () => {
    expect(parseLine('{"type":"version","terraform":"1.11.4"}')).toEqual({ type: 'version', terraform: '1.11.4' });
    expect(parseLine('panic: runtime error')).toBeUndefined();
    expect(parseLine('{"no":"type"}')).toBeUndefined();
    expect(parseLine('{broken')).toBeUndefined();
    expect(parseLine('')).toBeUndefined();
  });
});

describe('UiStream on an apply', () => {
  it('turns each resource into a step that starts and finishes', () => {
    const { reporter, ui } = feed('apply-create.jsonl');
    expect(reporter.of('step').sort()).toEqual([
      'create terraform_data.a',
      'create terraform_data.b',
      'create terraform_data.slow',
    ]);
    expect(reporter.of('succeed').sort()).toEqual([
      'create terraform_data.a',
      'create terraform_data.b',
      'create terraform_data.slow',
    ]);
    expect(reporter.of('fail')).toEqual([]);
    const slow = reporter.records.find((r) => r.kind === 'step' && r.text === 'create terraform_data.slow');
    expect(slow?.fields).toEqual({ resource: 'terraform_data.slow', action: 'create', nested: true });
    const done = reporter.records.find((r) => r.kind === 'succeed' && r.text === 'create terraform_data.slow');
    expect(done?.fields?.detail).toBe('id=64280ee9-a180-e741-1c1a-54ba33b547e6');
    expect(ui.summary).toEqual({ add: 3, change: 0, remove: 0 });
    expect(ui.version).toBe('1.11.4');
    expect(ui.outputs).toEqual({
      name: { sensitive: false, type: 'string', value: 'x' },
      tags: { sensitive: false, type: ['map', 'string'], value: { a: 'b' } },
    });
    expect(reporter.of('debug')).toContain('terraform_data.slow: Executing: ["/bin/sh" "-c" "sleep 1"]');
  });

  it('names a destroy "destroy"', () => {
    const { reporter, ui } = feed('destroy.jsonl');
    expect(reporter.of('succeed').sort()).toEqual([
      'destroy terraform_data.a',
      'destroy terraform_data.b',
      'destroy terraform_data.slow',
    ]);
    expect(ui.summary).toEqual({ add: 0, change: 0, remove: 3 });
    expect(ui.changes).toEqual([
      { address: 'terraform_data.slow', action: 'delete' },
      { address: 'terraform_data.a', action: 'delete' },
      { address: 'terraform_data.b', action: 'delete' },
    ]);
  });

  it('fails the resource that errored and keeps the error diagnostic with its address', () => {
    const { reporter, ui } = feed('apply-error.jsonl');
    expect(reporter.of('fail')).toEqual(['create terraform_data.broken']);
    expect(reporter.of('succeed')).toEqual(['create terraform_data.ok']);
    expect(ui.errors).toEqual([
      {
        severity: 'error',
        summary: 'local-exec provisioner error',
        detail: "Error running command 'echo boom >&2; exit 3': exit status 3. Output: boom\n",
        address: 'terraform_data.broken',
      },
    ]);
    // Warnings are shown as they come; errors wait for the error message.
    expect(reporter.of('warn')).toEqual([
      expect.stringMatching(
        /^terraform: Resource targeting is in effect: You are creating a plan with the -target option/,
      ),
      expect.stringMatching(/^terraform: Applied changes may be incomplete/),
    ]);
  });

  it('updates a long-running step and notices an interrupt', () => {
    const { reporter, ui } = feed('apply-interrupted.jsonl');
    expect(reporter.of('update')).toEqual(['create terraform_data.slow: still working, 10s elapsed']);
    expect(reporter.of('fail')).toEqual(['create terraform_data.slow']);
    expect(ui.interrupted).toBe(true);
    expect(reporter.of('warn')).toContain('terraform received the interrupt and is stopping gracefully');
    expect(ui.errors.map((d) => d.summary)).toEqual([
      'local-exec provisioner error',
      'execution halted',
      'execution halted',
    ]);
  });

  it('fails steps still open when terraform stops', () => {
    const reporter = new RecordingReporter();
    const ui = new UiStream(reporter);
    ui.line(fixture('apply-create.jsonl').find((l) => l.includes('"apply_start"'))!);
    ui.close('interrupted');
    expect(reporter.records.filter((r) => r.kind === 'fail').map((r) => [r.text, r.fields?.detail])).toEqual([
      ['create terraform_data.slow', 'interrupted'],
    ]);
  });

  it('keeps lines that are not JSON for the error message', () => {
    const reporter = new RecordingReporter();
    const ui = new UiStream(reporter);
    const raw: string[] = [];
    ui.line('panic: something broke', raw);
    ui.line('   ', raw);
    expect(raw).toEqual(['panic: something broke']);
  });
});

describe('UiStream on a plan', () => {
  it('collects planned changes and the summary without starting steps', () => {
    const { reporter, ui } = feed('plan-create.jsonl');
    expect(ui.changes).toEqual([
      { address: 'terraform_data.slow', action: 'create' },
      { address: 'terraform_data.b', action: 'create' },
      { address: 'terraform_data.a', action: 'create' },
    ]);
    expect(ui.summary).toEqual({ add: 3, change: 0, remove: 0 });
    expect(reporter.of('step')).toEqual([]);
  });

  it('keeps a configuration error with its file and line', () => {
    const { ui } = feed('plan-error.jsonl');
    expect(ui.errors).toEqual([
      {
        severity: 'error',
        summary: 'Reference to undeclared input variable',
        detail:
          'An input variable with the name "missing" has not been declared. This variable can be declared with a variable "missing" {} block.',
        address: 'main.tf:2',
      },
    ]);
  });
});

describe('diagnostics', () => {
  it('formats summary, address and detail', () => {
    expect(formatDiagnostic({ severity: 'error', summary: 'Bad', address: 'aws_instance.x', detail: ' why \n' })).toBe(
      'Bad (aws_instance.x): why',
    );
    expect(formatDiagnostic({ severity: 'error', summary: 'execution halted' })).toBe('execution halted');
  });

  it('reads warnings as warnings', () => {
    expect(toDiagnostic({ type: 'diagnostic', diagnostic: { severity: 'warning', summary: 'w', detail: '' } })).toEqual(
      { severity: 'warning', summary: 'w' },
    );
    expect(toDiagnostic({ type: 'log' })).toBeUndefined();
  });
});
