// Who a deployment names: the OS account from os.userInfo (not $USER, which cron, containers
// and sudo leave unset) at this host; the environment only when the uid has no account.
import { describe, expect, it } from 'vitest';
import { localUser } from '../../../cli/context.js';

const os = (username: string | Error) => ({
  userInfo: () => {
    if (username instanceof Error) throw username;
    return { username, uid: 1000 };
  },
  hostname: () => 'build-7',
});

describe('localUser', () => {
  it('is the OS account even when USER is unset or says otherwise', () => {
    expect(localUser({}, os('alice'))).toBe('alice@build-7');
    expect(localUser({ USER: 'mallory' }, os('alice'))).toBe('alice@build-7');
  });

  it('falls back to USER, then LOGNAME, then "unknown" when the uid has no passwd entry', () => {
    const none = os(new Error('ENOENT: no such file or directory, uv_os_get_passwd'));
    expect(localUser({ USER: 'ci' }, none)).toBe('ci@build-7');
    expect(localUser({ LOGNAME: 'deploy' }, none)).toBe('deploy@build-7');
    expect(localUser({}, none)).toBe('unknown@build-7');
  });
});
