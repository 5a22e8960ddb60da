// `ydeploy init` as a user runs it: on a real pseudo-terminal (util-linux `script`), answering
// the prompts and typing the token at a prompt that does not echo it; and in CI with flags and
// the token on stdin. The token lands in moto's SSM as a SecureString.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../../_helpers/moto.js';
import { privateBuild } from '../../_helpers/sandbox.js';

let moto: Moto;
let build: Awaited<ReturnType<typeof privateBuild>>;
let dir: string;
const TOKEN = 'MTE0.typed-at-a-hidden.prompt-never-echoed';

function env(): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, ...moto.env, NO_COLOR: '1', TERM: 'dumb' };
  delete base.AWS_PROFILE;
  delete base.YDEPLOY_ENV;
  return base;
}

async function parameter(name: string, region: string) {
  const ssm = new SSMClient({
    region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  return (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!;
}

/** Runs ydeploy on a pseudo-terminal; `answer` is called with the transcript so far. */
function onTerminal(
  args: string[],
  cwd: string,
  script: [RegExp, string][],
): Promise<{ code: number; transcript: string }> {
  const command = [process.execPath, build.bin, ...args].map((a) => `'${a}'`).join(' ');
  // An operator at a terminal, even when the suite itself runs in CI (where prompts are refused).
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd,
    env: { ...env(), CI: 'false' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let transcript = '';
  let next = 0;
  let seen = 0;
  const onData = (chunk: Buffer) => {
    transcript += chunk.toString('utf8');
    // Answer each prompt once, in order, as soon as it shows.
    while (next < script.length) {
      const [prompt, answer] = script[next]!;
      const match = prompt.exec(transcript.slice(seen));
      if (!match) break;
      seen += match.index + match[0].length;
      next++;
      child.stdin.write(`${answer}\r`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`init on a terminal did not finish; transcript:\n${transcript}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      child.stdin.end();
      resolve({ code: code ?? 1, transcript });
    });
  });
}

function withStdin(
  args: string[],
  cwd: string,
  input: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [build.bin, ...args], { cwd, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr })));
}

beforeAll(async () => {
  [moto, build] = await Promise.all([startMoto(), privateBuild()]);
  dir = await mkdtemp(join(tmpdir(), 'ydeploy-init-e2e-'));
});

afterAll(async () => {
  await moto?.stop();
  await build?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ydeploy init', () => {
  it('asks on a terminal, re-asks a bad answer, and stores the token without echoing it', async () => {
    const cwd = await mkdtemp(join(dir, 'tty-'));
    const { code, transcript } = await onTerminal(['init', '--store-token'], cwd, [
      [/Project name \([^)]*\): /, 'acme'],
      [/Environment \(production\): /, ''],
      [/AWS region \(us-east-1\): /, 'moon'],
      [/AWS region \(us-east-1\): /, 'eu-west-1'],
      [/S3 bucket for state, lock and journal \(acme-production-ydeploy\): /, 'acme-state'],
      [/S3 bucket for releases \(acme-state\): /, ''],
      [/SSM parameter holding the Discord token \(\/acme\/production\/discord-token\): /, ''],
      [/Discord bot token \(not shown\): /, TOKEN],
    ]);
    expect(code, transcript).toBe(0);
    expect(transcript).toContain('AWS region: must be an AWS region such as us-east-1');
    expect(transcript).not.toContain(TOKEN);
    expect(transcript).toContain('Wrote ydeploy.config.json');
    expect(JSON.parse(await readFile(join(cwd, 'ydeploy.config.json'), 'utf8'))).toEqual({
      project: 'acme',
      defaultEnvironment: 'production',
      environments: {
        production: {
          region: 'eu-west-1',
          stateBucket: 'acme-state',
          tokenParameter: '/acme/production/discord-token',
        },
      },
    });
    expect(await parameter('/acme/production/discord-token', 'eu-west-1')).toMatchObject({
      Type: 'SecureString',
      Value: TOKEN,
    });

    const again = await onTerminal(['init'], cwd, []);
    expect(again.code).toBe(2);
    expect(again.transcript).toContain('already exists: init does not overwrite a config');
  });

  it('takes flags in CI and the token from stdin', async () => {
    const cwd = await mkdtemp(join(dir, 'ci-'));
    const args = [
      'init',
      '--env',
      'staging',
      '--region',
      'us-east-1',
      '--project',
      'acme',
      '--state-bucket',
      'acme-staging',
      '--store-token',
      '--json',
    ];
    const { code, stdout, stderr } = await withStdin(args, cwd, `${TOKEN}\n`);
    expect(code, stderr).toBe(0);
    expect(stdout + stderr).not.toContain(TOKEN);
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({
      type: 'result',
      ok: true,
      environment: 'staging',
      written: true,
      tokenStored: true,
    });
    expect(await parameter('/acme/staging/discord-token', 'us-east-1')).toMatchObject({
      Type: 'SecureString',
      Value: TOKEN,
    });

    // A config already there: --store-token alone rotates the token, leaving the file as it is.
    const before = await readFile(join(cwd, 'ydeploy.config.json'), 'utf8');
    const rotated = await withStdin(['init', '--env', 'staging', '--store-token'], cwd, 'MTE0.the-rotated.token');
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(await readFile(join(cwd, 'ydeploy.config.json'), 'utf8')).toBe(before);
    expect((await parameter('/acme/staging/discord-token', 'us-east-1')).Value).toBe('MTE0.the-rotated.token');
  });
});
