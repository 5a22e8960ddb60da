// Asks a built bot.mjs what it is: `node bot.mjs --describe` loads the team's module without a
// token or a connection and prints one JSON line (its slash commands, prefix, message commands,
// events, jobs, intents). The build records the commands in the manifest.
import { execFile } from 'node:child_process';
import type { CommandDefinition } from '../../bot/contracts/commands.js';
import { UsageError, UserError } from '../errors.js';

export const DESCRIBE_TIMEOUT_MS = 15_000;

export interface BotDescription {
  commands: CommandDefinition[];
  prefix?: string;
  messageCommands?: string[];
  events?: string[];
  jobs?: { name: string; everyMs: number }[];
  intents?: number[];
}

/** What describing gave: the description, or why there is none (the module threw while loading). */
export type Described = { ok: true; description: BotDescription } | { ok: false; reason: string };

export async function describeBot(
  botFile: string,
  o: { cwd: string; label: string; timeoutMs?: number; signal?: AbortSignal },
): Promise<Described> {
  const timeout = o.timeoutMs ?? DESCRIBE_TIMEOUT_MS;
  const result = await run(botFile, o.cwd, timeout, o.signal);
  o.signal?.throwIfAborted();
  if (result.timedOut) {
    throw new UserError(
      `${o.label} did not describe itself within ${timeout / 1000}s`,
      'loading the module must not wait on anything (connections belong in setup() or handlers)',
      { fix: `run it yourself: YDEPLOY_DESCRIBE=1 node ${botFile}` },
    );
  }
  if (result.code === 2) {
    throw new UsageError(`${o.label} does not define a bot`, firstLine(result.stderr) || 'describe exited 2', {
      fix: `in ${o.label}: import { defineBot } from 'ydeploy/bot'; export default defineBot({ commands: [...] })`,
    });
  }
  if (result.code !== 0) {
    return {
      ok: false,
      reason: `loading ${o.label} failed (exit ${result.code}): ${firstLine(result.stderr || result.stdout)}`,
    };
  }
  return { ok: true, description: parse(result.stdout, o.label) };
}

function parse(stdout: string, label: string): BotDescription {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .at(-1);
  try {
    const parsed = JSON.parse(line ?? '') as BotDescription;
    if (!Array.isArray(parsed.commands)) throw new Error('no "commands" list');
    return parsed;
  } catch (error) {
    throw new UserError(`${label} described itself in a form this ydeploy does not read`, (error as Error).message, {
      fix: 'use the ydeploy that the bot depends on (npx ydeploy in its folder)',
    });
  }
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** node <bot.mjs> --describe with no token, no AWS and nothing of the caller's environment but PATH and HOME. */
function run(botFile: string, cwd: string, timeout: number, signal?: AbortSignal): Promise<RunResult> {
  const env = {
    PATH: process.env.PATH ?? '',
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    YDEPLOY_DESCRIBE: '1',
    NODE_ENV: 'production',
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [botFile, '--describe'],
      { cwd, env, timeout, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, signal },
      (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { code?: unknown; killed?: boolean }) | null;
        const timedOut = Boolean(e?.killed) && !signal?.aborted;
        const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr), timedOut });
      },
    );
  });
}

/** The runtime's message ("<entry>: <why>") is the first line; a stack trace may follow. */
function firstLine(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  return (line ?? '').slice(0, 500);
}
