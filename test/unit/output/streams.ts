// In-memory stand-ins for stdout / stderr / stdin.
import { PassThrough, Writable } from 'node:stream';

export interface Captured extends Writable {
  text: string;
  isTTY?: boolean;
  columns?: number;
}

export function capture(options: { tty?: boolean } = {}): Captured {
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      stream.text += String(chunk);
      callback();
    },
  }) as Captured;
  stream.text = '';
  if (options.tty) {
    // What ora needs of a terminal stream.
    Object.assign(stream, {
      isTTY: true,
      columns: 100,
      cursorTo: () => true,
      moveCursor: () => true,
      clearLine: () => true,
      getColorDepth: () => 8,
      hasColors: () => true,
    });
  }
  return stream;
}

export function input(tty: boolean): PassThrough & { isTTY?: boolean } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (tty) stream.isTTY = true;
  return stream;
}

/** Every NDJSON line of a stream, parsed. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;
