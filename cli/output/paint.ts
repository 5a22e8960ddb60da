// Colour only when asked for: chalk with its level pinned, so NO_COLOR / --no-color / pipes are plain.
import { Chalk } from 'chalk';

export interface Paint {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

export function paint(enabled: boolean): Paint {
  const chalk = new Chalk({ level: enabled ? 1 : 0 });
  return {
    green: (t) => chalk.green(t),
    red: (t) => chalk.red(t),
    yellow: (t) => chalk.yellow(t),
    cyan: (t) => chalk.cyan(t),
    magenta: (t) => chalk.magenta(t),
    bold: (t) => chalk.bold(t),
    dim: (t) => chalk.dim(t),
  };
}
