// doctor's findings for a human: one line per finding, then what it means and the fix.
import type { DoctorReport } from '../doctor/run.js';
import type { Finding } from '../doctor/rules.js';

const MARKS: Record<Finding['severity'], string> = { ok: '✔', warning: '⚠', problem: '✖', unknown: '?' };

/** The human report: one line per finding, then what it means and the fix. */
export function renderFindings(report: DoctorReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${MARKS[f.severity]} ${f.title}: ${f.detail}`);
    if (f.severity !== 'ok') {
      if (f.explanation) lines.push(`    why: ${f.explanation}`);
      if (f.fix) lines.push(`    → ${f.fix}`);
    }
  }
  return lines.join('\n');
}
