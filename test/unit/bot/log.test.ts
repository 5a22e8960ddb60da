// The token never reaches the bot's log: the logger the runtime builds (createLogger) writes to a
// captured stream, the token is logged every way a bot might, and the output is searched for it.
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { addSecret, createLogger } from '../../../bot/log.js';

const TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB';

function captured(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('the bot logger scrubs the token', () => {
  it('from messages, errors, nested fields, child loggers and the redacted paths', () => {
    addSecret(TOKEN);
    const out = captured();
    const log = createLogger('bot', { instanceId: 'i-1', version: 'v1' }, 'debug', out.stream);
    log.info(`logging in with ${TOKEN}`);
    log.error({ err: new Error(`401: Unauthorized for Bot ${TOKEN}`) }, 'login failed');
    log.warn({ request: { headers: { Authorization: `Bot ${TOKEN}` } }, config: { discord: { secret: TOKEN } } });
    log.info({ token: TOKEN, env: { DISCORD_TOKEN: TOKEN } }, 'configured');
    log.child({ job: 'sync', bound: TOKEN }).debug(`child ${TOKEN}`);

    const text = out.text();
    const lines = text.trim().split('\n');
    // Every call produced a line on the captured stream: the check below is not vacuous.
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(text).toContain('[redacted]');
    expect(text).toContain('logging in with [redacted]');
    expect(text).not.toContain(TOKEN);
    // Nor a recognisable part of it (its first segment is the bot's id, not a secret by itself).
    expect(text).not.toContain(TOKEN.slice(TOKEN.indexOf('.') + 1));
  });

  it('on the default destination (stdout, what journald ships) in a process of its own', async () => {
    const script = [
      "const { addSecret, createLogger } = await import('./bot/log.ts');",
      `addSecret(${JSON.stringify(TOKEN)});`,
      `createLogger('bot', {}).error({ err: new Error('bad ' + ${JSON.stringify(TOKEN)}) }, 'token ' + ${JSON.stringify(TOKEN)});`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: process.cwd(), env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    expect(stdout).toContain('"msg":"token [redacted]"');
    expect(stdout).not.toContain(TOKEN);
  });
});
