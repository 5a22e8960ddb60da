// GET/HEAD /health on plain node:http: lean, because the health gate and the load balancer
// poll it. Every other path is a JSON 404; malformed requests get a 400 and never a crash.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { BotProbe } from './probe.js';

/**
 * Unhealthy answers are logged again at most this often, so the health-failure alarm (a metric
 * filter on this stream, > 3 in 5 minutes) counts time spent unhealthy, not only the change.
 */
export const UNHEALTHY_LOG_EVERY_MS = 10_000;

export function createHealthServer(
  probe: BotProbe,
  onStatus: (status: string, body: unknown) => void,
  now: () => number = Date.now,
): Server {
  let lastStatus = '';
  let lastUnhealthyLog = 0;
  const report = (status: string, body: unknown) => {
    const changed = status !== lastStatus;
    const repeat = status === 'unhealthy' && now() - lastUnhealthyLog >= UNHEALTHY_LOG_EVERY_MS;
    if (!changed && !repeat) return;
    lastStatus = status;
    if (status === 'unhealthy') lastUnhealthyLog = now();
    onStatus(status, body);
  };
  const server = createServer((req, res) => {
    const path = pathOf(req);
    if (path !== '/health' && path !== '/health/')
      return json(req, res, 404, { status: 'not_found', path: path.slice(0, 200) });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(req, res, 405, { status: 'method_not_allowed', method: req.method });
    }
    const result = probe.report();
    report(result.body.status, result.body);
    if (probe.shuttingDown) res.setHeader('connection', 'close');
    json(req, res, result.code, result.body);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const [code, text] =
      error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = `{"status":"bad_request","code":${code}}`;
    socket.end(
      `HTTP/1.1 ${code} ${text}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
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
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
