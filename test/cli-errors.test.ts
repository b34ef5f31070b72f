/**
 * Errors that are not errors: a user's mistake, or what the machine refuses, is one line on
 * stderr, located (FILE:LINE:COLUMN) where it is about the model, with exit status 2 and no stack
 * trace; an internal error says it is one and names XACCT_DEBUG, which prints the trace, with exit
 * status 70 (EX_SOFTWARE), apart from every status a command answers with. Run
 * through the built CLI, except the internal error, which input cannot cause on purpose.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorReport } from "../src/cli/errors.js";
import { UsageError } from "../src/cli/json-input.js";
import { userAndRoleModel } from "./support/models.js";
import { oneLine, xacct } from "./support/xacct-cli.js";

const dir = mkdtempSync(join(tmpdir(), "xacct-errors-"));

function modelFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Line and column (1-based) of the first `needle` in `text`. */
function position(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle)).split("\n");
  return `${before.length}:${(before[before.length - 1] as string).length + 1}`;
}

describe("the command name", () => {
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])("%s is an unknown command, not Object.prototype's", (name) => {
    // GIVEN a command name that is a property of every JavaScript object
    // WHEN it is run
    const line = oneLine(xacct([name]));
    // THEN it is unknown, and the user is told the commands
    expect(line).toBe(
      `xacct: unknown command "${name}": the commands are init, build, simulate, can, who-can, reach, findings, verify, sandbox, serve-credentials, schema, credential-process, exec, env, report, graph, collect, import, completion (xacct --help says what each does)`,
    );
  });
});

describe("models the YAML reader refuses", () => {
  it("an alias bomb (aliases that expand exponentially) is located at its first alias", () => {
    // GIVEN nine levels of ten aliases each: 10^9 nodes once expanded, the "billion laughs"
    const levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 9; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    const text = `${levels.join("\n")}\n`;
    const file = modelFile("bomb.yaml", text);
    // WHEN it is built
    const line = oneLine(xacct(["build", file, "--out", join(dir, "bomb-out")]));
    // THEN one located line says what is wrong and what to do
    expect(line).toBe(
      `xacct: ${file}:${position(text, "*a0")}: YAML: its aliases expand beyond the limit the YAML reader sets against resource exhaustion: write the repeated parts out, or use fewer aliases`,
    );
  });

  it("3,000 levels of nesting are located and said plainly", () => {
    // GIVEN a model whose accounts value is nested 3,000 lists deep
    const text = `version: 1\nname: deep\naccounts: ${"[".repeat(3000)}${"]".repeat(3000)}\n`;
    const file = modelFile("deep.yaml", text);
    // WHEN it is built
    const line = oneLine(xacct(["build", file, "--out", join(dir, "deep-out")]));
    // THEN one located line in the model's third line, in words the user can act on
    expect(line).toMatch(
      new RegExp(`^xacct: ${file}:3:\\d+: YAML: nested too deeply to read \\(a model needs a few levels\\): flatten it$`),
    );
  });
});

describe("a wrong type is not a missing field", () => {
  it("accounts: 5 says a mapping is expected and a number was found, at the value", () => {
    // GIVEN a model whose accounts is a number
    const text = userAndRoleModel({ name: "typed", role: "reader" }).replace(/accounts:\n(?: {2}.*\n)+/, "accounts: 5\n");
    const file = modelFile("five.yaml", text);
    // WHEN it is built
    const r = xacct(["build", file, "--out", join(dir, "five-out")]);
    // THEN the problem is at the 5, and it is its type
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:${position(text, "5\n")}: accounts: must be a mapping (key: value lines), got number 5\n`);
    expect(r.stderr).not.toContain("accounts: is required");
  });
});

describe("problems the compiler finds are located in the model", () => {
  // GIVEN a grant's resource template using {stage} in a grant that is not expanded per stage
  const text = userAndRoleModel({ name: "templated", role: "reader" }).replace(
    "resources: { job: etl }",
    'resources: { job: "etl-{stage}" }',
  );
  const file = modelFile("template.yaml", text);
  const expected = `xacct: ${file}:${position(text, '"etl-{stage}"')}: grants[0].resources.job: the template "etl-{stage}" uses {stage}, which has no value here (is the grant expanded per stage?)`;

  it("in can", () => {
    // WHEN can is asked about it
    const line = oneLine(
      xacct([
        "can",
        "--model",
        file,
        "--principal",
        "arn:aws:iam::111111111111:user/app",
        "--action",
        "glue:StartJobRun",
        "--resource",
        "arn:aws:glue:eu-west-1:222222222222:job/etl",
      ]),
    );
    // THEN one located line
    expect(line).toBe(expected);
  });

  it("in sandbox --model", () => {
    // WHEN the sandbox is started on it
    const line = oneLine(xacct(["sandbox", "--model", file, "--port", "0"]));
    // THEN one located line, and no sandbox
    expect(line).toBe(expected);
  });

  it("in build", () => {
    // WHEN it is built
    const line = oneLine(xacct(["build", file, "--out", join(dir, "template-out")]));
    // THEN the same located line
    expect(line).toBe(expected);
  });
});

describe("internal errors", () => {
  it("say they are internal and name XACCT_DEBUG, which prints the trace", () => {
    // GIVEN an error no input should cause (a bug)
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    // WHEN it ends a command, without and with XACCT_DEBUG=1
    const plain = errorReport(bug, {});
    const debug = errorReport(bug, { XACCT_DEBUG: "1" });
    // THEN one line saying it is internal and how to get the trace, status 70; the trace only when asked
    expect(plain.status).toBe(70);
    expect(debug.status).toBe(70);
    expect(plain.text).toBe(
      "xacct: internal error (a bug in xacct, not in your input): TypeError: Cannot read properties of undefined (reading 'id'); run again with XACCT_DEBUG=1 to print its trace, and report it\n",
    );
    expect(debug.text.startsWith(plain.text)).toBe(true);
    expect(debug.text).toContain(bug.stack as string);
  });

  it("a user's mistake is never called internal, and XACCT_DEBUG adds its trace for whoever debugs", () => {
    // GIVEN a usage error
    const mistake = new UsageError("give --principal, --action and --resource");
    // WHEN reported without and with XACCT_DEBUG
    // THEN its message alone, then with the trace
    expect(errorReport(mistake, {}).text).toBe("xacct: give --principal, --action and --resource\n");
    expect(errorReport(mistake, {}).status).toBe(2);
    expect(errorReport(mistake, { XACCT_DEBUG: "1" }).text).toContain(mistake.stack as string);
  });

  it("XACCT_DEBUG=1 prints the trace through the real CLI", () => {
    // GIVEN a command name that is unknown
    // WHEN run with XACCT_DEBUG=1
    const r = xacct(["constructor"], { env: { XACCT_DEBUG: "1" } });
    // THEN the line, then the trace
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^xacct: unknown command "constructor"[^\n]*\nUsageError: [^\n]*\n\s+at /);
  });
});
