import { describe, expect, it } from 'vitest';
import { findOutliers, type TrendRun } from '../../../cli/inspect/trend.js';

/** Runs oldest first (as written), returned newest first (as history lists them). */
function runs(...list: Omit<TrendRun, 'id'>[]): TrendRun[] {
  return list.map((r, i) => ({ id: `run-${i + 1}`, ...r })).reverse();
}
const deploy = (launchToHealthyMs: number, extra: Partial<TrendRun> = {}): Omit<TrendRun, 'id'> => ({
  command: 'deploy',
  outcome: 'succeeded',
  metrics: { launchToHealthyMs },
  ...extra,
});

describe('off the trend: more than 2× the median of up to 5 earlier runs of the same command', () => {
  it('flags a run far slower than the median, naming the metric and by how much', () => {
    const found = findOutliers(runs(deploy(30_000), deploy(28_000), deploy(32_000), deploy(29_000), deploy(95_000)));
    expect([...found.keys()]).toEqual(['run-5']);
    expect(found.get('run-5')).toEqual([
      {
        metric: 'launchToHealthyMs',
        label: 'launch → healthy',
        valueMs: 95_000,
        medianMs: 29_500,
        factor: 3.2,
        baseline: 4,
      },
    ]);
  });

  it('needs three earlier runs, and exactly 2× is still on the trend', () => {
    expect(findOutliers(runs(deploy(30_000), deploy(30_000), deploy(90_000))).size).toBe(0);
    expect(findOutliers(runs(deploy(30_000), deploy(30_000), deploy(30_000), deploy(60_000))).size).toBe(0);
    expect(findOutliers(runs(deploy(30_000), deploy(30_000), deploy(30_000), deploy(60_001))).size).toBe(1);
  });

  it('judges against the last five only, so an old slow era does not hide a new one', () => {
    const slowEra = [deploy(100_000), deploy(100_000), deploy(100_000)];
    const fastEra = [deploy(20_000), deploy(20_000), deploy(20_000), deploy(20_000), deploy(20_000)];
    const found = findOutliers(runs(...slowEra, ...fastEra, deploy(70_000)));
    expect(found.get('run-9')?.[0]).toMatchObject({ medianMs: 20_000, factor: 3.5, baseline: 5 });
  });

  it('a small absolute difference is not flagged, however large the ratio', () => {
    const handoff = (handoffMs: number) => ({ command: 'deploy', outcome: 'succeeded', metrics: { handoffMs } });
    expect(findOutliers(runs(handoff(300), handoff(300), handoff(300), handoff(1500))).size).toBe(0);
    expect(findOutliers(runs(handoff(300), handoff(300), handoff(300), handoff(2500))).size).toBe(1);
  });

  it('compares a command with itself, with successful runs, and leaves entries without metrics alone', () => {
    const migrate = deploy(90_000, { command: 'migrate' });
    const failed = deploy(10_000, { outcome: 'failed' });
    const old = { command: 'deploy', outcome: 'succeeded' };
    // The migrates and the failed run are no baseline for a deploy: two earlier deploys only.
    expect(
      findOutliers(runs(migrate, migrate, migrate, failed, failed, deploy(30_000), old, deploy(30_000), deploy(90_000)))
        .size,
    ).toBe(0);
    // A deploy after three successful deploys is judged; the migrates are not judged by deploys.
    expect([
      ...findOutliers(runs(deploy(30_000), deploy(30_000), deploy(30_000), migrate, deploy(90_000))).keys(),
    ]).toEqual(['run-5']);
  });

  it('whole-run times of a failed run are not judged; its gate’s are', () => {
    const base = { command: 'deploy', outcome: 'succeeded', metrics: { totalMs: 60_000, launchToHealthyMs: 20_000 } };
    const failed = { command: 'deploy', outcome: 'failed', metrics: { totalMs: 400_000, launchToHealthyMs: 90_000 } };
    const found = findOutliers(runs(base, base, base, failed));
    expect(found.get('run-4')!.map((o) => o.metric)).toEqual(['launchToHealthyMs']);
  });
});
