// Ctrl-C around a command: the second one kills what runs, but the command still gets a bounded
// moment to release its lock and journal before ydeploy exits.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { CommandInput, Parsed } from '../../../cli/command.js';
import { ExitCode, InterruptedError } from '../../../cli/errors.js';
import { runCommand } from '../../../cli/run.js';
import { capture } from '../output/streams.js';

const parsed: Parsed = { command: ['deploy'], args: [], options: {}, all: { env: 'prod', color: false } };

function io(signals: EventEmitter, forcedCleanupMs?: number) {
  const stdout = capture() as unknown as NodeJS.WriteStream;
  const stderr = capture() as unknown as NodeJS.WriteStream;
  const source = signals as unknown as Pick<NodeJS.Process, 'on' | 'off'>;
  return { stdout, stderr, env: {}, trapSignals: source, forcedCleanupMs };
}

/** Until runCommand listens (it loads the reporter first). */
async function trapped(signals: EventEmitter): Promise<void> {
  while (signals.listenerCount('SIGINT') === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

const text = (stream: NodeJS.WriteStream) => (stream as unknown as { text: string }).text;

/** A command that, once killed, takes `cleanupMs` to release its lock and journal; records when done. */
function deployment(cleanupMs: number, done: string[]) {
  return async (input: CommandInput) => {
    await new Promise<void>((resolve) => input.killSignal.addEventListener('abort', () => resolve(), { once: true }));
    await new Promise((resolve) => setTimeout(resolve, cleanupMs));
    done.push('lock released, journal interrupted');
    throw new InterruptedError('stopped at "Hand traffic over to the new release"', {
      fix: 'ydeploy deploy --resume --env prod',
    });
  };
}

describe('Ctrl-C twice', () => {
  it('waits for the command to release its lock and journal (within the bound), then exits 130', async () => {
    const signals = new EventEmitter();
    const done: string[] = [];
    const streams = io(signals);
    const running = runCommand(deployment(150, done), parsed, streams);
    await trapped(signals);
    signals.emit('SIGINT', 'SIGINT');
    signals.emit('SIGINT', 'SIGINT');
    expect(await running).toBe(ExitCode.interrupted);
    expect(done).toEqual(['lock released, journal interrupted']);
    expect(text(streams.stderr)).toContain('stopped at "Hand traffic over to the new release"');
  });

  it('stops waiting after the bound and says what may be left and how to clear it', async () => {
    const signals = new EventEmitter();
    const done: string[] = [];
    const streams = io(signals, 100);
    const started = Date.now();
    const running = runCommand(deployment(60_000, done), parsed, streams);
    await trapped(signals);
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGINT', 'SIGINT');
    expect(await running).toBe(ExitCode.interrupted);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(done).toEqual([]);
    const stderr = text(streams.stderr);
    expect(stderr).toContain('stopped at once (Ctrl-C twice)');
    expect(stderr).toContain('ydeploy lock release --force --env prod');
  });
});
