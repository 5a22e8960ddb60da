// `ydeploy completion bash|zsh|fish`: scripts that parse in their shell and offer every command,
// subcommand and option of the program. Where a shell is installed the script is also run in it
// (bash: the completion function with COMP_WORDS; fish: `complete -C`); where it is not, its
// structure is checked instead.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, main } from '../../../cli/main.js';
import { completionTree } from '../../../cli/completion/tree.js';
import { functionName, pathNodes } from '../../../cli/completion/shell.js';
import { capture } from '../output/streams.js';

async function run(argv: string[], cwd = process.cwd()) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, { stdout, stderr, env: {}, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
const tree = completionTree(buildProgram(async () => {}));
const commands = tree.subcommands.map((c) => c.name);
const groups = tree.subcommands.filter((c) => c.subcommands.length);

function scriptFile(shell: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ydeploy-completion-')), `ydeploy.${shell}`);
  writeFileSync(file, text);
  return file;
}

/** A `ydeploy` on PATH that answers `completion --environments` as the real one would for a config. */
function fakeYdeploy(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ydeploy-bin-'));
  const bin = join(dir, 'ydeploy');
  writeFileSync(bin, `#!/bin/sh\n[ "$1 $2" = "completion --environments" ] && printf '%s\\n' ${names.join(' ')}\n`);
  chmodSync(bin, 0o755);
  return dir;
}

describe('the program tree', () => {
  it('has every command and subcommand, with what each option takes', () => {
    expect(commands).toEqual(expect.arrayContaining(['init', 'deploy', 'migrate', 'lock', 'sandbox', 'completion']));
    const logs = tree.subcommands.find((c) => c.name === 'logs')!;
    expect(logs.options.find((o) => o.long === '--stream')?.values).toEqual({
      kind: 'choices',
      choices: ['bot', 'health'],
    });
    expect(logs.options.find((o) => o.long === '--follow')).toMatchObject({ short: '-f', values: { kind: 'none' } });
    expect(tree.options.find((o) => o.long === '--env')?.values).toEqual({ kind: 'environments' });
    expect(tree.options.find((o) => o.long === '--config')?.values).toEqual({ kind: 'files' });
    // The hidden option the scripts call is not offered.
    const completion = tree.subcommands.find((c) => c.name === 'completion')!;
    expect(completion.options.map((o) => o.long)).toEqual(['--help']);
    expect(completion.arguments[0].values).toEqual({ kind: 'choices', choices: ['bash', 'zsh', 'fish'] });
  });
});

describe('bash', () => {
  it('prints a script that bash parses', async () => {
    const out = await run(['completion', 'bash']);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^# ydeploy completion for bash/);
    expect(out.stdout).toContain('complete -F _ydeploy ydeploy');
    if (has('bash')) expect(spawnSync('bash', ['-n', scriptFile('bash', out.stdout)]).status).toBe(0);
  });

  it.runIf(has('bash'))('completes every command, every subcommand, options and their values', async () => {
    const file = scriptFile('bash', (await run(['completion', 'bash'])).stdout);
    const complete = (...words: string[]) => {
      const script = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _ydeploy; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const result = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
        encoding: 'utf8',
        env: { PATH: `${fakeYdeploy(['production', 'staging', 'sandbox'])}:${process.env.PATH}` },
      });
      expect(result.stderr).toBe('');
      return result.stdout.split('\n').filter(Boolean);
    };
    expect(complete('ydeploy', '')).toEqual(commands);
    for (const group of groups)
      expect(complete('ydeploy', '--env', 'prod', group.name, '')).toEqual(group.subcommands.map((c) => c.name));
    expect(complete('ydeploy', 'lock', 're')).toEqual(['release']);
    expect(complete('ydeploy', 'lock', 'release', '--f')).toEqual(['--force']);
    expect(complete('ydeploy', 'logs', '--stream', '')).toEqual(['bot', 'health']);
    expect(complete('ydeploy', 'deploy', '-e', '')).toEqual(['production', 'staging', 'sandbox']);
    expect(complete('ydeploy', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(complete('ydeploy', 'deploy', '--')).toEqual(expect.arrayContaining(['--dry-run', '--env', '--json']));
  });
});

describe('zsh', () => {
  it('prints a function per command path that zsh parses, and registers itself', async () => {
    const out = await run(['completion', 'zsh']);
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toBe('#compdef ydeploy');
    for (const node of pathNodes(tree)) expect(out.stdout).toContain(`\n${functionName('ydeploy', node.path)}() {`);
    for (const command of commands) expect(out.stdout).toMatch(new RegExp(`\\n\\s+'${command}:`));
    expect(out.stdout).toContain('compdef _ydeploy ydeploy');
    if (has('zsh')) {
      const file = scriptFile('zsh', out.stdout);
      expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
      // Sourced (not loaded from $fpath), the script registers its function with compdef.
      const loaded = spawnSync('zsh', ['-fc', `compdef() { print -r -- "$@" }; source ${file}`], { encoding: 'utf8' });
      expect(loaded.stdout.trim()).toBe('_ydeploy ydeploy');
    }
  });
});

describe('fish', () => {
  it('prints complete lines for every command that fish parses', async () => {
    const out = await run(['completion', 'fish']);
    expect(out.code).toBe(0);
    for (const command of commands) expect(out.stdout).toContain(`-n '__ydeploy_at \\'\\'' -a '${command}'`);
    for (const group of groups)
      for (const sub of group.subcommands)
        expect(out.stdout).toContain(`-n '__ydeploy_at \\'${group.name}\\'' -a '${sub.name}'`);
    if (has('fish')) expect(spawnSync('fish', ['-n', scriptFile('fish', out.stdout)]).status).toBe(0);
  });

  it.runIf(has('fish'))('completes by the command path typed so far', async () => {
    const file = scriptFile('fish', (await run(['completion', 'fish'])).stdout);
    const complete = (line: string) =>
      spawnSync('fish', ['-c', `source ${file}; complete -C '${line}'`], {
        encoding: 'utf8',
        env: { PATH: `${fakeYdeploy(['production', 'sandbox'])}:${process.env.PATH}` },
      })
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    expect(complete('ydeploy ').sort()).toEqual([...commands].sort());
    expect(complete('ydeploy -e prod sandbox ').sort()).toEqual(['discord', 'down', 'status', 'up']);
    expect(complete('ydeploy sandbox down --p')).toEqual(['--profile', '--purge']);
    expect(complete('ydeploy lock status --f')).toEqual([]);
    expect(complete('ydeploy deploy --env ')).toEqual(['production', 'sandbox']);
  });
});

describe('usage', () => {
  it('lists the environments of the config and the sandbox for --env', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydeploy-envs-'));
    const env = { stateBucket: 'acme-state', tokenParameter: '/acme/discord-token' };
    writeFileSync(
      join(dir, 'ydeploy.config.json'),
      JSON.stringify({ environments: { production: env, staging: env } }),
    );
    expect(await run(['completion', '--environments'], dir)).toEqual({
      code: 0,
      stdout: 'production\nstaging\nsandbox\n',
      stderr: '',
    });
    writeFileSync(join(dir, 'ydeploy.config.json'), '{ not json');
    expect((await run(['completion', '--environments'], dir)).stdout).toBe('sandbox\n');
  });

  it('needs a shell it knows (exit 2)', async () => {
    const none = await run(['completion']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('completion needs a shell: name one of bash, zsh or fish');
    expect(none.stderr).toContain('ydeploy completion bash (or zsh, fish)');
    const unknown = await run(['completion', 'tcsh']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('bash, zsh, fish');
  });

  it('says in its help where each shell loads the script from', async () => {
    const help = await run(['completion', '--help']);
    expect(help.stdout).toContain('~/.local/share/bash-completion/completions/ydeploy');
    expect(help.stdout).toContain('~/.zfunc/_ydeploy');
    expect(help.stdout).toContain('~/.config/fish/completions/ydeploy.fish');
    expect(help.stdout).not.toContain('--environments');
  });
});
