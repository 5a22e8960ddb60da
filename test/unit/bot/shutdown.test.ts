// Graceful shutdown ends with exit 0; one that misses its hard deadline exits non-zero, so the
// unit's Restart=on-failure brings the bot back instead of treating it as a clean stop.
import { describe, expect, it } from 'vitest';
import { runShutdown, SHUTDOWN_DEADLINE_EXIT_CODE } from '../../../bot/shutdown.js';

const log = { info: () => {}, warn: () => {} } as never;

function exits() {
  const codes: number[] = [];
  let first: (code: number) => void;
  const firstExit = new Promise<number>((resolve) => (first = resolve));
  return {
    codes,
    firstExit,
    exit: (code: number) => {
      if (!codes.length) first(code);
      codes.push(code);
    },
  };
}

describe('runShutdown', () => {
  it('exits 0 when every step finished', async () => {
    const e = exits();
    await runShutdown(log, [{ name: 'quick', run: () => undefined }], 5000, e.exit);
    expect(e.codes).toEqual([0]);
  });

  it('exits non-zero when the hard deadline passes first', async () => {
    const e = exits();
    void runShutdown(log, [{ name: 'hangs', run: () => new Promise(() => {}), deadlineMs: 5000 }], 50, e.exit);
    expect(await e.firstExit).toBe(SHUTDOWN_DEADLINE_EXIT_CODE);
    expect(SHUTDOWN_DEADLINE_EXIT_CODE).not.toBe(0);
  });
});
