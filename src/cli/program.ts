/**
 * The command line, parsed by commander from the registry (usage.ts): each command's options and
 * arguments, its help (with examples, exit statuses and environment), `xacct --version` from
 * package.json, and `xacct help COMMAND`. A command's module is imported only when it runs.
 * Commander's own errors (an unknown option, a missing value) become one line naming the option
 * and the command's help, exit status 2.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Help, Option } from "commander";
import { EXEC_STATUSES, EXIT, EXIT_CODES, exitCodesOf } from "./exit-codes.js";
import { UsageError } from "./json-input.js";
import { type AnyValues, type CommandSpec, commandNames, COMMANDS, DEBUG_VARIABLE, ENVIRONMENT, helpOf, type OptionSpec } from "./usage.js";

const DESCRIPTION = "xacct — cross-account AWS access, declared, generated, proven and used";

/** xacct's version, from the package.json beside dist/ (so it is the installed package's own). */
export function version(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

/** A command of xacct: commander's errors as usage errors, and no option's value taken from the next option. */
class XacctCommand extends Command {
  override createCommand(name?: string): XacctCommand {
    return new XacctCommand(name);
  }

  /** Commander's errors (an unknown option, a missing value, an extra argument) in one line that names the command's help. */
  override error(message: string, options?: { code?: string }): never {
    throw new UsageError(`${errorText(this, message, options?.code)}; ${helpOf(commandPath(this))}`);
  }

  /**
   * An option that takes a value, followed by another option (`--principal --json`), is refused
   * rather than given the next option as its value: the value was forgotten.
   */
  override parseOptions(args: string[]): { operands: string[]; unknown: string[] } {
    for (let i = 0; i < args.length - 1; i++) {
      const arg = args[i] as string;
      if (arg === "--") break;
      const option = this.options.find((o) => o.required && (o.long === arg || o.short === arg));
      if (!option) continue;
      const next = args[i + 1] as string;
      if (next.length > 1 && next.startsWith("-") && !/^-\d/.test(next))
        this.error(
          `error: option '${option.long} <${valueName(option)}>' argument missing (it is followed by ${next}; give a value starting with - as ${option.long}=VALUE)`,
          {
            code: "commander.optionMissingArgument",
          },
        );
      i++;
    }
    return super.parseOptions(args);
  }
}

/** `can`, or `sandbox token`: the words after `xacct`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

function valueName(option: Option): string {
  return /<([^>]+)>/.exec(option.flags)?.[1] ?? "VALUE";
}

/** Commander's message about `command`, without its `error: ` and quotes, on one line. */
function errorText(command: Command, message: string, code: string | undefined): string {
  const text = message.replace(/^error: /, "");
  const quoted = /'([^']*)'/.exec(text)?.[1] ?? "";
  switch (code) {
    case "commander.unknownOption": {
      const suggestion = /\(Did you mean ([^?]+)\?\)/.exec(text)?.[1];
      return `unknown option ${quoted}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`;
    }
    case "commander.optionMissingArgument":
      return `${quoted} needs a value${/argument missing(.*)$/.exec(text)?.[1] ?? ""}`;
    case "commander.missingArgument": {
      const argument = command.registeredArguments.find((a) => a.name() === quoted);
      return `give ${quoted}${argument?.description ? `, ${argument.description}` : ""}`;
    }
    case "commander.excessArguments": {
      // "… Expected N arguments but got M: A, B." — the ones after the first N are too many.
      const got = /got \d+: (.*)\.$/.exec(text)?.[1]?.split(", ") ?? [];
      const extra = got.slice(command.registeredArguments.length);
      return `unexpected argument${extra.length === 1 ? "" : "s"} ${extra.map((a) => JSON.stringify(a)).join(" ")}`;
    }
    default:
      return text.replace(/\s*\n\s*/g, " ");
  }
}

/** The commander Option of a registry entry. */
function optionOf(long: string, spec: OptionSpec): Option {
  const value = spec.choices ? spec.choices.join("|") : spec.value;
  const flags = `${spec.short ? `-${spec.short}, ` : ""}--${long}${value ? ` <${value}>` : ""}`;
  const option = new Option(flags, spec.description);
  if (spec.multiple) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  return option;
}

/** The parsed options by their long names, as the command module reads them. */
function valuesOf(command: Command, spec: CommandSpec): AnyValues {
  const parsed = command.opts<Record<string, string | string[] | boolean | undefined>>();
  const values: Record<string, string | string[] | true | undefined> = {};
  for (const long of Object.keys(spec.options)) {
    const option = command.options.find((o) => o.long === `--${long}`) as Option;
    const value = parsed[option.attributeName()];
    // A lone --no-X is commander's negation of X (true unless given): given is what the command asks.
    if (option.negate) values[long] = value === false ? true : undefined;
    else if (value !== undefined && value !== false) values[long] = value === true ? true : value;
  }
  return values;
}

/** Term and description lines as commander lays out options: the descriptions aligned and wrapped. */
function items(rows: readonly (readonly [string, string])[]): string {
  const help = new Help();
  help.helpWidth = process.stdout.isTTY ? process.stdout.columns : 80;
  const width = Math.max(...rows.map(([term]) => term.length));
  return rows.map(([term, description]) => help.formatItem(term, width, description, help)).join("\n");
}

/** A command's help after its options: examples, exit statuses, environment. */
function helpFooter(name: string, spec: CommandSpec): string {
  const sections: string[] = [];
  if (spec.examples?.length)
    sections.push(["Examples:", ...spec.examples.map((e) => `  $ ${e.command}${e.what ? `\n      ${e.what}` : ""}`)].join("\n"));
  sections.push(`Exit status:\n${items(exitCodesOf(name).map((e) => [String(e.code), e.text]))}`);
  // XACCT_DEBUG applies to every command (the trace of an error).
  const environment = new Set([...(spec.environment ?? []), DEBUG_VARIABLE]);
  sections.push(`Environment:\n${items([...environment].map((v) => [v, ENVIRONMENT.get(v) ?? ""]))}`);
  return `\n${sections.join("\n\n")}\n`;
}

/** `xacct --help` after the commands: the exit statuses and every environment variable. */
function programFooter(): string {
  return [
    "",
    "Exit status (each command's help says what they mean for it):",
    items([...EXIT_CODES.map((e) => [String(e.code), e.meaning] as const), ["", EXEC_STATUSES]]),
    "",
    "Environment:",
    items([...ENVIRONMENT]),
    "",
    "xacct help COMMAND (or xacct COMMAND --help) says more of each; xacct completion SHELL prints shell completion.",
    "",
  ].join("\n");
}

/** Adds a command and its subcommands; running it sets `status`. */
function addCommand(parent: Command, name: string, spec: CommandSpec, rest: readonly string[], status: { value: number }): void {
  const command = parent.command(name).summary(spec.summary).description(spec.description).usage(spec.synopsis);
  for (const argument of spec.arguments ?? [])
    command.argument(argument.required ? `<${argument.name}>` : `[${argument.name}]`, argument.description);
  for (const [long, option] of Object.entries(spec.options)) command.addOption(optionOf(long, option));
  // Laid out only when the help is printed (commander calls it then), not for every command run.
  command.addHelpText("after", () => helpFooter(name, spec));
  command.action(async () => {
    const module = await spec.load();
    status.value = await module.run(valuesOf(command, spec), spec.afterDashes ? rest : command.args);
  });
  if (spec.subcommands) {
    command.enablePositionalOptions().helpCommand(false);
    for (const [sub, subSpec] of spec.subcommands) addCommand(command, sub, subSpec, rest, status);
  }
}

/** The whole command line; `rest` is what follows `--` for a command that takes a command line of its own. */
function program(rest: readonly string[], status: { value: number }): Command {
  const program = new XacctCommand("xacct")
    .description(DESCRIPTION)
    .version(version(), "-V, --version", "print xacct's version")
    .helpOption("-h, --help", "print the help")
    .helpCommand("help [COMMAND]", "print a command's help")
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .enablePositionalOptions()
    .addHelpText("after", programFooter);
  for (const [name, spec] of COMMANDS) addCommand(program, name, spec, rest, status);
  return program;
}

function unknownCommand(name: string): UsageError {
  return new UsageError(
    `unknown command ${JSON.stringify(name)}: the commands are ${commandNames().join(", ")} (xacct --help says what each does)`,
  );
}

/**
 * Runs the command line `argv` (without node and the script); resolves with the exit status, or
 * rejects with the error that ended the command (a UsageError for the user's mistakes).
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  const status = { value: EXIT.ok };
  if (name === undefined) {
    program([], status).outputHelp({ error: true });
    return EXIT.usage;
  }
  if (!name.startsWith("-") && name !== "help" && !COMMANDS.has(name)) throw unknownCommand(name);
  if (name === "help" && args[0] !== undefined && !COMMANDS.has(args[0])) throw unknownCommand(args[0]);
  // A command that runs a command line of its own takes everything after the first `--` as it is.
  const split = COMMANDS.get(name)?.afterDashes ? argv.indexOf("--") : -1;
  const rest = split < 0 ? [] : argv.slice(split + 1);
  try {
    await program(rest, status).parseAsync(split < 0 ? argv : argv.slice(0, split), { from: "user" });
  } catch (error) {
    // --help and --version end the parse with status 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw error;
  }
  return status.value;
}
