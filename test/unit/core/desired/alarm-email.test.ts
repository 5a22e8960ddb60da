// The environment's alarms.email reaches the module as alarm_email (the SNS topic's e-mail
// subscription); removed from the config, it leaves the desired state too.
import { describe, expect, it } from 'vitest';
import { emptyDesired, loadDesired } from '../../../../cli/core/desired/state.js';
import { keys } from '../../../../cli/core/storage.js';
import { MemoryStore, testEnv } from '../../../_helpers/fakes.js';

describe('alarm_email in the desired state', () => {
  it("comes from the environment's alarms.email, and is absent without one", () => {
    const env = { ...testEnv(), alarms: { email: 'ops@example.com' } };
    expect(emptyDesired(env).alarm_email).toBe('ops@example.com');
    expect('alarm_email' in emptyDesired(testEnv())).toBe(false);
  });

  it('follows the config over what was stored', async () => {
    const store = new MemoryStore('fake-state');
    const env = { ...testEnv(), alarms: { email: 'old@example.com' } };
    await store.put(keys.desired(env.name), JSON.stringify(emptyDesired(env)));
    expect((await loadDesired({ store, env: { ...env, alarms: { email: 'new@example.com' } } }))?.alarm_email).toBe(
      'new@example.com',
    );
    const loaded = await loadDesired({ store, env: testEnv() });
    expect(loaded).toBeDefined();
    expect('alarm_email' in loaded!).toBe(false);
  });
});
