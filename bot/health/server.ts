// GET/HEAD /health on plain node:http: lean, because the health gate and the load balancer
// poll it. Every other path is a JSON 404; malformed requests get a 400 and never a crash.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { BotProbe } from './probe.js';

export function createHealthServer(probe: BotProbe, onStatus: (status: string, body: unknown) => void): Server {
  let lastStatus = '';
  const server = createServer((req, res) => {
    const path = pathOf(req);
    if (path !== '/health' && path !== '/health/') return json(req, res, 404, { status: 'not_found', path: path.slice(0, 200) });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(req, res, 405, { status: 'method_not_allowed', method: req.method });
    }
    const report = probe.report();
    if (report.body.status !== lastStatus) onStatus((lastStatus = report.body.status), report.body);
    if (probe.shuttingDown) res.setHeader('connection', 'close');
    json(req, res, report.code, report.body);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const [code, text] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = `{"status":"bad_request","code":${code}}`;
    socket.end(`HTTP/1.1 ${code} ${text}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return server;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function json(req: IncomingMessage, res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}
