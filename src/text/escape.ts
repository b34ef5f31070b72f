/**
 * How text from the model is written into each generated format: one helper per format, used
 * wherever that format is written, so that a name that passed validation still cannot break out of
 * its place (a value becoming a section, a comment becoming a command, a string ending early).
 * Where a format has no escape for a character (INI, env files), the helper refuses the value.
 * JSON goes through JSON.stringify, Terraform's templates through terraform.ts's `literal`.
 */
import { Document } from "yaml";

/** Control characters (C0, DEL, C1: every line break but two) and the Unicode line and paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;
const HAS_CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** A UTF-16 code unit as its `\uXXXX` escape (as JSON, JavaScript and YAML's double quotes read it). */
export function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** Text on one line: every control character and line break shown as its `\uXXXX` escape. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, unicodeEscape);
}

// ---------------------------------------------------------------------------------------------
// INI: the AWS config and credentials files (botocore's configparser, the SDKs' own parsers)

/**
 * A section header, `[NAME]`. The file has no escape: a name holding a bracket, a line break,
 * whitespace at either end, or a comment character is refused.
 */
export function iniSection(name: string): string {
  if (name === "" || /[[\]#;]/.test(name) || /^\s|\s$/.test(name) || HAS_CONTROL.test(name)) {
    throw new Error(`cannot write the section name ${JSON.stringify(name)} into an AWS config file`);
  }
  return `[${name}]`;
}

/**
 * A `key = value` line. Refused: an empty value (the SDK for JavaScript drops the setting), line
 * breaks and control characters, whitespace at either end (trimmed by every reader), and `#` or
 * `;` at the start or after whitespace (the SDKs read those as the start of a comment).
 */
export function iniSetting(key: string, value: string | number): string {
  const text = String(value);
  for (const part of [key, text]) {
    if (part === "" || HAS_CONTROL.test(part) || /^\s|\s$/.test(part) || /(^|\s)[#;]/.test(part)) {
      throw new Error(`cannot write ${JSON.stringify(part)} into an AWS config file setting`);
    }
  }
  if (!/^[a-z0-9_]+$/.test(key)) throw new Error(`not an AWS config key: ${JSON.stringify(key)}`);
  return `${key} = ${text}`;
}

// ---------------------------------------------------------------------------------------------
// POSIX shell (sh, bash): words, comments, here-documents

/** A value as one shell word: as it is when it needs no quoting, else single-quoted. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A `# ` comment line (shell, env files, Python and YAML comments read the same way). */
export function commentLine(text: string): string {
  return `# ${oneLine(text)}`.trimEnd();
}

/** A quoted here-document (`<<'DELIMITER'`: no expansion) holding `body`, which must end with a newline. */
export function shellHeredoc(body: string, delimiter: string): string {
  if (!body.endsWith("\n") || body.split("\n").includes(delimiter))
    throw new Error(`cannot write this text as a here-document ending at ${delimiter}`);
  return `<<'${delimiter}'\n${body}${delimiter}`;
}

// ---------------------------------------------------------------------------------------------
// Env files, read both by `set -a; . FILE` and by `docker --env-file` (which takes values as written)

/**
 * `NAME=VALUE` that both readers take the same: no quoting (docker would keep the quotes), so a
 * value must need none in sh either — refused otherwise.
 */
export function envAssignment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not an environment variable name: ${JSON.stringify(name)}`);
  if (!/^[\w@%+=:,./?*-]*$/.test(value)) throw new Error(`cannot write the value of ${name} unquoted into an env file`);
  return `${name}=${value}`;
}

// ---------------------------------------------------------------------------------------------
// Python

/** A Python literal for a JSON-like value (a JSON string is a valid Python string literal). */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`)
      .join(", ")}}`;
  throw new Error(`no Python literal for ${typeof value}`);
}

/** Text inside a `"""…"""` docstring: backslashes and quotes escaped, each line on its own. */
export function pythonDocstring(text: string): string {
  return text
    .split("\n")
    .map((line) => oneLine(line).replace(/[\\"]/g, "\\$&"))
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// YAML

/**
 * YAML documents, each started by `---` (as yamllint's default document-start rule wants) and
 * followed by its comment; values are written by the yaml library.
 */
export function yamlDocuments(docs: readonly { value: unknown; comment?: string }[]): string {
  return docs
    .map(({ value, comment }) => {
      const doc = new Document(value, { aliasDuplicateObjects: false });
      if (comment)
        doc.commentBefore = comment
          .split("\n")
          .map((line) => ` ${oneLine(line)}`)
          .join("\n");
      return `---\n${doc.toString({ lineWidth: 0 })}`;
    })
    .join("");
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** Text from the model shown as written: Markdown's active characters escaped, on one line. */
export function mdText(text: string): string {
  return oneLine(text).replace(/[\\`*<>[\]]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\$&");
}

/** An inline code span holding `text` as it is, fenced by more backticks than it holds in a row. */
export function mdCode(text: string): string {
  const line = oneLine(text);
  const fence = "`".repeat(longestRun(line, "`") + 1);
  const pad = line.startsWith("`") || line.endsWith("`") ? " " : "";
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** A fenced code block of `lang` holding `body`, its fence longer than any backtick run in it. */
export function mdFence(lang: string, body: string): string {
  const fence = "`".repeat(Math.max(3, longestRun(body, "`") + 1));
  return `${fence}${lang}\n${body.replace(/[\r\u0085\u2028\u2029]/g, unicodeEscape)}\n${fence}`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

// ---------------------------------------------------------------------------------------------
// SARIF message strings (SARIF 2.1.0 §3.11: placeholders and embedded links)

/**
 * A plain-text SARIF message holding `text` as written: `{` and `}` doubled (a single one opens a
 * placeholder), and `[`, `]` and the backslash escaped with a backslash (a bracket pair opens an
 * embedded link).
 */
export function sarifText(text: string): string {
  return text.replace(/[{}]/g, "$&$&").replace(/[\\[\]]/g, "\\$&");
}
