// terraform's own state lock: a run that finds it held says which lock and gives the exact
// force-unlock command; pure functions, no terraform binary.
import { describe, expect, it } from 'vitest';
import {
  failed,
  forceUnlockCommand,
  killedHoldingLock,
  stateLockId,
} from '../../../../cli/adapters/terraform/runner.js';
import { ExitCode } from '../../../../cli/errors.js';

// What terraform 1.11's S3 backend (use_lockfile) prints when the lock file exists.
const DETAIL = `Error message: operation error S3: PutObject, https response error StatusCode: 412, RequestID: 4F2A, api error PreconditionFailed: At least one of the pre-conditions you specified did not hold
Lock Info:
  ID:        0b0c2ca9-1bbe-e8a4-2bb3-6f0d8b3e6a55
  Path:      ydeploy-state/ydeploy/prod/terraform.tfstate
  Operation: OperationTypeApply
  Who:       ana@laptop
  Version:   1.11.4
  Created:   2026-01-12 10:31:02.123456 +0000 UTC
  Info:


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.`;

const where = {
  binary: 'terraform',
  dir: '/home/ana/bot/terraform',
  dataDir: '/home/ana/bot/terraform/.ydeploy/prod/terraform',
  environment: 'prod',
};

describe("terraform's state lock", () => {
  it('finds the lock id in the -json diagnostic and gives the exact force-unlock command (exit 5)', () => {
    const error = failed(
      'terraform apply',
      1,
      [{ severity: 'error', summary: 'Error acquiring the state lock', detail: DETAIL }],
      '',
      where,
    );
    expect(error.code).toBe(ExitCode.locked);
    expect(error.message).toBe(
      "terraform apply failed: terraform's state lock is held (lock ID 0b0c2ca9-1bbe-e8a4-2bb3-6f0d8b3e6a55)",
    );
    expect(error.fix).toBe(
      'if no other deployment or terraform run is going (ydeploy lock status --env prod), a killed terraform left it: ' +
        'cd /home/ana/bot/terraform && TF_DATA_DIR=/home/ana/bot/terraform/.ydeploy/prod/terraform terraform force-unlock 0b0c2ca9-1bbe-e8a4-2bb3-6f0d8b3e6a55',
    );
  });

  it('finds it in plain output too (no -json diagnostic)', () => {
    expect(stateLockId(`\nError: Error acquiring the state lock\n\n${DETAIL}`)).toBe(
      '0b0c2ca9-1bbe-e8a4-2bb3-6f0d8b3e6a55',
    );
    const error = failed('terraform plan', 1, [], `Error: Error acquiring the state lock\n\n${DETAIL}`, where);
    expect(error.fix).toContain('terraform force-unlock 0b0c2ca9-1bbe-e8a4-2bb3-6f0d8b3e6a55');
  });

  it('other errors are reported as before', () => {
    expect(stateLockId('Error: creating EC2 Instance: InsufficientInstanceCapacity')).toBeUndefined();
    const error = failed('terraform apply', 1, [{ severity: 'error', summary: 'creating EC2 Instance' }], '', where);
    expect(error.code).toBe(ExitCode.failed);
    expect(error.fix).toBe('fix what terraform reports above, then run the command again');
  });

  it('quotes what the shell would split', () => {
    expect(forceUnlockCommand('abc', { ...where, dir: "/home/ana/my bot's/terraform" })).toBe(
      "cd '/home/ana/my bot'\\''s/terraform' && TF_DATA_DIR=/home/ana/bot/terraform/.ydeploy/prod/terraform terraform force-unlock abc",
    );
  });

  it('a terraform killed by a second Ctrl-C: the warning names the lock file and the command to clear it', () => {
    expect(
      killedHoldingLock('terraform apply', where, 's3://ydeploy-state/ydeploy/prod/terraform.tfstate.tflock'),
    ).toBe(
      'terraform apply was killed and may have left terraform\'s state lock: if the next run reports "Error acquiring the state lock" ' +
        'and no other deployment runs (ydeploy lock status --env prod), ydeploy prints the exact command, or clear it by hand: ' +
        'cd /home/ana/bot/terraform && TF_DATA_DIR=/home/ana/bot/terraform/.ydeploy/prod/terraform terraform force-unlock <LOCK_ID> ' +
        '(LOCK_ID: the "ID" in s3://ydeploy-state/ydeploy/prod/terraform.tfstate.tflock)',
    );
  });
});
