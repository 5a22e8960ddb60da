// The scripts that run as root on an instance, run here by bash with hostile values: an
// injected command would create a marker file. Stand-in curl and node print the argv they got,
// so each value must arrive as exactly one literal argument.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discordScript, healthScript } from '../../../cli/core/gate/probe.js';
import { activateScript } from '../../../cli/core/handoff/botctl.js';
import { shellQuote } from '../../../cli/core/shell.js';
import { ExitCode } from '../../../cli/errors.js';

const run = promisify(execFile);
let dir: string;
let marker: string;
let argsFile: string;

/** Runs the script as SSM would (a shell), with stand-in curl and node recording their argv. */
async function bash(script: string, env: Record<string, string> = {}): Promise<string[]> {
  await rm(argsFile, { force: true });
  await run('bash', ['-c', script], {
    cwd: dir,
    env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, MARKER: marker, ...env },
  });
  return existsSync(argsFile) ? (await readFile(argsFile, 'utf8')).split('\n').slice(0, -1) : [];
}

/** Values that would run `touch <marker>` if a shell read them as code. */
const hostile = (m: string) => [
  `1; touch ${m}`,
  `$(touch ${m})`,
  `\`touch ${m}\``,
  `"; touch ${m}; echo "`,
  `'; touch ${m}; echo '`,
  `x\ntouch ${m}`,
  `\${IFS}$(touch ${m})`,
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ydeploy-shell-'));
  marker = join(dir, 'INJECTED');
  argsFile = join(dir, 'args');
  await mkdir(join(dir, 'bin'));
  for (const tool of ['curl', 'node']) {
    await writeFile(join(dir, 'bin', tool), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n`);
    await chmod(join(dir, 'bin', tool), 0o755);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));
beforeEach(() => rm(marker, { force: true }));

describe('shellQuote', () => {
  it('keeps every hostile value one literal word', async () => {
    for (const value of hostile(marker)) {
      expect(await bash(`curl ${shellQuote(value)}`)).toEqual(value.split('\n'));
      expect(existsSync(marker)).toBe(false);
    }
  });
});

describe('botctl activate --after (another instance\u2019s answer)', () => {
  it('refuses anything but digits, so a hostile old instance cannot run a command on the new one', async () => {
    for (const after of hostile(marker)) {
      let script: string | undefined;
      try {
        script = activateScript({ after });
      } catch (error) {
        expect((error as Error).message).toMatch(/^activate --after .*: expected a snowflake id or a timestamp$/);
      }
      if (script !== undefined) await bash(script).catch(() => undefined);
      expect(script).toBeUndefined();
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('passes a snowflake as one quoted argument, from the release directory the instance names', async () => {
    const script = activateScript({ after: '1311000000000000000', peerActive: true });
    expect(await bash(script, { YDEPLOY_RELEASE_DIR: '/srv/rel' })).toEqual([
      '/srv/rel/botctl.mjs',
      'activate',
      '--after',
      '1311000000000000000',
      '--peer-active',
    ]);
  });
});

describe('health gate scripts', () => {
  it('refuses a health.path with shell characters ("{what}: {why}", exit 2)', async () => {
    for (const path of hostile(marker).map((v) => `/health${v}`)) {
      let script: string | undefined;
      try {
        script = healthScript(3000, path);
      } catch (error) {
        expect((error as { code: number }).code).toBe(ExitCode.usage);
        expect((error as Error).message).toBe(
          `health.path ${JSON.stringify(path)}: must be a URL path such as /health (letters, digits, - . _ ~ / % only)`,
        );
      }
      if (script !== undefined) await bash(script).catch(() => undefined);
      expect(script).toBeUndefined();
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('the instance\u2019s port variable still wins, the path stays literal', async () => {
    const script = healthScript(3000, '/ready%20now/x');
    expect((await bash(script)).at(-1)).toBe('http://127.0.0.1:3000/ready%20now/x');
    expect((await bash(script, { YDEPLOY_HEALTH_PORT: '3107' })).at(-1)).toBe('http://127.0.0.1:3107/ready%20now/x');
  });

  it('refuses a discordApi that is not an http(s) URL, or carries shell characters', async () => {
    const values = [
      ...hostile(marker).map((v) => `https://discord.com/api/${v}`),
      `file:///etc/passwd`,
      `ftp://discord.com/api`,
    ];
    for (const api of values) {
      let script: string | undefined;
      try {
        script = discordScript(api);
      } catch (error) {
        expect((error as { code: number }).code).toBe(ExitCode.usage);
        expect((error as Error).message).toMatch(
          /^discordApi ".*": must be an http\(s\) URL such as https:\/\/discord.com\/api$/s,
        );
      }
      if (script !== undefined) await bash(script).catch(() => undefined);
      expect(script).toBeUndefined();
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('a valid URL with characters a shell reads (; > |) reaches curl literally; YDEPLOY_DISCORD_API still wins', async () => {
    const api = `http://127.0.0.1:9/a;>INJECTED|touch,INJECTED`;
    expect((await bash(discordScript(api))).at(-1)).toBe(`${api}/v10/gateway`);
    expect(existsSync(marker)).toBe(false);
    expect((await bash(discordScript(api), { YDEPLOY_DISCORD_API: 'http://127.0.0.1:4100/api' })).at(-1)).toBe(
      'http://127.0.0.1:4100/api/v10/gateway',
    );
  });
});
