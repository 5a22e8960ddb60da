// `ydeploy completion bash|zsh|fish`: a shell completion script on stdout, written from the
// program's own commands and options (so it lists exactly what this ydeploy accepts).
import { defineCommand } from '../command.js';
import type { Shell } from '../completion/shell.js';

const SHELLS: Shell[] = ['bash', 'zsh', 'fish'];

export default defineCommand({
  name: 'completion',
  description: 'print a shell completion script (bash, zsh or fish)',
  examples: [
    'ydeploy completion bash > ~/.local/share/bash-completion/completions/ydeploy',
    'mkdir -p ~/.zfunc && ydeploy completion zsh > ~/.zfunc/_ydeploy   # then in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)',
    'ydeploy completion fish > ~/.config/fish/completions/ydeploy.fish',
    'source <(ydeploy completion bash)   # this shell only; add the line to ~/.bashrc to keep it',
  ],
  options: (cmd) =>
    cmd
      .addArgument(cmd.createArgument('[shell]', 'bash, zsh or fish').choices(SHELLS))
      // What the scripts run to complete --env: the environment names, one a line.
      .addOption(cmd.createOption('--environments', 'list the environment names').hideHelp()),
  async run(input) {
    const { reporter } = input;
    if (input.options.environments) {
      const { listEnvironments } = await import('../completion/environments.js');
      reporter.data((await listEnvironments(input)).join('\n'));
      return 0;
    }
    const shell = input.args[0] as Shell | undefined;
    if (!shell) {
      const { UsageError } = await import('../errors.js');
      throw new UsageError('completion needs a shell', 'name one of bash, zsh or fish', {
        fix: 'ydeploy completion bash (or zsh, fish)',
      });
    }
    const [{ buildProgram }, { completionScript }, { VERSION }] = await Promise.all([
      // The program `ydeploy` parses, built afresh: the script lists exactly its commands.
      import('../main.js'),
      import('../completion/script.js'),
      import('../version.js'),
    ]);
    const program = buildProgram(async () => {});
    const script = completionScript(shell, program, VERSION);
    reporter.data(script);
    reporter.result({ ok: true, shell, script });
    return 0;
  },
});
