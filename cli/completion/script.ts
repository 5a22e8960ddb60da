// `ydeploy completion <shell>`: the script for one shell, written from the program's own commands.
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import type { Shell } from './shell.js';
import { completionTree } from './tree.js';
import { zshScript } from './zsh.js';

export function completionScript(shell: Shell, program: CommandUnknownOpts, version: string): string {
  const header = [
    `${program.name()} completion for ${shell}, written by \`${program.name()} completion ${shell}\` (ydeploy ${version}).`,
    `Where to put it so that ${shell} loads it: ${program.name()} completion --help`,
    'Environment names are read from ydeploy.config.json (or YDEPLOY_CONFIG) when completed.',
  ];
  const tree = completionTree(program);
  if (shell === 'bash') return bashScript(tree, header);
  if (shell === 'zsh') return zshScript(tree, header);
  return fishScript(tree, header);
}
