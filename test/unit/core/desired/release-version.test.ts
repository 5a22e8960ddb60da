// A bad --release / --to is refused before any work (exit 2), with a corrected command.
import { describe, expect, it } from 'vitest';
import { assertReleaseVersion } from '../../../../cli/core/desired/state.js';
import { ExitCode, UsageError } from '../../../../cli/errors.js';

describe('assertReleaseVersion', () => {
  it('accepts what the terraform module accepts', () => {
    for (const ok of ['v2', '0.1.0-20261126104400', 'legacy-1', 'a_b.c', 'x'.repeat(64)])
      expect(() => assertReleaseVersion(ok, '--release', 'ydeploy deploy')).not.toThrow();
  });

  it('refuses anything else with exit 2 and a corrected command', () => {
    const error = (() => {
      try {
        assertReleaseVersion('bad version!', '--release', 'ydeploy deploy');
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error?.code).toBe(ExitCode.usage);
    expect(error?.fix).toBe('ydeploy deploy --release bad-version');
    expect(() => assertReleaseVersion('', '--to', 'ydeploy rollback')).toThrow(/--to "" is not a release version/);
    expect(() => assertReleaseVersion('x'.repeat(65), '--to', 'ydeploy rollback')).toThrow(UsageError);
  });
});
