// A free loopback port, from the range below 32768 so ephemeral ports never clash (DESIGN.md §6).
import { createServer } from 'node:net';

let next = 20000 + ((process.pid * 97) % 8000);

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = next;
    next = next >= 30000 ? 20000 : next + 1;
    if (await isFree(port)) return port;
  }
  throw new Error('no free loopback port between 20000 and 30000');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
