import { describe, expect, it } from 'vitest';
import { bootRole, type BootRoleInputs } from '../../../bot/contracts/roles.js';

describe('bootRole', () => {
  const inputs = (legacyEnabled: boolean, enhancedEnabled: boolean, serving: BootRoleInputs['serving']): BootRoleInputs => ({ legacyEnabled, enhancedEnabled, serving, release: 'v2' });

  // [legacy enabled, enhanced enabled, serving] -> legacy's role, the serving release's, a candidate's
  it.each([
    [false, true, null, 'active', 'active', 'standby'],
    [false, true, 'legacy', 'active', 'active', 'standby'],
    [false, true, 'enhanced', 'standby', 'active', 'standby'],
    [true, false, null, 'active', 'standby', 'standby'],
    [true, false, 'enhanced', 'active', 'active', 'standby'],
    [true, true, null, 'active', 'standby', 'standby'],
    [true, true, 'legacy', 'active', 'standby', 'standby'],
    [true, true, 'enhanced', 'standby', 'active', 'standby'],
  ] as const)('legacy %s, enhanced %s, serving %s: legacy %s, release %s, candidate %s', (legacy, enhanced, serving, legacyRole, releaseRole, candidateRole) => {
    const desired = inputs(legacy, enhanced, serving);
    expect(bootRole('legacy', 'v1', desired)).toBe(legacyRole);
    expect(bootRole('enhanced', 'v2', desired)).toBe(releaseRole);
    expect(bootRole('enhanced', 'v3', desired)).toBe(candidateRole);
  });
});
