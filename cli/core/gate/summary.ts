import type { GateReport } from './gate.js';

/** "i-123 healthy, launch 12.3s, ready 20.1s": the guide's key metrics in one line. */
export function gateSummary(gate: GateReport): string {
  const parts = [`${gate.instanceId} healthy`];
  if (gate.launchSeconds !== undefined) parts.push(`launch ${gate.launchSeconds}s`);
  if (gate.readinessSeconds !== undefined) parts.push(`ready ${gate.readinessSeconds}s`);
  if (!gate.startingSeen) parts.push('"starting" not observed');
  return parts.join(', ');
}
