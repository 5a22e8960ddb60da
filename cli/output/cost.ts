// `ydeploy cost` as a table: each line's quantity, unit price and monthly total, and where
// its quantity comes from; then the total, what it leaves out, and the notes.
import type { CostReport } from '../cost/report.js';
import type { CostLine } from '../cost/model.js';

const money = (v: number, digits = 2) => `$${v.toFixed(digits)}`;

function unitPrice(line: CostLine): string {
  if (line.unitPrice === null) return 'unpriced';
  // Per-hour and per-GB prices need their fourth digit (t4g.nano: $0.0042/hour).
  return `${money(line.unitPrice, line.unitPrice < 0.1 && line.unitPrice !== 0 ? 4 : 2)}/${line.unit}`;
}

function quantity(line: CostLine): string {
  const q = Number.isInteger(line.quantity) ? String(line.quantity) : line.quantity.toFixed(2);
  return `${q} ${line.unit}${line.quantity !== 1 && line.unit.endsWith('hour') ? 's' : ''}`;
}

export function renderCost(report: CostReport): string {
  const { estimate } = report;
  // With live prices in play each priced line says where its price is from; the table alone
  // is said once, below the total.
  const mixed = estimate.lines.some((l) => l.price?.startsWith('AWS Price List API'));
  const rows = estimate.lines.map((line) => [
    line.item,
    quantity(line),
    unitPrice(line),
    line.monthly === null ? 'unpriced' : money(line.monthly),
    [line.basis, line.note, mixed && line.price ? `price: ${line.price}` : undefined].filter(Boolean).join('; '),
  ]);
  const header = ['item', 'quantity', 'unit price', 'monthly', 'basis'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (r: string[]) =>
    r
      .map((cell, i) => (i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const lines = [
    `Monthly estimate for ${report.environment} (${estimate.region}, ${estimate.currency})`,
    `instances: ${report.basis}`,
    '',
    format(header),
    ...rows.map(format),
    '',
    estimate.unpriced.length
      ? `total ${money(estimate.total)}/month, excluding ${estimate.unpriced.length} unpriced line${estimate.unpriced.length === 1 ? '' : 's'} (${estimate.unpriced.join('; ')})`
      : `total ${money(estimate.total)}/month`,
    ...(estimate.priceOrigin ? [`prices: ${estimate.priceOrigin}`] : []),
    ...estimate.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n');
}
