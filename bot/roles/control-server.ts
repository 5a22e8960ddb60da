// The bot's end of the control channel (contracts/botctl.ts), on a unix socket so only this
// machine (SSM Run Command, the operator) can switch roles.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { parseAfter, parseShardCut } from './after.js';
import { RefusedError, type Dispatcher } from './dispatcher.js';
import type { ControlRequest, ControlResponse } from '../contracts/botctl.js';

export function startControlServer(
  path: string,
  dispatcher: Dispatcher,
  onCommand: (request: ControlRequest, response: ControlResponse) => void,
): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true }); // a socket left by a crashed predecessor
  const server = createServer((socket) => {
    let data = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.length > 64 * 1024) return socket.destroy();
      let end: number;
      while ((end = data.indexOf('\n')) !== -1) {
        const line = data.slice(0, end);
        data = data.slice(end + 1);
        const response = answer(line, dispatcher);
        onCommand(safeRequest(line), response);
        socket.write(`${JSON.stringify(response)}\n`);
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      chmodSync(path, 0o660);
      resolve(server);
    });
  });
}

export function answer(line: string, dispatcher: Dispatcher): ControlResponse {
  const request = safeRequest(line);
  try {
    switch (request.cmd) {
      case 'status':
        return { ok: true, ...dispatcher.status() };
      case 'step-down':
        return { ok: true, ...dispatcher.stepDown() };
      case 'activate': {
        const after =
          request.after === undefined || request.after === null ? undefined : parseAfter(String(request.after));
        const cut =
          request.afterShards === undefined || request.afterShards === null
            ? undefined
            : parseShardCut(String(request.afterShards));
        const flags = { peerActive: request.peerActive === true, force: request.force === true };
        return { ok: true, ...dispatcher.activate({ after, cut, ...flags }) };
      }
      default:
        return {
          ok: false,
          error: 'bad-request',
          message: `unknown command ${JSON.stringify(request.cmd)}: expected status, step-down or activate`,
        };
    }
  } catch (error) {
    return {
      ok: false,
      error: error instanceof RefusedError ? 'refused' : 'bad-request',
      message: (error as Error).message,
    };
  }
}

function safeRequest(line: string): ControlRequest {
  try {
    const value = JSON.parse(line);
    return value && typeof value === 'object' ? value : ({ cmd: String(value) } as never);
  } catch {
    return { cmd: line.trim() } as never;
  }
}
