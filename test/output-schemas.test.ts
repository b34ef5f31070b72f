/**
 * Every `--json` output carries its format's version, `schemaVersion`, and is valid against its
 * JSON Schema in schema/output/ (written by hand from the TypeScript types): who-can, can, reach,
 * findings and verify, run as a user runs them on the bundled examples, on hand-written
 * inventories (escalation techniques) and on a model whose answers depend on a policy xacct cannot
 * read (Unknown). The schemas accept nothing they do not describe, so a field added to an output
 * without its schema fails here.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { afterEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "../src/cli/output.js";
import { principalOf } from "../src/compile/identities.js";
import { chainSandbox, cleanUp, xacct as xacctAsync } from "./support/chain-cli.js";
import { EXAMPLES, compileExample, examplesDir } from "./support/state.js";
import { PROD, VENDOR_ROLE, vendorModel } from "./support/vendor-model.js";
import { xacct } from "./support/xacct-cli.js";

const SCHEMAS = join(import.meta.dirname, "..", "schema", "output");
const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
// Each schema under its file name, so that `common.schema.json#/$defs/…` resolves as it does beside the files.
for (const name of readdirSync(SCHEMAS)) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, name), "utf8")), name);
const validators = new Map<string, ValidateFunction>(
  ["who-can", "can", "reach", "findings", "verify", "env"].map((command) => [
    command,
    ajv.getSchema(`${command}.schema.json`) as ValidateFunction,
  ]),
);

/** The command's --json output, parsed, with what its schema finds wrong in it. */
function checked(args: string[]): { output: Record<string, unknown>; problems: string[] } {
  const run = xacct([...args, "--json"]);
  expect(run.stderr).toBe("");
  const output = JSON.parse(run.stdout) as Record<string, unknown>;
  const validate = validators.get(args[0] as string) as ValidateFunction;
  validate(output);
  return { output, problems: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params)}`) };
}

describe("the schemas", () => {
  it("refuse a field they do not describe, and a missing schemaVersion", () => {
    // GIVEN a valid answer of can, as the schema describes it
    const validate = validators.get("can") as ValidateFunction;
    const valid = { schemaVersion: SCHEMA_VERSION, decision: "Deny", paths: [] };
    expect(validate(valid)).toBe(true);
    // WHEN a field is added to it, to one of its chains, or its version is taken away  THEN each is refused
    expect(validate({ ...valid, extra: 1 })).toBe(false);
    const chain = { via: [], techniques: [], steps: [], requires: {}, maxSessionSeconds: 3600 };
    expect(validate({ ...valid, decision: "Allow", paths: [chain] })).toBe(true);
    expect(validate({ ...valid, decision: "Allow", paths: [{ ...chain, extra: 1 }] })).toBe(false);
    expect(validate({ decision: "Deny", paths: [] })).toBe(false);
    expect(validate({ ...valid, schemaVersion: "2.0" })).toBe(false);
  });
});

describe("schemaVersion", () => {
  it("is MAJOR.MINOR, of the major version the schemas in schema/output/ describe", () => {
    // GIVEN the one constant  WHEN matched against the schemas' own definition  THEN it is one of theirs
    const common = JSON.parse(readFileSync(join(SCHEMAS, "common.schema.json"), "utf8")) as {
      $defs: { schemaVersion: { pattern: string } };
    };
    expect(SCHEMA_VERSION).toMatch(/^\d+\.\d+$/);
    expect(SCHEMA_VERSION).toMatch(new RegExp(common.$defs.schemaVersion.pattern));
  });
});

describe.each(EXAMPLES)("--json on examples/%s", (example) => {
  const model = join(examplesDir, example, "xacct.yaml");
  const compiled = compileExample(example);
  // A chain that starts from a role or user of a managed account (the graph holds it) and assumes a role.
  const chain = compiled.chains.find(
    (c) => c.hops.length > 0 && (c.start.roleArn ?? c.start.userArn) && compiled.state.accounts.get(c.start.account)?.managed,
  );
  const start = chain && principalOf(chain.start, compiled.state.accounts.get(chain.start.account)?.partition ?? "aws");
  const target = chain?.hops.at(-1)?.roleArn;

  it("findings and verify are valid, with the schemaVersion", () => {
    for (const args of [
      ["findings", "--model", model],
      ["verify", "--model", model],
    ]) {
      // GIVEN the example  WHEN the command prints JSON  THEN it is valid against its schema, its version first
      const { output, problems } = checked(args);
      expect(problems).toEqual([]);
      expect(Object.keys(output)[0]).toBe("schemaVersion");
      expect(output.schemaVersion).toBe(SCHEMA_VERSION);
    }
  });

  it.runIf(chain)("who-can, can (Allow and Deny) and reach are valid, with the schemaVersion", () => {
    // GIVEN a chain of the example: its start and the last role it assumes
    const asks = [
      ["reach", "--model", model, "--principal", start as string],
      ["can", "--model", model, "--principal", start as string, "--action", "sts:AssumeRole", "--resource", target as string],
      ["can", "--model", model, "--principal", start as string, "--action", "iam:CreateUser", "--resource", `${target}-nope`],
      ["who-can", "--model", model, "--action", "sts:AssumeRole", "--resource", target as string],
    ];
    for (const args of asks) {
      // WHEN each is asked with --json  THEN the answer is valid against its schema, with the version
      const { output, problems } = checked(args);
      expect(problems).toEqual([]);
      expect(output.schemaVersion).toBe(SCHEMA_VERSION);
    }
  });
});

describe("--json where the answer has techniques, conditions or unknown policies", () => {
  it("who-can, can and reach over the escalation inventory are valid", () => {
    // GIVEN the hand-written inventory whose principals reach prod by escalation techniques
    const inventory = join(import.meta.dirname, "inventories", "escalation");
    const asks = [
      ["who-can", "--inventory", inventory, "--action", "s3:PutObject", "--resource", "arn:aws:s3:::prod-artifacts/x"],
      ["reach", "--inventory", inventory, "--principal", "arn:aws:iam::111111111111:user/helpdesk"],
      [
        "can",
        "--inventory",
        inventory,
        "--principal",
        "arn:aws:iam::111111111111:user/helpdesk",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::prod-artifacts/x",
        "--resource-account",
        "222222222222",
      ],
    ];
    for (const args of asks) {
      // WHEN each is asked  THEN valid
      const { output, problems } = checked(args);
      expect(problems).toEqual([]);
      expect(JSON.stringify(output)).toMatch(/"techniques":\["(?!assume")/);
    }
  });

  it("who-can, can, reach and verify answering Unknown are valid", () => {
    // GIVEN a model whose vendor role holds a customer managed policy named only by ARN
    const file = join(mkdtempSync(join(tmpdir(), "xacct-schema-")), "xacct.yaml");
    writeFileSync(file, vendorModel({ managedPolicies: `[ReadOnlyAccess, "arn:aws:iam::${PROD}:policy/vendor-extra"]` }));
    const request = ["--action", "iam:CreateUser", "--resource", `arn:aws:iam::${PROD}:user/new`, "--context", "sts:ExternalId=acme-7f3a"];
    // WHEN asked what depends on that policy
    const whoCan = checked(["who-can", "--model", file, ...request]);
    const can = checked(["can", "--model", file, "--principal", VENDOR_ROLE, ...request]);
    // THEN the answers are Unknown, and valid
    expect(whoCan.problems).toEqual([]);
    expect(whoCan.output.unknown).toBeDefined();
    expect(can.problems).toEqual([]);
    expect(can.output.decision).toBe("Unknown");
  });
});

describe("env --format json", () => {
  afterEach(cleanUp);

  it("is valid against its schema: the variables alone, with no schemaVersion (each key is a variable to set)", async () => {
    // GIVEN a chain of two roles in the sandbox
    const t = await chainSandbox();
    // WHEN env prints its credentials as JSON
    const r = await xacctAsync(["env", "--profile", "far", "--format", "json"], t.env);
    expect(r.code).toBe(0);
    const output = JSON.parse(r.stdout) as Record<string, string>;
    // THEN the object is valid against env.schema.json, every key a variable name
    const validate = validators.get("env") as ValidateFunction;
    expect(validate(output) ? [] : validate.errors).toEqual([]);
    expect(Object.keys(output).every((k) => /^AWS_[A-Z_]+$/.test(k))).toBe(true);
  });
});
