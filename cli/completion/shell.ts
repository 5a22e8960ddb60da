// What the three completion scripts share: the words of each command path, quoted for a shell.
import type { CompletionCommand, CompletionOption, Values } from './tree.js';

/** The shells `ydeploy completion` writes for (its argument's choices). */
export type Shell = 'bash' | 'zsh' | 'fish';

/** A command path's node with the options it accepts: its own, then the program's (global) ones. */
export interface PathNode {
  path: string[];
  command: CompletionCommand;
  options: CompletionOption[];
}

/** Every command path, the program's root ([]) first; version is an option of the root alone. */
export function pathNodes(root: CompletionCommand): PathNode[] {
  const globals = root.options.filter((o) => o.long !== '--version' && o.long !== '--help');
  const nodes: PathNode[] = [{ path: [], command: root, options: root.options }];
  const walk = (command: CompletionCommand, path: string[]) => {
    for (const sub of command.subcommands) {
      const subPath = [...path, sub.name];
      nodes.push({ path: subPath, command: sub, options: [...sub.options, ...globals] });
      walk(sub, subPath);
    }
  };
  walk(root, []);
  return nodes;
}

/** 'text' for POSIX shells (bash, zsh): single quotes, a quote inside as '\''. */
export function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** How a script says what an option's value is: "none", "text", "files", "environments", "choices a b". */
export function valueWord(values: Values): string {
  return values.kind === 'choices' ? `choices ${values.choices.join(' ')}` : values.kind;
}

/** A shell function name for a command path: _ydeploy_lock_release. */
export function functionName(program: string, path: string[]): string {
  return ['', program, ...path].join('_').replace(/[^A-Za-z0-9_]/g, '_');
}
