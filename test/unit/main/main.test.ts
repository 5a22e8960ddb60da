// The command frame in-process: main(argv, io) with fake streams; it never exits the process.
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { VERSION } from '../../../cli/version.js';
import { ANSI, capture, ndjson } from '../output/streams.js';

async function run(argv: string[], options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}) {
  const stdout = capture();
  const stderr = capture({ tty: options.tty });
  const code = await main(argv, { stdout, stderr, env: options.env ?? {}, cwd: process.cwd() });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const COMMANDS = [
  'init',
  'preflight',
  'deploy',
  'migrate',
  'rollback',
  'status',
  'health',
  'logs',
  'monitor',
  'history',
  'cost',
  'doctor',
  'lock',
  'sandbox',
  'completion',
];

describe('help and version', () => {
  it('--help lists every command, the global options and the exit codes on stdout', async () => {
    const out = await run(['--help']);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^Usage: ydeploy \[options\] \[command\]/);
    for (const command of COMMANDS) expect(out.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    for (const option of [
      '-e, --env <name>',
      '-c, --config <file>',
      '--region <region>',
      '--profile <name>',
      '--json',
      '-y, --yes',
      '--no-color',
      '-v, --verbose',
      '-V, --version',
    ]) {
      expect(out.stdout).toContain(option);
    }
    expect(out.stdout).toContain(
      'Exit codes: 0 done, 1 failed, 2 bad usage or configuration, 3 a preflight check failed',
    );
    expect(out.stdout).toContain('npx ydeploy migrate --env sandbox');
  });

  it('--version prints the package version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('status --help shows its real options and examples', async () => {
    const out = await run(['status', '--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Usage: ydeploy status \[options\]/);
    expect(out.stdout).toContain('--watch');
    expect(out.stdout).toMatch(/--interval <duration>\s+refresh interval with --watch \(default: "5s"\)/);
    expect(out.stdout).toContain('Examples:\n  $ ydeploy status --env production');
  });

  it('every command has its own help with examples', async () => {
    for (const command of COMMANDS) {
      const out = await run([command, '--help']);
      expect(out.code, command).toBe(0);
      expect(out.stdout, command).toContain(`Usage: ydeploy ${command}`);
      expect(out.stdout, command).toContain('Examples:');
    }
  });

  it('a command group without its subcommand shows its help and exits 2', async () => {
    const out = await run(['lock']);
    expect(out.code).toBe(2);
    expect(out.stdout + out.stderr).toContain('release');
  });
});

describe('bad usage', () => {
  it('an unknown command: a suggestion, exit 2, nothing on stdout', async () => {
    expect(await run(['deplyo'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "✖ unknown command 'deplyo': Did you mean deploy?\n  → ydeploy --help\n",
    });
  });

  it("an unknown option: a suggestion and the command's help, exit 2", async () => {
    expect(await run(['status', '--watc'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "✖ unknown option '--watc': Did you mean --watch?\n  → ydeploy status --help\n",
    });
  });

  it('an unknown option with nothing close to it still says what to run', async () => {
    const out = await run(['logs', '--zzzzzz']);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      "✖ unknown option '--zzzzzz': not a command or option ydeploy knows\n  → ydeploy logs --help\n",
    );
  });

  it('a bad choice names the allowed ones', async () => {
    const out = await run(['migrate', '--step', '4']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/option '--step <n>' argument '4' is invalid\. Allowed choices are 1, 2, 3/);
  });

  it('--json: the error is one result object on stdout', async () => {
    const out = await run(['deplyo', '--json']);
    expect(out.code).toBe(2);
    expect(ndjson(out.stdout)).toEqual([
      {
        type: 'result',
        ok: false,
        exitCode: 2,
        error: { kind: 'user', what: "unknown command 'deplyo'", why: 'Did you mean deploy?', fix: 'ydeploy --help' },
      },
    ]);
  });

  it('colour on a terminal, none with NO_COLOR or --no-color', async () => {
    expect((await run(['deplyo'], { tty: true })).stderr).toMatch(ANSI);
    expect((await run(['deplyo'], { tty: true, env: { NO_COLOR: '1' } })).stderr).not.toMatch(ANSI);
    expect((await run(['deplyo', '--no-color'], { tty: true })).stderr).not.toMatch(ANSI);
  });
});
