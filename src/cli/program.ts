/**
 * The command line, parsed from the registry (usage.ts): each command's options and arguments,
 * `-h`/`--help` on every command and `xacct help COMMAND`, `xacct --version` from package.json.
 * A command's module is imported only when it runs. A mistake (an unknown option, a missing value,
 * a missing or extra argument) is one UsageError naming the option and the command's help.
 *
 * Node's own `util.parseArgs` reads the options; the dispatch and the help (help.ts) come from the
 * registry. No CLI framework: the lightest start of a command is issue 16's target (2x bare node,
 * whose start is 30–45 ms here), and loading commander alone took 20 ms of it (measured: citty
 * 10 ms, cac 4 ms, clipanion 32 ms, parseArgs 2 ms).
 */
import { readFileSync } from "../fs/node-fs.js";
import { closest } from "../text/suggest.js";
import { EXIT } from "./exit-codes.js";
import { commandHelp, optionTerm, programHelp } from "./help.js";
import { UsageError } from "./json-input.js";
import { type AnyValues, type CommandSpec, commandNames, COMMANDS, helpOf, type OptionSpec } from "./usage.js";

// Not `import … from "node:util"`: that module's ES module facade reads every export, which loads
// code no command needs (about 4 ms of a process start).
const { parseArgs } = process.getBuiltinModule("node:util");

/** xacct's version, from the package.json beside dist/ (so it is the installed package's own). */
export function version(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

function unknownCommand(name: string): UsageError {
  return new UsageError(
    `unknown command ${JSON.stringify(name)}: the commands are ${commandNames().join(", ")} (xacct --help says what each does)`,
  );
}

/** A mistake on the command line of `path`, ending with where its help is. */
function usageError(path: readonly string[], text: string): UsageError {
  return new UsageError(`${text}; ${helpOf(path.join(" "))}`);
}

/** A value that starts with `-` and is no option: `-` (standard input) and negative numbers. */
const isValue = (arg: string): boolean => arg === "-" || /^-\d/.test(arg);

/** What a command line says: whether it asks for help, the options' values by long name, and the operands. */
interface Parsed {
  readonly help: boolean;
  readonly values: AnyValues;
  readonly operands: readonly string[];
}

/**
 * Reads `args` against a command's options, with Node's own parser (`util.parseArgs`, its tokens):
 * options anywhere among the operands, `--name=value`, `-o value`, `-ovalue`, flags together
 * (`-hV`), `--` ends the options; the last value of an option given twice wins, a repeatable
 * option keeps every value. Throws a UsageError for a mistake.
 */
function parse(path: readonly string[], spec: CommandSpec, args: readonly string[]): Parsed {
  const options = new Map<string, OptionSpec>(Object.entries(spec.options));
  const config: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [long, option] of options)
    config[long] = { type: takesValue(option) ? "string" : "boolean", ...(option.short && { short: option.short }) };
  // Not strict: xacct's own errors, which name the command's help and the option probably meant.
  const { tokens } = parseArgs({ args: [...args], options: config, strict: false, allowPositionals: true, tokens: true });
  // Help asked for is help, whatever else the line holds.
  if (tokens.some((token) => token.kind === "option" && token.name === "help")) return { help: true, values: {}, operands: [] };
  const values = new Map<string, string | string[] | true>();
  const operands: string[] = [];
  let lastIndex = -1;
  for (const token of tokens) {
    if (token.kind === "positional") operands.push(token.value);
    if (token.kind !== "option") continue;
    const { name, rawName, value, inlineValue } = token;
    const option = options.get(name);
    if (!option) {
      const arg = args[token.index] as string;
      // A negative number is an operand (parseArgs reads `-12` as the flags -1 and -2: one operand).
      if (isValue(arg)) {
        if (token.index !== lastIndex) operands.push(arg);
        lastIndex = token.index;
        continue;
      }
      if (!rawName.startsWith("--")) throw usageError(path, `unknown option ${arg}`);
      const near = closest(name, options.keys());
      throw usageError(path, `unknown option ${rawName}${near ? ` (did you mean --${near}?)` : ""}`);
    }
    if (!takesValue(option)) {
      if (value !== undefined) throw usageError(path, `--${name} takes no value, got ${JSON.stringify(value)}`);
      values.set(name, true);
      continue;
    }
    if (value === undefined) throw usageError(path, `${optionTerm(name, option)} needs a value`);
    // A value forgotten before another option is not taken to be that option.
    if (!inlineValue && value.startsWith("-") && !isValue(value))
      throw usageError(
        path,
        `${optionTerm(name, option)} needs a value (it is followed by ${value}; give a value starting with - as --${name}=VALUE)`,
      );
    const previous = values.get(name);
    values.set(name, option.multiple ? [...(Array.isArray(previous) ? previous : []), value] : value);
  }
  return { help: false, values: Object.fromEntries(values) as AnyValues, operands };
}

const takesValue = (option: OptionSpec): boolean => option.value !== undefined || option.choices !== undefined;

/** The operands a command takes: each required one given, none beyond its arguments. */
function checkOperands(path: readonly string[], spec: CommandSpec, operands: readonly string[]): void {
  const taken = spec.arguments ?? [];
  const missing = taken.slice(operands.length).find((a) => a.required);
  if (missing) throw usageError(path, `give ${missing.name}, ${missing.description}`);
  const extra = operands.slice(taken.length);
  const sub = extra.find((operand) => spec.subcommands?.has(operand));
  if (sub !== undefined)
    throw usageError(
      [...path, sub],
      `${sub} comes right after xacct ${path.join(" ")}, before the options (xacct ${path.join(" ")} ${sub} [options])`,
    );
  if (extra.length > 0)
    throw usageError(path, `unexpected argument${extra.length === 1 ? "" : "s"} ${extra.map((a) => JSON.stringify(a)).join(" ")}`);
}

/** The command whose help `xacct help WORDS` asks for (`can`, `sandbox token`). */
function helpTarget(words: readonly string[]): { path: string[]; spec: CommandSpec } {
  const [name, ...rest] = words;
  const top = name === undefined ? undefined : COMMANDS.get(name);
  if (!top) throw unknownCommand(name ?? "");
  let spec = top;
  const path = [name as string];
  for (const word of rest) {
    const sub = spec.subcommands?.get(word);
    if (!sub)
      throw usageError(
        ["help"],
        spec.subcommands
          ? `xacct ${path.join(" ")} has no command ${JSON.stringify(word)}: its commands are ${[...spec.subcommands.keys()].join(", ")}`
          : `unexpected argument ${JSON.stringify(word)}: xacct ${path.join(" ")} has no commands of its own`,
      );
    spec = sub;
    path.push(word);
  }
  return { path, spec };
}

/** Runs a command: its help if asked for, else its module on the parsed options and operands. */
async function runCommand(path: string[], spec: CommandSpec, argv: readonly string[]): Promise<number> {
  // The words of a subcommand come first (`sandbox token …`).
  const sub = argv[0] === undefined ? undefined : spec.subcommands?.get(argv[0]);
  if (sub) return runCommand([...path, argv[0] as string], sub, argv.slice(1));
  // A command that runs a command line of its own takes everything after the first `--` as it is.
  const split = spec.afterDashes ? argv.indexOf("--") : -1;
  const own = split < 0 ? argv : argv.slice(0, split);
  const { help, values, operands } = parse(path, spec, own);
  if (help) {
    process.stdout.write(commandHelp(path, spec, process.stdout));
    return EXIT.ok;
  }
  checkOperands(path, spec, operands);
  const module = await spec.load();
  return module.run(values, spec.afterDashes ? (split < 0 ? [] : argv.slice(split + 1)) : operands);
}

/**
 * Runs the command line `argv` (without node and the script); resolves with the exit status, or
 * rejects with the error that ended the command (a UsageError for the user's mistakes).
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    // Help that was not asked for: on stderr, and a usage error's status.
    process.stderr.write(programHelp(process.stderr));
    return EXIT.usage;
  }
  if (name === "help") {
    const words = args.filter((word) => word !== "-h" && word !== "--help");
    const command = words.length > 0 ? helpTarget(words) : undefined;
    process.stdout.write(command ? commandHelp(command.path, command.spec, process.stdout) : programHelp(process.stdout));
    return EXIT.ok;
  }
  // `xacct -- COMMAND …`: the command line after --, as getopt reads it.
  if (name === "--") return runCli(args);
  if (name.startsWith("-") && name !== "-") {
    if (name === "-h" || name === "--help") process.stdout.write(programHelp(process.stdout));
    else if (name === "-V" || name === "--version") process.stdout.write(`${version()}\n`);
    else {
      const near = closest(name.replace(/^-+/, ""), ["help", "version"]);
      throw usageError([], `unknown option ${name}${near ? ` (did you mean --${near}?)` : ""}`);
    }
    return EXIT.ok;
  }
  const spec = COMMANDS.get(name);
  if (!spec) throw unknownCommand(name);
  return runCommand([name], spec, args);
}
