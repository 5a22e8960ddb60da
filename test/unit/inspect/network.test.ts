import { describe, expect, it } from 'vitest';
import { keys } from '../../../cli/core/storage.js';
import { kindsFromState } from '../../../cli/inspect/network.js';
import { MemoryStore } from '../../_helpers/fakes.js';

/** A terraform state object holding only these outputs, as the S3 backend stores it. */
function stateWith(outputs: Record<string, unknown>): MemoryStore {
  const store = new MemoryStore();
  const body = { version: 4, outputs: Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value }])) };
  store.seed(keys.terraformState('production'), JSON.stringify(body));
  return store;
}

describe('kindsFromState', () => {
  it('names the legacy, serving and candidate instances of the single-instance layout', async () => {
    const store = stateWith({
      network_configuration: {
        instances: { legacy: { id: 'i-legacy' }, enhanced: { id: 'i-v2' }, candidate: { id: 'i-v3' } },
      },
    });
    expect(await kindsFromState(store, 'production')).toEqual(
      new Map([
        ['i-legacy', 'legacy'],
        ['i-v2', 'enhanced'],
        ['i-v3', 'enhanced'],
      ]),
    );
  });

  it("names a sharded fleet's instances from output shard_groups as enhanced", async () => {
    const store = stateWith({
      network_configuration: { instances: { legacy: null, enhanced: null, candidate: null } },
      shard_groups: {
        'v2.s0-1of4': { instance_id: 'i-a', shards: [0, 1], shard_count: 4 },
        'v2.s2-3of4': { instance_id: 'i-b', shards: [2, 3], shard_count: 4 },
      },
    });
    expect(await kindsFromState(store, 'production')).toEqual(
      new Map([
        ['i-a', 'enhanced'],
        ['i-b', 'enhanced'],
      ]),
    );
  });

  it('knows nothing without a state', async () => {
    expect(await kindsFromState(new MemoryStore(), 'production')).toBeUndefined();
  });
});
