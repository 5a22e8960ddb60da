// GET/HEAD /health on plain node:http: lean, because the health gate and the load balancer
// poll it. Every other path is a JSON 404; malformed requests get a 400 and never a crash.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { BotProbe } from './probe.js';

/**
 * One logged evaluation: `check` says what caused it ("timer" or "request"); a timer's carries
 * how long the evaluation took (ms), the health server's own response time.
 */
export type StatusLogger = (status: string, body: unknown, check: 'timer' | 'request', elapsedMs?: number) => void;

/**
 * The fields of one health log line. A timer line carries `failed` (1 when unhealthy, else 0):
 * the module's metric filter ({ $.check = "timer" }, value $.failed) sums it into
 * HealthCheckFailures, so every evaluation is a data point and a silent health server is
 * missing data, which the alarm treats as breaching.
 */
export function healthLine(status: string, body: unknown, check: 'timer' | 'request'): Record<string, unknown> {
  return check === 'timer' ? { check, failed: status === 'unhealthy' ? 1 : 0, health: body } : { check, health: body };
}

/**
 * The health server's log of its own state. Every timer evaluation (HEALTH_CHECK_MS, 30 s) is
 * logged, so the health-failure alarm has a data point whether or not anyone polls /health. A
 * request logs a line only when the status changed since the last line, so pollers do not
 * inflate the count.
 */
export class HealthLog {
  private last = '';

  constructor(
    private readonly probe: Pick<BotProbe, 'report'>,
    private readonly onStatus: StatusLogger,
  ) {}

  /** The timer's evaluation: the same as GET /health answers, always logged. */
  check(): void {
    const started = performance.now();
    const { body } = this.probe.report();
    const elapsedMs = performance.now() - started;
    this.last = body.status;
    this.onStatus(body.status, body, 'timer', elapsedMs);
  }

  request(status: string, body: unknown): void {
    if (status === this.last) return;
    this.last = status;
    this.onStatus(status, body, 'request');
  }

  /** Evaluates now and every `everyMs`; returns the stop function. The timer never keeps the process alive. */
  start(everyMs: number): () => void {
    this.check();
    const timer = setInterval(() => this.check(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}

export function createHealthServer(probe: BotProbe, healthLog: Pick<HealthLog, 'request'>): Server {
  const server = createServer((req, res) => {
    const path = pathOf(req);
    if (path !== '/health' && path !== '/health/')
      return json(req, res, 404, { status: 'not_found', path: path.slice(0, 200) });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(req, res, 405, { status: 'method_not_allowed', method: req.method });
    }
    const result = probe.report();
    healthLog.request(result.body.status, result.body);
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
