// `ydeploy init --bot` as a user runs it: the project is written by the built CLI, installed with
// npm (ydeploy linked from this checkout, discord.js from the registry or npm's cache), and its
// own unit test passes. Then its first deploy's dry-run, against a sandbox in the project's own
// .ydeploy/, shows the bot's /roll command.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../_helpers/ports.js';
import { isolatedEnv, ydeploy } from '../../_helpers/sandbox.js';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');

let temp: string;
let project: string;

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'ydeploy-scaffold-'));
  project = join(temp, 'dice-bot');
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** `npm <args>` in the project; its output whatever the exit code. */
async function npm(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', args, { cwd: project, timeout: 300_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('a project written by ydeploy init --bot', () => {
  it('is written by the built CLI and depends on this checkout', async () => {
    const init = await ydeploy(['init', '--bot', 'dice-bot'], { ...process.env, NO_COLOR: '1' }, temp);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain('next: cd dice-bot && npm install && npx ydeploy deploy --env sandbox');
    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
    expect(pkg.dependencies.ydeploy).toBe(`file:${ROOT}`);
  });

  it('installs, and its unit test of the roll handlers passes', async () => {
    // --ignore-scripts: npm would run the linked ydeploy's `prepare` (a rebuild of this checkout's
    // dist/, which other tests are running from); the global setup built it already.
    const install = await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts']);
    expect(install.code, install.output).toBe(0);
    expect(existsSync(join(project, 'node_modules', 'discord.js', 'package.json'))).toBe(true);

    const test = await npm(['test']);
    expect(test.code, test.output).toBe(0);
    expect(test.output).toMatch(/^# pass [1-9]\d*$/m);
    expect(test.output).toMatch(/^# fail 0$/m);
    expect(test.output).toContain('ok 1 - /roll');
    expect(test.output).toContain('ok 2 - !roll');
  });

  // Needs the bot runtime (bot/runtime/main.ts) that builds a team's entry into a release.
  it.skipIf(!existsSync(join(ROOT, 'bot', 'runtime', 'main.ts')))(
    'deploys to the sandbox: the dry-run bundles src/bot.ts and shows /roll',
    async () => {
      const base = await freePort();
      // The sandbox lives in the project's .ydeploy/, as it does for a user; own ports.
      const env = isolatedEnv(join(project, '.ydeploy', 'sandbox'), base - (base % 100) + 40);
      const npx = (args: string[]) =>
        ydeploy(args, env, project, join(project, 'node_modules', 'ydeploy', 'bin', 'ydeploy.js'));
      try {
        const dry = await npx(['deploy', '--env', 'sandbox', '--dry-run']);
        const output = `${dry.stdout}${dry.stderr}`;
        expect(dry.code, output).toBe(0);
        expect(output).toContain('src/bot.ts');
        expect(output).toMatch(/\/?roll\b/);
      } finally {
        const down = await npx(['sandbox', 'down', '--purge']);
        expect(down.code, down.stderr).toBe(0);
      }
    },
  );
});
