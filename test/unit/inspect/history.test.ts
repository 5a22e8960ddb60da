import { describe, expect, it } from 'vitest';
import { readHistory, releaseOf } from '../../../cli/inspect/history.js';
import { renderHistory } from '../../../cli/output/table.js';
import { paint } from '../../../cli/output/paint.js';
import { MemoryStore, testEnv } from '../../_helpers/fakes.js';

const env = testEnv('test');

function journal(id: string, command: string, state: Record<string, unknown>) {
  return JSON.stringify({
    id,
    command,
    environment: 'test',
    who: 'ann@laptop',
    started: '2026-11-26T09:00:00.000Z',
    ended: '2026-11-26T09:02:00.000Z',
    outcome: 'succeeded',
    steps: [],
    state,
  });
}

describe('history: the release each run shipped, and what it is', () => {
  it('names the bot name@version and commit from the manifests, tolerating old manifests', async () => {
    const store = new MemoryStore('state');
    const releases = new MemoryStore('releases');
    releases.seed(
      'releases/v2/manifest.json',
      JSON.stringify({
        name: 'ydeploy-bot',
        version: 'v2',
        bot: { name: 'dice-bot', version: '1.3.0', entry: 'src/bot.ts' },
        git: { commit: 'aaaaaaa1111111', dirty: false },
      }),
    );
    releases.seed('releases/v1/manifest.json', JSON.stringify({ name: 'ydeploy-bot', version: 'v1', git: null }));
    store.seed(
      'ydeploy/test/journal/20261126T090000Z-deploy-bbbb.json',
      journal('20261126T090000Z-deploy-bbbb', 'deploy', { release: 'v2' }),
    );
    store.seed(
      'ydeploy/test/journal/20261125T090000Z-migrate-aaaa.json',
      journal('20261125T090000Z-migrate-aaaa', 'migrate', { baseline: { release_version: 'v1' } }),
    );
    const entries = await readHistory({ store, env, releases }, 10);
    expect(entries.map((e) => [e.command, e.release, e.bot?.version, e.commit, e.dirty])).toEqual([
      ['deploy', 'v2', '1.3.0', 'aaaaaaa1111111', false],
      ['migrate', 'v1', undefined, undefined, undefined],
    ]);
    const text = renderHistory(entries, paint(false));
    expect(text).toContain('20261126T090000Z-deploy-bbbb  deploy v2 (dice-bot@1.3.0 aaaaaaa) by ann@laptop');
    expect(text).toContain('20261125T090000Z-migrate-aaaa  migrate v1 by ann@laptop');
  });

  it('reads the release from each flow’s state: deploy names it, rollback goes to legacy’s', () => {
    expect(releaseOf({ command: 'rollback', state: { release: 'v1' } })).toBe('v1');
    const baseline = { release_version: 'v2', legacy_release_version: 'legacy-1' };
    expect(releaseOf({ command: 'rollback', state: { baseline } })).toBe('legacy-1');
    expect(releaseOf({ command: 'migrate', state: { baseline } })).toBe('v2');
    expect(releaseOf({ command: 'lock', state: {} })).toBeUndefined();
  });
});

describe('history: each deployment’s key metrics and their trend', () => {
  const metrics = (launchToHealthyMs: number, totalMs: number) => ({
    launchToHealthyMs,
    botReadyMs: 6500,
    healthResponseMs: { median: 3, p95: 4, probes: 7 },
    handoffMs: 750,
    terraformMs: 40_000,
    waitingMs: 4000,
    ownMs: totalMs - 44_000,
    totalMs,
    runs: 1,
  });

  /** Deploys an hour apart, oldest first; `null` journals one without metrics, as before they were recorded. */
  function seeded(list: (ReturnType<typeof metrics> | null)[]): MemoryStore {
    const store = new MemoryStore('state');
    list.forEach((m, i) => {
      const id = `20261126T${String(i).padStart(2, '0')}0000Z-deploy-${String(i).padStart(4, '0')}`;
      const entry = { ...JSON.parse(journal(id, 'deploy', { release: `v${i}` })), ...(m ? { metrics: m } : {}) };
      store.seed(`ydeploy/test/journal/${id}.json`, JSON.stringify(entry));
    });
    return store;
  }

  it('shows each deployment’s metrics, "—" for an entry journaled before them, and --json carries them', async () => {
    const store = seeded([null, metrics(8000, 47_000)]);
    const entries = await readHistory({ store, env }, 10);
    expect(entries[0]!.metrics).toEqual(metrics(8000, 47_000));
    expect(entries[1]!.metrics).toBeUndefined();
    const text = renderHistory(entries, paint(false));
    expect(text).toContain(
      '  metrics  launch → healthy 8s · bot ready 6.5s · /health 3ms median, 4ms p95 of 7 · handoff 750ms · terraform 40s · waiting 4s · ydeploy 3s · total 47s',
    );
    const old = text.split('\n\n').find((block) => block.includes('20261126T000000Z-deploy-0000'))!;
    expect(old).toContain('  metrics  —');
    expect(JSON.parse(JSON.stringify({ deployments: entries })).deployments[0].metrics.terraformMs).toBe(40_000);
  });

  it('a metric missing from a newer entry reads "—" beside the others', () => {
    const text = renderHistory(
      [
        {
          id: 'x',
          command: 'deploy',
          who: 'ann',
          started: '',
          outcome: 'failed',
          steps: [],
          metrics: { totalMs: 125_400, terraformMs: 20_000 },
        },
      ],
      paint(false),
    );
    expect(text).toContain(
      'launch → healthy — · bot ready — · /health — · handoff — · terraform 20s · waiting — · ydeploy — · total 2m 5s',
    );
  });

  it('charts launch → healthy and total across deployments within the width, and flags the one far off', async () => {
    const store = seeded([
      metrics(8000, 47_000),
      metrics(9000, 50_000),
      metrics(8500, 48_000),
      metrics(8000, 46_000),
      metrics(31_000, 52_000),
    ]);
    const entries = await readHistory({ store, env }, 10);
    expect(entries[0]!.outliers).toEqual([
      {
        metric: 'launchToHealthyMs',
        label: 'launch → healthy',
        valueMs: 31_000,
        medianMs: 8250,
        factor: 3.8,
        baseline: 4,
      },
    ]);
    for (const width of [60, 100]) {
      const text = renderHistory(entries, paint(false), { width });
      const lines = text.split('\n');
      const chart = lines.slice(1, lines.indexOf('── launch → healthy   ── total'));
      expect(chart.length).toBeGreaterThanOrEqual(6);
      for (const line of chart) expect(line.length).toBeLessThanOrEqual(width);
      expect(text).toContain('Trend over the last 5 deployments (oldest → newest)');
      expect(text).toContain('1 off the trend (> 2× the median of up to 5 earlier runs):');
      expect(text).toContain(
        '⚠ 20261126T040000Z-deploy-0004: launch → healthy 31s is 3.8× the median of the 4 earlier deploys (8.2s)',
      );
    }
  });

  it('the oldest listed deployment is judged against the runs before it, read but not shown', async () => {
    const store = seeded([
      metrics(8000, 47_000),
      metrics(8000, 47_000),
      metrics(8000, 47_000),
      metrics(30_000, 47_000),
    ]);
    const [only, ...rest] = await readHistory({ store, env }, 1);
    expect(rest).toEqual([]);
    expect(only!.outliers?.map((o) => o.metric)).toEqual(['launchToHealthyMs']);
  });

  it('no chart with fewer than two measured deployments', async () => {
    const entries = await readHistory({ store: seeded([null, null, metrics(8000, 47_000)]), env }, 10);
    expect(renderHistory(entries, paint(false))).not.toContain('Trend');
  });
});
