/**
 * Loading xacct.yaml: every problem at once, each located by file, line and column, with the
 * JSON path and what to do; the published JSON Schema; `xacct init`; and `xacct build` writing
 * nothing when anything is wrong.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadModel } from "../src/model/load.js";
import { modelJsonSchema } from "../src/model/schema.js";
import { STARTER_MODEL } from "../src/model/starter.js";
import { EXAMPLES, examplesDir } from "./support/state.js";
import { problems } from "./support/model-problems.js";
import { CLI as cli } from "./support/xacct-cli.js";

const root = join(import.meta.dirname, "..");
const examples = EXAMPLES;

/** Line and column (1-based) of the n-th occurrence of `needle` in `text`. */
function position(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < occurrence; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`no ${needle} in the text`);
  const before = text.slice(0, at).split("\n");
  return { line: before.length, column: (before[before.length - 1] as string).length + 1 };
}

const valid = `version: 1
name: demo
accounts:
  platform: { id: "111111111111", region: us-east-1 }
  data: { id: "222222222222", region: us-east-1 }
workloads:
  sparkflows:
    account: platform
    identity: { type: ecs-task }
grants:
  - workload: sparkflows
    account: data
    service: glue
    access: [run]
    resources: { job: etl }
`;

describe("loading a model", () => {
  it("accepts a valid model", () => {
    expect(loadModel(valid).grants).toHaveLength(1);
  });

  it("names an unknown workload where it is used, with the closest known name", () => {
    const text = valid.replace("  - workload: sparkflows", "  - workload: sparkflow");
    const [p] = problems(text);
    expect(p).toMatchObject({ file: "xacct.yaml", ...position(text, "sparkflow\n"), path: "grants[0].workload" });
    expect(p?.message).toBe('unknown workload "sparkflow" (did you mean "sparkflows"?)');
  });

  it("reports every problem at once, in file order, each located", () => {
    const text = valid
      .replace('data: { id: "222222222222"', 'data: { id: "22222222222"')
      .replace("    identity: { type: ecs-task }", "    identity: { type: ecs-task }\n    colour: blue")
      .replace("access: [run]", "access: [run, wach]");
    const found = problems(text);
    expect(found.map((p) => p.path)).toEqual(["accounts.data.id", "workloads.sparkflows.colour", "grants[0].access[1]"]);
    expect(found[0]).toMatchObject(position(text, '"22222222222"'));
    expect(found[1]).toMatchObject({ ...position(text, "colour"), message: 'unknown field "colour"' });
    expect(found[2]?.message).toContain('AWS Glue has no access "wach" (did you mean "watch"?)');
  });

  it("locates YAML syntax errors", () => {
    const text = valid.replace("access: [run]", "access: [run");
    const [p] = problems(text);
    expect(p?.message).toMatch(/^YAML: /);
    expect(p?.line).toBeGreaterThanOrEqual(position(text, "access: [run").line);
  });

  it("says what is missing", () => {
    const text = valid.replace("    service: glue\n", "");
    // A grant without a service only attaches managed policies: its access then has no service to be in.
    expect(problems(text).map((p) => `${p.path}: ${p.message}`)).toContain(
      "grants[0].access: access needs the service it is in: add service: …, or remove access",
    );
  });

  it("refuses a chained hop asked to last more than an hour, and says why", () => {
    const text = valid.replace("    resources: { job: etl }", "    resources: { job: etl }\n    role: { sessionDuration: 7200 }");
    const [p] = problems(text);
    expect(p).toMatchObject({ path: "grants[0].role.sessionDuration", ...position(text, "7200") });
    expect(p?.message).toContain("role chaining");
    expect(p?.message).toContain("3600 s");
  });

  it("allows a longer session where the hop is not chained (an IAM user's first AssumeRole)", () => {
    const text = valid
      .replace("    identity: { type: ecs-task }", "    identity: { type: iam-user }")
      .replace("    resources: { job: etl }", "    resources: { job: etl }\n    role: { sessionDuration: 7200, maxSessionDuration: 7200 }");
    expect(loadModel(text).grants[0]?.role?.sessionDuration).toBe(7200);
  });

  it("refuses a service xacct has no recipe for, listing the ones it has", () => {
    const text = valid.replace("service: glue", "service: gleu");
    expect(problems(text)[0]?.message).toMatch(/^xacct has no recipe for "gleu" \(did you mean "glue"\?\); known: /);
  });

  it("refuses an unknown identity type, naming the types", () => {
    const text = valid.replace("type: ecs-task", "type: ecs");
    const [p] = problems(text);
    expect(p?.path).toBe("workloads.sparkflows.identity.type");
    expect(p?.message).toMatch(/^unknown type \(expected one of irsa, pod-identity, ecs-task, /);
    expect(p).toMatchObject(position(text, "ecs }"));
  });
});

describe("the published JSON Schema", () => {
  const schema = JSON.parse(readFileSync(join(root, "schema", "xacct.schema.json"), "utf8"));
  const validate = new Ajv2020({ strict: false }).compile(schema);

  it("is the schema of the model as the code defines it (run `npm run schema` after changing it)", () => {
    expect(schema).toEqual(modelJsonSchema());
  });

  it.each(examples)("accepts examples/%s", (example) => {
    const ok = validate(parse(readFileSync(join(examplesDir, example, "xacct.yaml"), "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("refuses an account ID given as a number (YAML would drop leading zeros)", () => {
    const model = parse(valid);
    model.accounts.data.id = 222222222222;
    expect(validate(model)).toBe(false);
  });
});

describe("xacct init and xacct build", () => {
  const run = (args: string[], cwd: string) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" });

  it("init writes a commented starter model that builds as it is, and never overwrites", () => {
    const dir = mkdtempSync(join(tmpdir(), "xacct-init-"));
    expect(run(["init"], dir).status).toBe(0);
    expect(readFileSync(join(dir, "xacct.yaml"), "utf8")).toBe(STARTER_MODEL);
    expect(STARTER_MODEL).toMatch(/^# /m);
    expect(run(["build", "xacct.yaml", "--out", "build"], dir).status).toBe(0);
    expect(existsSync(join(dir, "build", "workloads", "nightly-etl", "aws-config"))).toBe(true);
    const again = run(["init"], dir);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("never overwrites");
  });

  it("build writes nothing when the model has a problem, and leaves an earlier output as it was", () => {
    const dir = mkdtempSync(join(tmpdir(), "xacct-build-"));
    writeFileSync(join(dir, "good.yaml"), valid);
    expect(run(["build", "good.yaml", "--out", "out"], dir).status).toBe(0);
    const before = readdirSync(join(dir, "out"), { recursive: true }).sort();
    writeFileSync(join(dir, "bad.yaml"), valid.replace("account: data", "account: dta"));
    const r = run(["build", "bad.yaml", "--out", "out"], dir);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`bad.yaml:${position(valid.replace("account: data", "account: dta"), "dta").line}:`);
    expect(r.stderr).toContain('unknown account "dta" (did you mean "data"?)');
    expect(readdirSync(join(dir, "out"), { recursive: true }).sort()).toEqual(before);
    expect(run(["build", "bad.yaml", "--out", "fresh"], dir).status).toBe(2);
    expect(existsSync(join(dir, "fresh"))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes("xacct-tmp") || f.includes("xacct-old"))).toEqual([]);
  });
});
