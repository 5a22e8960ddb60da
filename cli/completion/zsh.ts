// The zsh completion script: a function per command path, each an _arguments spec of its options
// (descriptions shown), its arguments, and its subcommands through _describe.
import type { CompletionCommand, CompletionOption, Values } from './tree.js';
import { functionName, pathNodes, quote, type PathNode } from './shell.js';

export function zshScript(root: CompletionCommand, header: string[]): string {
  const program = root.name;
  const functions = pathNodes(root).map((node) => pathFunction(program, node));
  return `#compdef ${program}
${header.map((line) => `# ${line}`.trimEnd()).join('\n')}

_${program}_environments() {
  local -a environments
  environments=(\${(f)"$(command ${program} completion --environments 2>/dev/null)"})
  _describe -t environments 'environment' environments
}

${functions.join('\n\n')}

# Loaded from $fpath (#compdef) it runs as the completion function; sourced, it registers itself.
if [[ "\${funcstack[1]}" == "_${program}" ]]; then
  _${program} "$@"
else
  compdef _${program} ${program}
fi
`;
}

function pathFunction(program: string, node: PathNode): string {
  const name = functionName(program, node.path);
  const specs = [
    ...node.options.map((o) => optionSpec(program, o)),
    ...node.command.arguments.map((a, i) => quote(`${i + 1}:${escape(a.name)}:${action(program, a.values)}`)),
  ];
  const subs = node.command.subcommands;
  if (!subs.length) return `${name}() {\n  _arguments -s \\\n    ${specs.join(' \\\n    ')}\n}`;
  const described = subs.map((c) => quote(`${c.name.replace(/:/g, '\\:')}:${c.description}`));
  const dispatch = subs.map((c) => `        ${quote(c.name)}) ${functionName(program, [...node.path, c.name])} ;;`);
  return `${name}() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  _arguments -C -s \\
    ${[...specs, quote('1: :->command'), quote('*:: :->argument')].join(' \\\n    ')} && return
  case $state in
    command)
      local -a commands
      commands=(
        ${described.join('\n        ')}
      )
      _describe -t commands ${quote(`${[program, ...node.path].join(' ')} command`)} commands
      ;;
    argument)
      case $line[1] in
${dispatch.join('\n')}
      esac
      ;;
  esac
}`;
}

/** '(-e --env)'{-e,--env}'[description]:env:action' — both spellings exclude each other. */
function optionSpec(program: string, option: CompletionOption): string {
  const flags = [option.short, option.long].filter((f): f is string => Boolean(f));
  const value = option.values.kind === 'none' ? '' : `:${valueName(option.values)}:${action(program, option.values)}`;
  const rest = quote(`[${escape(option.description)}]${value}`);
  if (flags.length === 1) return `${quote(flags[0])}${rest}`;
  return `${quote(`(${flags.join(' ')})`)}{${flags.join(',')}}${rest}`;
}

function valueName(values: Values): string {
  return values.kind === 'environments' ? 'environment' : values.kind === 'files' ? 'file' : 'value';
}

function action(program: string, values: Values): string {
  switch (values.kind) {
    case 'choices':
      return `(${values.choices.join(' ')})`;
    case 'files':
      return '_files';
    case 'environments':
      return `_${program}_environments`;
    default:
      return ' ';
  }
}

/** Brackets and colons end a description or a message in an _arguments spec. */
function escape(text: string): string {
  return text.replace(/([[\]:\\])/g, '\\$1');
}
