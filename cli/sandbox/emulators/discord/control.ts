// The control API (under /control): send a slash command to every connected session, read
// back who answered, list sessions, drop connections to exercise RESUME.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendJson } from './http.js';
import { dispatchCommand, summary } from './interactions.js';
import type { EmulatorState, InteractionRecord } from './emulator-state.js';

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  state: EmulatorState,
): Promise<void> {
  const url = new URL(req.url!, 'http://x');
  const parts = path.split('/').filter(Boolean);
  const route = `${req.method} /${parts.join('/')}`;
  if (route === 'GET /')
    return sendJson(res, 200, {
      applicationId: state.applicationId,
      sessions: state.liveSessions().length,
      interactions: state.interactions.size,
    });
  if (route === 'GET /sessions') return sendJson(res, 200, [...state.sessions.values()].map(describeSession));
  if (route === 'GET /commands') return sendJson(res, 200, state.commands.get(state.applicationId) ?? []);
  if (route === 'GET /messages')
    return sendJson(
      res,
      200,
      state.messages.map(({ token: _token, ...m }) => m),
    );
  if (route === 'POST /commands') {
    const body = await readJson(req);
    const record = dispatchCommand(state, body as never);
    const waitMs = Math.min(Number(body.waitMs ?? url.searchParams.get('wait') ?? 0), 30_000);
    if (waitMs > 0) await answered(record, waitMs);
    return sendJson(res, 200, summary(record));
  }
  if (route === 'GET /interactions') {
    const since = Number(url.searchParams.get('since') ?? 0);
    return sendJson(res, 200, [...state.interactions.values()].filter((r) => r.sentAt >= since).map(summary));
  }
  if (req.method === 'GET' && parts[0] === 'interactions' && parts.length === 2) {
    const record = state.interactions.get(parts[1]!);
    if (!record) throw new HttpError(404, `no interaction ${parts[1]}`);
    return sendJson(res, 200, summary(record));
  }
  if (route === 'POST /drop') {
    const body = await readJson(req);
    const dropped = [];
    for (const session of state.liveSessions()) {
      if (
        !session.ws ||
        (body.session && body.session !== session.id) ||
        (body.instance && body.instance !== session.instance)
      )
        continue;
      if (body.code) session.ws.close(Number(body.code), 'dropped by the control API');
      else session.ws.terminate();
      dropped.push(session.id);
    }
    return sendJson(res, 200, { dropped });
  }
  if (route === 'POST /gateway') {
    const body = await readJson(req);
    if (typeof body.stalled === 'boolean') state.stalled = body.stalled;
    return sendJson(res, 200, { stalled: state.stalled });
  }
  if (route === 'POST /tokens') {
    const body = await readJson(req);
    if (typeof body.token !== 'string' || body.token.length < 8)
      throw new HttpError(400, 'token must be a string of at least 8 characters');
    state.tokens.add(body.token);
    return sendJson(res, 200, { tokens: state.tokens.size });
  }
  throw new HttpError(404, `no control route ${route}`);
}

function describeSession(s: EmulatorState['sessions'] extends Map<string, infer S> ? S : never) {
  return {
    id: s.id,
    instance: s.instance,
    connected: s.ws?.readyState === 1,
    seq: s.seq,
    resumes: s.resumes,
    identifiedAt: s.identifiedAt,
    invalidated: s.invalidated,
    presence: s.presence,
  };
}

/** Resolves when the first answer arrives or after waitMs. */
async function answered(record: InteractionRecord, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && !record.answers.some((a) => a.accepted)) await new Promise((r) => setTimeout(r, 10));
}
