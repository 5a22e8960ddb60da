// `ydeploy init --bot` as a user runs it: the project is written by a build of the CLI, installed
// with npm (ydeploy linked from that build, discord.js from the registry or npm's cache), and it
// type-checks against `ydeploy/bot` and its own unit test passes. Then its first deploy's dry-run,
// against a sandbox in the project's own .ydeploy/, shows the bot's /roll command.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../_helpers/ports.js';
import { isolatedEnv, privateBuild, resultOf, ydeploy } from '../../_helpers/sandbox.js';

const run = promisify(execFile);

let build: Awaited<ReturnType<typeof privateBuild>>;
let temp: string;
let project: string;

beforeAll(async () => {
  // A build of its own: the project links to it and runs it for a while, away from rebuilds of dist/.
  build = await privateBuild();
  temp = await mkdtemp(join(tmpdir(), 'ydeploy-scaffold-'));
  project = join(temp, 'dice-bot');
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
  await build?.cleanup();
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
  it('is written by the CLI and depends on the ydeploy that wrote it, by folder', async () => {
    const init = await ydeploy(['init', '--bot', 'dice-bot'], { ...process.env, NO_COLOR: '1' }, temp, build.bin);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain('next: cd dice-bot && npm install && npx ydeploy deploy --env sandbox');
    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
    expect(pkg.dependencies.ydeploy).toBe(`file:${dirname(dirname(build.bin))}`);
  });

  it('installs, type-checks, and its unit test of the roll handlers passes', async () => {
    // --ignore-scripts: npm would run the linked ydeploy's `prepare`, a rebuild of this checkout's
    // dist/ (build.mjs resolves its folder through the link) under the other tests running from it.
    const install = await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts']);
    expect(install.code, install.output).toBe(0);
    expect(existsSync(join(project, 'node_modules', 'discord.js', 'package.json'))).toBe(true);

    const typecheck = await npm(['run', 'typecheck']);
    expect(typecheck.code, typecheck.output).toBe(0);

    const test = await npm(['test']);
    expect(test.code, test.output).toBe(0);
    expect(test.output).toMatch(/^# pass [1-9]\d*$/m);
    expect(test.output).toMatch(/^# fail 0$/m);
    expect(test.output).toContain('ok 1 - /roll');
    expect(test.output).toContain('ok 2 - !roll');
  });

  it('deploys to the sandbox: the dry-run shows /roll, the deploy serves it, /roll and !roll are answered', async () => {
    const base = await freePort();
    // The sandbox lives in the project's .ydeploy/, as it does for a user; on ports of its own.
    const env = isolatedEnv(join(project, '.ydeploy', 'sandbox'), base - (base % 100) + 40);
    const npx = (args: string[]) => ydeploy(args, env, project, join(project, 'node_modules', '.bin', 'ydeploy'));
    try {
      const dry = await npx(['deploy', '--env', 'sandbox', '--dry-run']);
      const output = `${dry.stdout}${dry.stderr}`;
      expect(dry.code, output).toBe(0);
      expect(dry.stdout).toMatch(/^\s*entry\s+src\/bot\.ts \(dice-bot@0\.1\.0\)$/m);
      expect(dry.stdout).toMatch(/^\s*commands\s+\/roll$/m);
      expect(dry.stderr).toContain('(added roll)');

      // The README's promise: `npx ydeploy deploy --env sandbox`, then the bot answers.
      const deploy = await npx(['deploy', '--env', 'sandbox', '--json']);
      expect(deploy.code, `${deploy.stderr}\n${deploy.stdout}`).toBe(0);
      const newId = resultOf(deploy.stdout).state.newId as string;
      const roll = await npx(['sandbox', 'discord', 'roll', '--json']);
      expect(roll.code, roll.stderr).toBe(0);
      expect(JSON.stringify(resultOf(roll.stdout))).toContain(newId);
      const prefix = await npx(['sandbox', 'discord', '!roll 20', '--json']);
      expect(prefix.code, prefix.stderr).toBe(0);
      expect(JSON.stringify(resultOf(prefix.stdout))).toContain(newId);
    } finally {
      const down = await npx(['sandbox', 'down', '--purge']);
      expect(down.code, down.stderr).toBe(0);
    }
  });
});
