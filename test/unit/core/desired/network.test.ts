// The environment's "network" reaches the module as nat_type, nat_instance_type and
// interface_endpoints; a desired.json written before those keys existed still loads.
import { describe, expect, it } from 'vitest';
import { emptyDesired, loadDesired } from '../../../../cli/core/desired/state.js';
import { keys } from '../../../../cli/core/storage.js';
import { MemoryStore, testEnv } from '../../../_helpers/fakes.js';

const instanceNetwork = { nat: 'instance', natInstanceType: 't4g.micro', interfaceEndpoints: ['ssm', 'logs'] } as const;

describe('network settings in the desired state', () => {
  it('default to the NAT gateway, t4g.nano and no interface endpoint', () => {
    expect(emptyDesired(testEnv())).toMatchObject({
      nat_type: 'gateway',
      nat_instance_type: 't4g.nano',
      interface_endpoints: [],
    });
  });

  it("come from the environment's network", () => {
    const env = {
      ...testEnv(),
      network: { ...instanceNetwork, interfaceEndpoints: [...instanceNetwork.interfaceEndpoints] },
    };
    expect(emptyDesired(env)).toMatchObject({
      nat_type: 'instance',
      nat_instance_type: 't4g.micro',
      interface_endpoints: ['ssm', 'logs'],
    });
  });

  it('a desired.json without them (older ydeploy) loads, and gets the config’s', async () => {
    const store = new MemoryStore('fake-state');
    const env = testEnv();
    const { nat_type: _n, nat_instance_type: _t, interface_endpoints: _e, ...older } = emptyDesired(env);
    await store.put(
      keys.desired(env.name),
      JSON.stringify({ ...older, enable_enhanced_instance: true, release_version: 'v1' }),
    );
    const loaded = await loadDesired({
      store,
      env: { ...env, network: { ...instanceNetwork, interfaceEndpoints: ['ec2messages'] } },
    });
    expect(loaded).toMatchObject({
      enable_enhanced_instance: true,
      release_version: 'v1',
      nat_type: 'instance',
      nat_instance_type: 't4g.micro',
      interface_endpoints: ['ec2messages'],
    });
  });

  it('follow the config over what was stored', async () => {
    const store = new MemoryStore('fake-state');
    const env = { ...testEnv(), network: { ...instanceNetwork, interfaceEndpoints: ['ssm' as const] } };
    await store.put(keys.desired(env.name), JSON.stringify(emptyDesired(env)));
    expect(await loadDesired({ store, env: testEnv() })).toMatchObject({
      nat_type: 'gateway',
      interface_endpoints: [],
    });
  });
});
