// The client end of the control channel (contracts/botctl.ts): one JSON request per line on a
// unix socket, one JSON response line back.
//   {"cmd":"status"}
//   {"cmd":"step-down"}
//   {"cmd":"activate","after":"<snowflake|ms>","peerActive":false,"force":false}
// Responses: {"ok":true,...} or {"ok":false,"error":"refused"|"bad-request","message":...}.
import { connect } from 'node:net';
import type { ControlRequest, ControlResponse } from '../contracts/botctl.js';

export function sendControl(socketPath: string, request: ControlRequest, timeoutMs = 5000): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer on ${socketPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk) => {
      data += chunk;
      const end = data.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      socket.end();
      try {
        resolve(JSON.parse(data.slice(0, end)));
      } catch {
        reject(new Error(`the bot answered something that is not JSON on ${socketPath}`));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
