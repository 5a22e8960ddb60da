// How often an SSM invocation is looked at: quickly at first (a health probe is done within a
// hundred milliseconds of delivery), then at the adapter's poll interval.
import { describe, expect, it } from 'vitest';
import { pollDelay } from '../../../../cli/adapters/aws/ssm-run.js';

describe('pollDelay', () => {
  it('doubles from 50 ms up to the poll interval, then stays there', () => {
    expect([0, 1, 2, 3, 4, 20].map((round) => pollDelay(round, 250))).toEqual([50, 100, 200, 250, 250, 250]);
  });

  it('never waits longer than a shorter poll interval', () => {
    expect([0, 1, 5].map((round) => pollDelay(round, 40))).toEqual([40, 40, 40]);
  });
});
