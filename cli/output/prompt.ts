// One question on the terminal; a secret answer is read without echo.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export async function ask(
  question: string,
  io: { input: NodeJS.ReadableStream; output: Writable; secret: boolean },
): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) io.output.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: io.input, output, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.question(question, resolve);
      rl.once('close', () => reject(new Error('input closed')));
      muted = io.secret;
    });
  } finally {
    if (io.secret) io.output.write('\n');
    rl.close();
  }
}
