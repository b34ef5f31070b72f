/**
 * `xacct completion bash|zsh|fish`: a completion script for the shell, written from the command
 * registry (usage.ts): the commands, each command's options (and `sandbox token`'s), the values an
 * option offers (its choices, files for FILE and PATH, directories for DIR), and a command's own
 * argument. Each shell's quoting is done by one function here; the names written bare (commands,
 * options, choices) are checked to be plain words.
 */
import { UsageError } from "./json-input.js";
import { type ArgumentSpec, type CommandSpec, COMMANDS, completesTo, helpOf, type OptionSpec, SHELLS } from "./usage.js";

type Shell = (typeof SHELLS)[number];

/** A command, option or choice written bare into a script: letters, digits and dashes only. */
function word(text: string): string {
  if (!/^-{0,2}[A-Za-z0-9][A-Za-z0-9-]*$/.test(text)) throw new Error(`not a plain word for a completion script: ${JSON.stringify(text)}`);
  return text;
}

/** Every command and subcommand (`sandbox token`), with the words that lead to it. */
function commands(): { path: string[]; spec: CommandSpec }[] {
  return [...COMMANDS].flatMap(([name, spec]) => [
    { path: [name], spec },
    ...[...(spec.subcommands ?? [])].map(([sub, subSpec]) => ({ path: [name, sub], spec: subSpec })),
  ]);
}

/** The option's flags, `--long` and `-s`. */
function flagsOf(long: string, option: OptionSpec): string[] {
  return [`--${word(long)}`, ...(option.short ? [`-${word(option.short)}`] : [])];
}

/** What completes a value: its choices, files, directories, or nothing to offer. */
function valueKind(value: { value?: string; name?: string; choices?: readonly string[] }): readonly string[] | "file" | "dir" | undefined {
  return value.choices ?? completesTo(value.value ?? value.name);
}

// ---------------------------------------------------------------- bash

function bash(): string {
  const names = [...COMMANDS.keys(), "help"].map(word).join(" ");
  const cases = commands().map(({ path, spec }) => {
    const pattern = path.length === 1 ? word(path[0] as string) : `${word(path[0] as string)}/${word(path[1] as string)}`;
    const valued = Object.entries(spec.options).filter(([, o]) => o.value !== undefined);
    const byKind = new Map<string, string[]>();
    for (const [long, option] of valued) {
      const kind = valueKind(option);
      const action =
        kind === "file"
          ? "_xacct_files"
          : kind === "dir"
            ? "_xacct_dirs"
            : kind
              ? `COMPREPLY=($(compgen -W '${kind.map(word).join(" ")}' -- "$cur"))`
              : ":";
      byKind.set(action, [...(byKind.get(action) ?? []), ...flagsOf(long, option)]);
    }
    const options = [
      ...Object.entries(spec.options).flatMap(([long, o]) => flagsOf(long, o)),
      "--help",
      "-h",
      ...(spec.afterDashes ? ["--"] : []),
    ].join(" ");
    const argument = spec.arguments?.[0];
    const argumentAction = argument ? bashValue(argument) : "";
    return [
      `    ${pattern})`,
      ...(byKind.size
        ? [`      case $prev in`, ...[...byKind].map(([action, flags]) => `        ${flags.join("|")}) ${action}; return ;;`), `      esac`]
        : []),
      `      options='${options}'`,
      ...(spec.subcommands ? [`      words='${[...spec.subcommands.keys()].map(word).join(" ")}'`] : []),
      ...(argumentAction ? [`      argument=${argumentAction}`] : []),
      `      ;;`,
    ].join("\n");
  });
  return `# xacct completion for bash, written by \`xacct completion bash\`. Load it from ~/.bashrc:
#   eval "$(xacct completion bash)"
# or save it as ~/.local/share/bash-completion/completions/xacct.

_xacct_files() {
  local IFS=$'\\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -f -- "$cur"))
}

_xacct_dirs() {
  local IFS=$'\\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -d -- "$cur"))
}

_xacct_commands() {
  COMPREPLY=($(compgen -W '${names}' -- "$cur"))
}

_xacct_shells() {
  COMPREPLY=($(compgen -W '${SHELLS.map(word).join(" ")}' -- "$cur"))
}

_xacct() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local command= options= words= argument= i
  COMPREPLY=()
  # --option=value: bash splits the = into a word of its own.
  if [[ $cur == = ]]; then
    cur=
  elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
    prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ \${COMP_WORDS[i]} != -* ]]; then
      command=\${COMP_WORDS[i]}
      break
    fi
  done
  if [[ -z $command ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W '--help -h --version -V' -- "$cur"))
    else
      _xacct_commands
    fi
    return
  fi
  # A subcommand: the word right after its command.
  if ((i + 1 < COMP_CWORD)) && [[ $command == sandbox && \${COMP_WORDS[i+1]} == token ]]; then
    command=sandbox/token
  fi
  # After exec's --: the command to run and its own arguments.
  if [[ $command == exec ]]; then
    local j
    for ((j = i + 1; j < COMP_CWORD; j++)); do
      if [[ \${COMP_WORDS[j]} == -- ]]; then
        if declare -F _command_offset >/dev/null; then
          _command_offset $((j + 1))
        elif ((j + 1 == COMP_CWORD)); then
          COMPREPLY=($(compgen -c -- "$cur" | sort -u))
        else
          _xacct_files
        fi
        return
      fi
    done
  fi
  case $command in
${cases.join("\n")}
    help)
      argument=_xacct_commands
      options='--help -h'
      ;;
    *)
      return
      ;;
  esac
  # A word not starting with -: the subcommand right after its command, else the command's argument.
  if [[ $cur != -* ]]; then
    if [[ -n $words ]] && ((COMP_CWORD == i + 1)); then
      COMPREPLY=($(compgen -W "$words" -- "$cur"))
      return
    elif [[ -n $argument ]]; then
      $argument
      return
    fi
  fi
  COMPREPLY=($(compgen -W "$options" -- "$cur"))
}

complete -F _xacct xacct
`;
}

function bashValue(argument: ArgumentSpec): string {
  if (argument.name === "SHELL") return "_xacct_shells";
  if (argument.name === "COMMAND") return "_xacct_commands";
  const kind = valueKind(argument);
  return kind === "dir" ? "_xacct_dirs" : kind === "file" ? "_xacct_files" : "";
}

// ---------------------------------------------------------------- zsh

/** A word in zsh single quotes. */
function zshQuoted(raw: string): string {
  return `'${raw.replace(/'/g, `'\\''`)}'`;
}

/** Text in an `_arguments` spec (a description, a message): its own specials escaped with a backslash. */
function zshSpecText(text: string): string {
  return text.replace(/[\\[\]:]/g, (c) => `\\${c}`);
}

/** The `:MESSAGE:ACTION` of a value in an `_arguments` spec. */
function zshValue(value: { value?: string; name?: string; choices?: readonly string[] }): string {
  const kind = valueKind(value);
  const action = kind === "file" ? "_files" : kind === "dir" ? "_files -/" : kind ? `(${kind.map(word).join(" ")})` : " ";
  return `:${zshSpecText(value.value ?? value.name ?? "")}:${action}`;
}

/** The `_arguments` specs of an option: one per flag, `--long=` and `-s+` taking the value in the same word or the next. */
function zshOptionSpecs(long: string, option: OptionSpec): string[] {
  return flagsOf(long, option).map((flag) => {
    const takes = option.value === undefined ? "" : flag.startsWith("--") ? "=" : "+";
    const value = option.value === undefined ? "" : zshValue(option);
    return zshQuoted(`${option.multiple ? "*" : ""}${flag}${takes}[${zshSpecText(option.description)}]${value}`);
  });
}

function zsh(): string {
  const list = [...COMMANDS].map(([name, spec]) => `    ${zshQuoted(`${word(name)}:${spec.summary}`)}`);
  list.push(`    ${zshQuoted("help:print a command's help")}`);
  const cases = commands().map(({ path, spec }) => {
    const specs = [
      ...Object.entries(spec.options).flatMap(([long, option]) => zshOptionSpecs(long, option)),
      `'(- *)'{-h,--help}'[print the help]'`,
      ...(spec.arguments ?? []).map((a, i) => zshQuoted(`${i + 1}${zshValue(a)}`)),
      ...(spec.subcommands ? [zshQuoted(`1:subcommand:(${[...spec.subcommands.keys()].map(word).join(" ")})`)] : []),
      ...(spec.afterDashes ? [zshQuoted(`*::${zshSpecText(spec.afterDashes.name)}:_normal`)] : []),
    ];
    const pattern = path.map(word).join("/");
    return `    ${pattern})\n      _arguments${spec.afterDashes ? " -S" : ""} \\\n        ${specs.join(" \\\n        ")}\n      ;;`;
  });
  return `#compdef xacct
# xacct completion for zsh, written by \`xacct completion zsh\`. Save it as _xacct in a directory
# of $fpath, e.g. ~/.zsh/completions with fpath=(~/.zsh/completions $fpath) before compinit in
# ~/.zshrc:
#   mkdir -p ~/.zsh/completions && xacct completion zsh > ~/.zsh/completions/_xacct
# or, after compinit in ~/.zshrc: source <(xacct completion zsh)

_xacct_commands() {
  local -a commands
  commands=(
${list.join("\n")}
  )
  _describe -t commands 'xacct command' commands
}

_xacct() {
  local curcontext=$curcontext state line
  typeset -A opt_args
  _arguments -C \\
    '(- *)'{-h,--help}'[print the help]' \\
    '(- *)'{-V,--version}'[print the version]' \\
    '1: :_xacct_commands' \\
    '*:: :->command'
  [[ $state == command ]] || return
  local command=$words[1]
  if [[ $command == sandbox && $words[2] == token ]]; then
    command=sandbox/token
    shift words
    (( CURRENT-- ))
  fi
  curcontext=\${curcontext%:*:*}:xacct-\${command//\\//-}:
  case $command in
${cases.join("\n")}
    help)
      _arguments '1: :_xacct_commands'
      ;;
  esac
}

# Autoloaded from $fpath, this file is _xacct's body: it defines the functions, then completes.
if [[ $funcstack[1] == _xacct ]]; then
  _xacct "$@"
else
  compdef _xacct xacct
fi
`;
}

// ---------------------------------------------------------------- fish

/** A word in fish single quotes: backslashes and quotes escaped, as fish reads them there. */
function fishText(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function fish(): string {
  const lines = [
    "# xacct completion for fish, written by `xacct completion fish`. Save it as",
    "# ~/.config/fish/completions/xacct.fish",
    "",
    "complete -c xacct -f",
    `complete -c xacct -n __fish_use_subcommand -s h -l help -d ${fishText("print the help")}`,
    `complete -c xacct -n __fish_use_subcommand -s V -l version -d ${fishText("print the version")}`,
    ...[...COMMANDS].map(([name, spec]) => `complete -c xacct -n __fish_use_subcommand -a ${word(name)} -d ${fishText(spec.summary)}`),
    `complete -c xacct -n __fish_use_subcommand -a help -d ${fishText("print a command's help")}`,
    `complete -c xacct -n ${fishText("__fish_seen_subcommand_from help")} -a ${fishText([...COMMANDS.keys()].map(word).join(" "))}`,
  ];
  for (const { path, spec } of commands()) {
    const [name, sub] = path as [string, string | undefined];
    const subs = [...(COMMANDS.get(name)?.subcommands?.keys() ?? [])].map(word);
    const when = sub
      ? `__fish_seen_subcommand_from ${word(name)}; and __fish_seen_subcommand_from ${word(sub)}`
      : subs.length
        ? `__fish_seen_subcommand_from ${word(name)}; and not __fish_seen_subcommand_from ${subs.join(" ")}`
        : `__fish_seen_subcommand_from ${word(name)}`;
    const condition = `complete -c xacct -n ${fishText(when)}`;
    if (!sub && subs.length)
      for (const s of subs) lines.push(`${condition} -a ${s} -d ${fishText(COMMANDS.get(name)?.subcommands?.get(s)?.summary ?? "")}`);
    for (const [long, option] of Object.entries(spec.options)) {
      const kind = valueKind(option);
      const value =
        option.value === undefined
          ? ""
          : kind === "file"
            ? " -r -F"
            : kind === "dir"
              ? ` -x -a ${fishText("(__fish_complete_directories)")}`
              : kind
                ? ` -x -a ${fishText(kind.map(word).join(" "))}`
                : " -x";
      lines.push(
        `${condition}${option.short ? ` -s ${word(option.short)}` : ""} -l ${word(long)}${value} -d ${fishText(option.description)}`,
      );
    }
    lines.push(`${condition} -s h -l help -d ${fishText("print the help")}`);
    for (const argument of spec.arguments ?? []) {
      const kind = valueKind(argument);
      if (kind === "file") lines.push(`${condition} -F`);
      else if (kind === "dir") lines.push(`${condition} -a ${fishText("(__fish_complete_directories)")}`);
      else if (kind) lines.push(`${condition} -a ${fishText(kind.map(word).join(" "))}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

const SCRIPTS: Record<Shell, () => string> = { bash, zsh, fish };

/** The completion script for `shell`. */
export function completionScript(shell: Shell): string {
  return SCRIPTS[shell]();
}

export async function run(_values: unknown, [shell]: readonly string[]): Promise<number> {
  if (!(SHELLS as readonly string[]).includes(shell as string))
    throw new UsageError(`completion takes bash, zsh or fish, got ${JSON.stringify(shell)}; ${helpOf("completion")}`);
  process.stdout.write(completionScript(shell as Shell));
  return 0;
}
