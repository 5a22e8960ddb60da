// What the emulated Discord remembers: gateway sessions, registered commands, and every
// interaction it sent with who answered it. The control API reads this.
import type { WebSocket } from 'ws';
import { snowflake } from './snowflake.js';

export interface Session {
  id: string;
  token: string;
  /** The bot instance behind this session, learned from its presence (see gateway.ts). */
  instance?: string;
  presence?: unknown;
  ws?: WebSocket;
  seq: number;
  /** Dispatches kept for RESUME; bounded. */
  events: { s: number; t: string; d: unknown }[];
  identifiedAt: number;
  resumes: number;
  invalidated: boolean;
  /** Set while no connection is attached; a session not resumed within RESUME_WINDOW_MS is invalidated. */
  disconnectedAt?: number;
}

export interface Answer {
  session: string;
  instance?: string;
  at: number;
  latencyMs: number;
  type: number;
  content?: string;
  /** Discord accepts the first acknowledgement only, within 3 s. */
  accepted: boolean;
  rejected?: 'already-acknowledged' | 'expired';
}

export interface InteractionRecord {
  id: string;
  name: string;
  options: unknown[];
  sentAt: number;
  deliveredTo: { session: string; instance?: string; token: string }[];
  answers: Answer[];
}

/** An interaction can be acknowledged for 3 s (Discord's rule). */
export const ANSWER_WINDOW_MS = 3000;
/** Like Discord, a dropped session can be resumed for a while, then it is gone. */
export const RESUME_WINDOW_MS = 60_000;
const MAX_EVENTS = 1000;
const MAX_INTERACTIONS = 5000;

export class EmulatorState {
  readonly sessions = new Map<string, Session>();
  readonly interactions = new Map<string, InteractionRecord>();
  /** Interaction token -> [interaction id, session id]. */
  readonly interactionTokens = new Map<string, [string, string]>();
  /** Registered global commands, by application id. */
  readonly commands = new Map<string, Record<string, unknown>[]>();
  /** Tokens the gateway closes with 4004 even though REST accepts them. */
  readonly gatewayRejects = new Set<string>();
  /** While true the gateway leaves IDENTIFY and RESUME unanswered: an outage, or a bot stuck connecting. */
  stalled = false;
  readonly messages: { channelId: string; content?: string; at: number; token: string }[] = [];
  readonly botUser = {
    id: snowflake(),
    username: 'ydeploy-bot',
    discriminator: '0',
    global_name: null,
    avatar: null,
    bot: true,
    flags: 0,
  };

  constructor(
    readonly tokens: Set<string>,
    readonly applicationId: string,
    readonly guilds: { id: string; name: string }[],
  ) {}

  push(session: Session, t: string, d: unknown): void {
    const event = { s: ++session.seq, t, d };
    session.events.push(event);
    if (session.events.length > MAX_EVENTS) session.events.shift();
    if (session.ws?.readyState === 1) session.ws.send(JSON.stringify({ op: 0, ...event }));
  }

  /** Sessions that would receive a dispatch: identified and not invalidated (connected or resumable). */
  liveSessions(): Session[] {
    const now = Date.now();
    for (const s of this.sessions.values())
      if (!s.ws && s.disconnectedAt && now - s.disconnectedAt > RESUME_WINDOW_MS) s.invalidated = true;
    return [...this.sessions.values()].filter((s) => !s.invalidated);
  }

  remember(record: InteractionRecord): void {
    this.interactions.set(record.id, record);
    if (this.interactions.size > MAX_INTERACTIONS) {
      const oldest = this.interactions.keys().next().value!;
      for (const d of this.interactions.get(oldest)!.deliveredTo) this.interactionTokens.delete(d.token);
      this.interactions.delete(oldest);
    }
  }
}
