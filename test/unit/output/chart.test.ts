import { describe, expect, it } from 'vitest';
import { chartLegend, formatValue, lineChart, resample } from '../../../cli/output/chart.js';

describe('lineChart', () => {
  it('fits the width it is given, axis labels included', () => {
    const values = Array.from({ length: 500 }, (_, i) => 50 + 40 * Math.sin(i / 20));
    for (const width of [30, 80, 140]) {
      const lines = lineChart([{ label: 'cpu', values }], { width, unit: '%', threshold: 80 });
      expect(lines.length).toBe(7);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
    }
  });

  it('draws a threshold above the data by widening the axis to it', () => {
    const lines = lineChart([{ label: 'mem', values: [10, 12, 11] }], { width: 40, threshold: 90, unit: '%' });
    expect(lines[0]).toContain('90.0%');
    expect(lines[0]).toMatch(/─{10,}/);
  });

  it('says there is nothing to draw rather than drawing a flat zero', () => {
    expect(lineChart([{ label: 'x', values: [undefined, undefined] }], { width: 40 })).toEqual(['(no samples yet)']);
  });

  it('carries the last sample across a gap', () => {
    const lines = lineChart([{ label: 'x', values: [1, undefined, 1] }], { width: 20, height: 2 });
    expect(lines.join('\n')).not.toContain('NaN');
  });

  it('keeps a spike visible when shrinking', () => {
    const values = new Array(100).fill(1);
    values[57] = 9;
    expect(Math.max(...resample(values, 10))).toBe(9);
    expect(resample([1, 2], 4)).toEqual([1, 1, 2, 2]);
  });

  it('names the series and the threshold', () => {
    expect(chartLegend([{ label: 'i-1', values: [] }], { threshold: 80, unit: '%' })).toBe(
      '── i-1   ── threshold 80.0%',
    );
    expect(formatValue(12345, ' B')).toBe('12k B');
  });
});
