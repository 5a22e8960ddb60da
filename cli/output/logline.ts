// One CloudWatch event as a terminal line: time, instance kind, instance, stream, level, message.
// The bot and health server log pino JSON lines ({level, time, msg, ...}); other lines are
// shown as they are.
import { paint as makePaint, type Paint } from './paint.js';

export interface LineEvent {
  timestamp: number;
  message: string;
  instanceId: string;
  instanceKind: string;
  kind: string;
  /** A sharded fleet's group ("s0-1of4"): shown before the instance. */
  group?: string;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every pino line carries that the line already shows (or that are noise). */
const SHOWN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

export interface Pino {
  level?: number;
  msg?: string;
  fields: Record<string, unknown>;
}

export function parsePino(message: string): Pino | undefined {
  const text = message.trim();
  if (!text.startsWith('{')) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  const fields = Object.fromEntries(Object.entries(record).filter(([key]) => !SHOWN.has(key)));
  return {
    level: typeof record.level === 'number' ? record.level : undefined,
    msg: typeof record.msg === 'string' ? record.msg : undefined,
    fields,
  };
}

export function levelName(level: number | undefined): string {
  if (level === undefined) return '';
  return (
    LEVELS[level] ??
    (level >= 60 ? 'FATAL' : level >= 50 ? 'ERROR' : level >= 40 ? 'WARN' : level >= 30 ? 'INFO' : 'DEBUG')
  );
}

function colourLevel(p: Paint, level: number | undefined, text: string): string {
  if (level === undefined) return text;
  if (level >= 50) return p.red(text);
  if (level >= 40) return p.yellow(text);
  if (level >= 30) return p.green(text);
  return p.dim(text);
}

function colourKind(p: Paint, kind: string, text: string): string {
  return kind === 'legacy' ? p.magenta(text) : kind === 'enhanced' ? p.cyan(text) : p.dim(text);
}

function fieldText(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

/** `10:04:05.123 enhanced i-0abc bot    INFO  ready guilds=1` (a fleet's: `enhanced s0-1of4 i-0abc bot …`) */
export function formatLogLine(event: LineEvent, p: Paint): string {
  const time = new Date(event.timestamp).toISOString().slice(11, 23);
  const group = event.group ? `${event.group} ` : '';
  const tag = colourKind(
    p,
    event.instanceKind,
    `${event.instanceKind.padEnd(8)} ${group}${event.instanceId} ${event.kind.padEnd(6)}`,
  );
  const pino = parsePino(event.message);
  if (!pino) return `${p.dim(time)} ${tag} ${event.message.replace(/\s+$/, '')}`;
  const level = colourLevel(p, pino.level, levelName(pino.level).padEnd(5));
  const extra = fieldText(pino.fields);
  const msg = pino.msg ?? '';
  const text = colourLevel(p, pino.level !== undefined && pino.level >= 50 ? pino.level : undefined, msg);
  return `${p.dim(time)} ${tag} ${level} ${text}${extra ? ` ${p.dim(extra)}` : ''}`;
}

export function formatLogLines(events: LineEvent[], p: Paint): string {
  return events.map((e) => formatLogLine(e, p)).join('\n');
}

/**
 * Colour for data on stdout: asked for, not NO_COLOR, and stdout (not just stderr) a terminal,
 * so `ydeploy logs | grep` gets plain text.
 */
export function dataPaint(options: { color: boolean; env: NodeJS.ProcessEnv; interactive: boolean }): Paint {
  return makePaint(dataColor(options));
}

/** Whether data on stdout is coloured: asked for, not NO_COLOR, and stdout a terminal. */
export function dataColor(options: { color: boolean; env: NodeJS.ProcessEnv; interactive: boolean }): boolean {
  return options.color && !options.env.NO_COLOR && options.interactive && Boolean(process.stdout.isTTY);
}

/**
 * Resolves once stdout has room again: `logs` waits here between pages, so a slow reader
 * (a pager, a pipe) holds back the reading instead of growing an unbounded write buffer.
 */
export function stdoutDrained(): Promise<void> {
  if (!process.stdout.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      process.stdout.off('drain', done);
      process.stdout.off('close', done);
      resolve();
    };
    process.stdout.once('drain', done);
    process.stdout.once('close', done);
  });
}
