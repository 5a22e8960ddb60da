import { describe, expect, it } from 'vitest';
import { defaultRelease } from '../../../cli/commands/deploy.js';
import { backendConfig } from '../../../cli/core/storage.js';
import { VERSION } from '../../../cli/version.js';

describe('orchestration command wiring', () => {
  it('names a release <package version>-<UTC yyyymmddHHMMss>', () => {
    expect(defaultRelease(Date.parse('2026-11-26T10:42:07.512Z'))).toBe(`${VERSION}-20261126104207`);
    expect(defaultRelease(0)).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  });

  it('keeps terraform state beside the lock and journal, encrypted, path-style against an emulator', () => {
    const env = { name: 'prod', stateBucket: 'acme-state', region: 'eu-west-1' };
    expect(backendConfig(env, { pathStyle: false })).toEqual({
      bucket: 'acme-state',
      key: 'ydeploy/prod/terraform.tfstate',
      region: 'eu-west-1',
      use_lockfile: 'true',
      encrypt: 'true',
    });
    expect(backendConfig({ ...env, name: 'sandbox' }, { pathStyle: true }).use_path_style).toBe('true');
  });
});
