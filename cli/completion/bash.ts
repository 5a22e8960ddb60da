// The bash completion script: the command path is read from the words before the cursor
// (options and their values skipped), then its subcommands, options or an option's values are
// offered. Environment names come from `ydeploy completion --environments` when asked for.
import { flagsOf, type CompletionCommand } from './tree.js';
import { pathNodes, quote, valueWord } from './shell.js';

export function bashScript(root: CompletionCommand, header: string[]): string {
  const program = root.name;
  const nodes = pathNodes(root);
  const fn = `_${program}`;
  const cases = (lines: (node: (typeof nodes)[number]) => string | undefined) =>
    nodes
      .map((node) => {
        const body = lines(node);
        return body === undefined ? undefined : `    ${quote(node.path.join(' '))}) ${body} ;;`;
      })
      .filter(Boolean)
      .join('\n');
  const valueCases = nodes
    .flatMap((node) =>
      node.options
        .filter((o) => o.values.kind !== 'none')
        .flatMap((o) =>
          flagsOf(o).map(
            (flag) => `    ${quote(`${node.path.join(' ')} ${flag}`)}) echo ${quote(valueWord(o.values))} ;;`,
          ),
        ),
    )
    .join('\n');
  const words = (list: string[]) => `echo ${quote(list.join(' '))}`;
  return `${header.map((line) => `# ${line}`.trimEnd()).join('\n')}

${fn}_subcommands() {
  case "$1" in
${cases((n) => (n.command.subcommands.length ? words(n.command.subcommands.map((c) => c.name)) : undefined))}
  esac
}

${fn}_options() {
  case "$1" in
${cases((n) => words(n.options.flatMap(flagsOf)))}
  esac
}

${fn}_arguments() {
  case "$1" in
${cases((n) => {
  const choices = n.command.arguments.flatMap((a) => (a.values.kind === 'choices' ? a.values.choices : []));
  return choices.length ? words(choices) : undefined;
})}
  esac
}

# What the value of option $2 of command path $1 is: none, text, files, environments, choices ...
${fn}_value() {
  case "$1 $2" in
${valueCases}
    *) echo none ;;
  esac
}

${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" word kind i
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [[ $word == -* ]]; then
      [[ $word == *=* ]] && continue
      kind="$(${fn}_value "$path" "$word")"
      [[ $kind != none ]] && ((i++))
    elif [[ " $(${fn}_subcommands "$path") " == *" $word "* ]]; then
      path="\${path:+$path }$word"
    fi
  done
  ((COMP_CWORD > 1)) && prev="\${COMP_WORDS[COMP_CWORD - 1]}"
  if [[ $prev == -* && $prev != *=* ]]; then
    kind="$(${fn}_value "$path" "$prev")"
    case "$kind" in
      environments)
        mapfile -t COMPREPLY < <(compgen -W "$(command ${program} completion --environments 2>/dev/null)" -- "$cur")
        return ;;
      files)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return ;;
      choices\\ *)
        mapfile -t COMPREPLY < <(compgen -W "\${kind#choices }" -- "$cur")
        return ;;
      text) return ;;
    esac
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(${fn}_options "$path")" -- "$cur")
  elif [[ -n "$(${fn}_subcommands "$path")" ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(${fn}_subcommands "$path")" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "$(${fn}_arguments "$path")" -- "$cur")
  fi
}

complete -F ${fn} ${program}
`;
}
