// Values spliced into the shell scripts ydeploy runs on an instance through SSM Run Command,
// which runs them as root. Every value is checked for what it must be and then single-quoted,
// so whatever it contains stays one literal word: a config typo, or an answer from another
// instance that may not be telling the truth, never becomes a command.
import { UsageError } from '../errors.js';

/** One literal shell word: single quotes, with each ' written as '\''. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A handoff "after": a snowflake id or a millisecond timestamp (bot/roles/after.ts), digits only. */
export function isAfter(text: string): boolean {
  return /^\d{1,20}$/.test(text);
}

/** A URL path such as /health: unreserved characters, "/" and percent escapes only. */
export const URL_PATH = /^\/[A-Za-z0-9._~/%-]*$/;
export const URL_PATH_RULE = 'must be a URL path such as /health (letters, digits, - . _ ~ / % only)';

export function checkUrlPath(what: string, path: string): string {
  if (!URL_PATH.test(path))
    throw new UsageError(`${what} ${JSON.stringify(path)}`, URL_PATH_RULE, {
      fix: 'set health.path in ydeploy.config.json',
    });
  return path;
}

/** An http(s) URL without characters a shell or curl would read (quotes, spaces, control characters). */
export function checkHttpUrl(what: string, url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || /[\s'"`\\$]/.test(url) || /\p{Cc}/u.test(url))
    throw new UsageError(`${what} ${JSON.stringify(url)}`, 'must be an http(s) URL such as https://discord.com/api', {
      fix: 'set discordApi in ydeploy.config.json',
    });
  return url;
}

/** A TCP port number. */
export function checkPort(what: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`${what} ${port}`, 'must be a port number from 1 to 65535', {
      fix: 'set health.port in ydeploy.config.json',
    });
  return port;
}
