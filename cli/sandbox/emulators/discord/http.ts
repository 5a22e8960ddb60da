// The few HTTP helpers the emulator's REST and control routes share.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Discord's error JSON: `{message, code}`, plus what some errors add (form `errors`, `retry_after`) and headers. */
export interface ErrorDetail {
  code?: number;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  readonly code: number;
  readonly detail: ErrorDetail;

  constructor(
    readonly status: number,
    message: string,
    detail: number | ErrorDetail = 0,
  ) {
    super(message);
    this.detail = typeof detail === 'number' ? { code: detail } : detail;
    this.code = this.detail.code ?? 0;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (status === 204) {
    res.writeHead(204, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (!(error instanceof HttpError)) return sendJson(res, 500, { message: (error as Error).message, code: 0 });
  const { body, headers } = error.detail;
  sendJson(res, error.status, { message: error.message, code: error.code, ...body }, headers);
}

/** Reads a JSON body (≤ 1 MiB); an empty body is `{}`. */
export async function readJson(req: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 1 << 20) throw new HttpError(413, 'request body larger than 1 MiB');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) return fromMultipart(Buffer.concat(chunks).toString('utf8'));
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON', 50109);
  }
}

// discord.js sends multipart only with attachments; the JSON part is all the emulator reads.
function fromMultipart(text: string): Record<string, any> {
  const match = /name="payload_json"[^]*?\r\n\r\n([^]*?)\r\n--/.exec(text);
  return match ? JSON.parse(match[1]!) : {};
}
