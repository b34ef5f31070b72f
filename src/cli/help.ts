/**
 * The help texts, laid out from the registry (usage.ts) as command-line tools commonly lay them
 * out: a usage line, the description, then lists of terms (`-o, --out <DIR>`) with their
 * descriptions aligned in one column and wrapped to the terminal's width (80 columns when
 * the output is not a terminal), then each command's examples, exit statuses and environment.
 */
import { EXEC_STATUSES, EXIT_CODES, exitCodesOf } from "./exit-codes.js";
import { type CommandSpec, COMMANDS, DEBUG_VARIABLE, ENVIRONMENT, type OptionSpec } from "./usage.js";

const DESCRIPTION = "xacct — cross-account AWS access, declared, generated, proven and used";
/** Below this many columns for a description, wrapping would make it harder to read, not easier. */
const MIN_WRAP_WIDTH = 40;

type Row = readonly [term: string, description: string];

/** What a help text is written to: its width is the terminal's, or 80 columns. */
export interface HelpOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

function widthOf(out: HelpOutput): number {
  return out.isTTY && out.columns ? out.columns : 80;
}

/** `text` wrapped at spaces into lines of at most `width` characters (a longer word stays whole); its own line breaks are kept. */
export function wrap(text: string, width: number): string {
  if (width < MIN_WRAP_WIDTH) return text;
  return text
    .split("\n")
    .map((line) => {
      const lines: string[] = [];
      let current = "";
      for (const word of line.match(/\s*\S+/g) ?? []) {
        if (current !== "" && current.length + word.length > width) {
          lines.push(current);
          current = word.trimStart();
        } else current += word;
      }
      lines.push(current);
      return lines.join("\n");
    })
    .join("\n");
}

/** Terms and their descriptions: the descriptions in one column after the longest term, wrapped within `width`. */
function items(rows: readonly Row[], width: number, termWidth = Math.max(...rows.map(([term]) => term.length))): string {
  const indent = " ".repeat(termWidth + 4);
  return rows
    .map(([term, description]) =>
      description
        ? `  ${term.padEnd(termWidth)}  ${wrap(description, width - termWidth - 4).replaceAll("\n", `\n${indent}`)}`
        : `  ${term}`,
    )
    .join("\n");
}

/** Titled lists of terms, all aligned in one column; an empty list is left out. */
function lists(sections: readonly (readonly [title: string, rows: readonly Row[]])[], width: number): string {
  const present = sections.filter(([, rows]) => rows.length > 0);
  const termWidth = Math.max(...present.flatMap(([, rows]) => rows.map(([term]) => term.length)));
  return present.map(([title, rows]) => `${title}\n${items(rows, width, termWidth)}\n`).join("\n");
}

/** An option as its help and its errors name it: `-o, --out <DIR>`, `--edges <all|assume>`, `--json`. */
export function optionTerm(long: string, spec: OptionSpec): string {
  const value = spec.choices ? spec.choices.join("|") : spec.value;
  return `${spec.short ? `-${spec.short}, ` : ""}--${long}${value ? ` <${value}>` : ""}`;
}

const HELP_ROW: Row = ["-h, --help", "print the help"];

/** A command as a list of commands names it: `build [options] <MODEL>`. */
function commandTerm(name: string, spec: CommandSpec): string {
  const words = [name];
  if (Object.keys(spec.options).length > 0) words.push("[options]");
  for (const argument of spec.arguments ?? []) words.push(argument.required ? `<${argument.name}>` : `[${argument.name}]`);
  return words.join(" ");
}

/** A command's help: usage, description, arguments, options, subcommands, examples, exit statuses, environment. */
export function commandHelp(path: readonly string[], spec: CommandSpec, out: HelpOutput): string {
  const width = widthOf(out);
  const body = lists(
    [
      ["Arguments:", (spec.arguments ?? []).map((a) => [a.name, a.description] as const)],
      ["Options:", [...Object.entries(spec.options).map(([long, o]) => [optionTerm(long, o), o.description] as const), HELP_ROW]],
      ["Commands:", [...(spec.subcommands ?? [])].map(([name, sub]) => [commandTerm(name, sub), sub.summary] as const)],
    ],
    width,
  );
  const sections: string[] = [];
  if (spec.examples?.length)
    sections.push(["Examples:", ...spec.examples.map((e) => `  $ ${e.command}${e.what ? `\n      ${e.what}` : ""}`)].join("\n"));
  sections.push(
    `Exit status:\n${items(
      exitCodesOf(path.join(" ")).map((e) => [String(e.code), e.text]),
      width,
    )}`,
  );
  // XACCT_DEBUG applies to every command (the trace of an error).
  const environment = new Set([...(spec.environment ?? []), DEBUG_VARIABLE]);
  sections.push(
    `Environment:\n${items(
      [...environment].map((v) => [v, ENVIRONMENT.get(v) ?? ""]),
      width,
    )}`,
  );
  return `Usage: ${["xacct", ...path, spec.synopsis].filter(Boolean).join(" ")}\n\n${wrap(spec.description, width)}\n\n${body}\n${sections.join("\n\n")}\n\n`;
}

/** `xacct --help`: the commands, then the exit statuses and every environment variable. */
export function programHelp(out: HelpOutput): string {
  const width = widthOf(out);
  const body = lists(
    [
      ["Options:", [["-V, --version", "print xacct's version"], HELP_ROW]],
      [
        "Commands:",
        [
          ...[...COMMANDS].map(([name, spec]) => [commandTerm(name, spec), spec.summary] as const),
          ["help [COMMAND]", "print a command's help (xacct help sandbox token: a subcommand's)"],
        ],
      ],
    ],
    width,
  );
  return [
    `Usage: xacct [options] [command]\n\n${wrap(DESCRIPTION, width)}\n\n${body}`,
    "Exit status (each command's help says what they mean for it):",
    items([...EXIT_CODES.map((e) => [String(e.code), e.meaning] as const), ["", EXEC_STATUSES]], width),
    "",
    "Environment:",
    items([...ENVIRONMENT], width),
    "",
    "xacct help COMMAND (or xacct COMMAND --help) says more of each; xacct completion SHELL prints shell completion.",
    "",
    "",
  ].join("\n");
}
