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

export interface Terminal extends Captured {
  /** What a person sees now, line by line (escape sequences applied, not shown). */
  screen(): string[];
  /** The rows text was drawn on, in order. */
  drawnRows: number[];
}

/**
 * A terminal that keeps a screen: text overwrites at the cursor, and the cursor calls ora makes
 * (cursorTo, moveCursor, clearLine) move and erase as a real one does. Other escape sequences
 * (colour, cursor visibility, synchronized output) change nothing on it.
 */
export function terminal(columns = 100): Terminal {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (text: string) => {
    // eslint-disable-next-line no-control-regex
    for (const char of text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')) {
      if (char === '\n') {
        row += 1;
        col = 0;
        while (lines.length <= row) lines.push('');
      } else if (char === '\r') col = 0;
      else {
        const line = lines[row].padEnd(col);
        lines[row] = `${line.slice(0, col)}${char}${line.slice(col + 1)}`;
        col += 1;
        stream.drawnRows.push(row);
      }
    }
  };
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      stream.text += String(chunk);
      put(String(chunk));
      callback();
    },
  }) as Terminal;
  Object.assign(stream, {
    text: '',
    drawnRows: [],
    isTTY: true,
    columns,
    screen: () => [...lines],
    cursorTo: (x: number) => {
      col = x;
      return true;
    },
    moveCursor: (dx: number, dy: number) => {
      col = Math.max(col + dx, 0);
      row = Math.max(row + dy, 0);
      return true;
    },
    clearLine: (direction: -1 | 0 | 1) => {
      const line = lines[row];
      lines[row] = direction === 1 ? line.slice(0, col) : direction === -1 ? ' '.repeat(col) + line.slice(col) : '';
      return true;
    },
    getColorDepth: () => 8,
    hasColors: () => true,
  });
  return stream;
}
