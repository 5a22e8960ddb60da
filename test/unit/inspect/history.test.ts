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
