// The fish completion script: one `complete` line per subcommand, option and value list, each
// conditioned on the command path typed so far (read by a small function that skips options and
// their values), so `lock status` and `sandbox status` keep their own options.
import { flagsOf, type CompletionCommand, type CompletionOption } from './tree.js';
import { pathNodes } from './shell.js';

export function fishScript(root: CompletionCommand, header: string[]): string {
  const program = root.name;
  const nodes = pathNodes(root);
  const at = (path: string[]) => `-n ${fishQuote(`__${program}_at ${fishQuote(path.join(' '))}`)}`;
  const subcommandCases = nodes
    .filter((n) => n.command.subcommands.length)
    .map(
      (n) =>
        `        case ${fishQuote(n.path.join(' '))}\n            printf '%s\\n' ${n.command.subcommands.map((c) => fishQuote(c.name)).join(' ')}`,
    );
  const valueCases = nodes.flatMap((n) =>
    n.options
      .filter((o) => o.values.kind !== 'none')
      .flatMap(flagsOf)
      .map((flag) => fishQuote(`${n.path.join(' ')} ${flag}`)),
  );
  const lines: string[] = [];
  for (const node of nodes) {
    for (const sub of node.command.subcommands)
      lines.push(`complete -c ${program} ${at(node.path)} -a ${fishQuote(sub.name)} -d ${fishQuote(sub.description)}`);
    for (const option of node.options) lines.push(optionLine(program, at(node.path), option));
    for (const argument of node.command.arguments)
      if (argument.values.kind === 'choices')
        lines.push(`complete -c ${program} ${at(node.path)} -a ${fishQuote(argument.values.choices.join(' '))}`);
  }
  return `${header.map((line) => `# ${line}`.trimEnd()).join('\n')}

function __${program}_subcommands
    switch "$argv[1]"
${subcommandCases.join('\n')}
    end
end

# Whether option $argv[2] of command path $argv[1] takes a value (the next word).
function __${program}_takes_value
    switch "$argv[1] $argv[2]"
        case ${valueCases.join(' ')}
            return 0
    end
    return 1
end

# The command path typed so far ("lock release"), options and their values skipped.
function __${program}_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ''
    set -l skip 0
    for token in $tokens
        if test $skip = 1
            set skip 0
        else if string match -q -- '-*' $token
            if not string match -q -- '*=*' $token; and __${program}_takes_value "$path" $token
                set skip 1
            end
        else if contains -- $token (__${program}_subcommands "$path")
            set path (string trim -- "$path $token")
        end
    end
    echo $path
end

function __${program}_at
    test (__${program}_path) = "$argv[1]"
end

complete -c ${program} -f
${lines.join('\n')}
`;
}

function optionLine(program: string, condition: string, option: CompletionOption): string {
  const flags = [
    option.short ? `-s ${option.short.slice(1)}` : '',
    option.long ? `-l ${fishQuote(option.long.slice(2))}` : '',
  ].filter(Boolean);
  const values = option.values;
  const value =
    values.kind === 'choices'
      ? `-x -a ${fishQuote(values.choices.join(' '))}`
      : values.kind === 'environments'
        ? `-x -a ${fishQuote(`(command ${program} completion --environments 2>/dev/null)`)}`
        : values.kind === 'files'
          ? '-r -F'
          : values.kind === 'text'
            ? '-x'
            : '';
  return ['complete -c', program, condition, ...flags, value, `-d ${fishQuote(option.description)}`]
    .filter(Boolean)
    .join(' ');
}

/** 'text' for fish: single quotes, a quote or backslash inside escaped with a backslash. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&')}'`;
}
