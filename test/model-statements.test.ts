/**
 * A grant's raw `statements:` go into the role's identity-based policy as written, so they are
 * checked at load with the policy engine's parser, by the IAM JSON policy reference's rules
 * ("Effect: ... Valid values for Effect are Allow and Deny"; a statement holds Action or NotAction;
 * an identity-based policy has no Principal), and each problem is reported at the YAML line of the
 * offending field (issue 11, item 14). `xacct build` then writes nothing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../src/model/load.js";
import { position, problems } from "./support/model-problems.js";
import { CLI as cli } from "./support/xacct-cli.js";

/** A model whose one grant adds `statements` (YAML lines, indented under the grant) to its role. */
const withStatements = (statements: string) => `version: 1
name: demo
accounts:
  platform: { id: "111111111111", region: us-east-1 }
  data: { id: "222222222222", region: us-east-1 }
workloads:
  etl:
    account: platform
    identity: { type: ecs-task }
grants:
  - workload: etl
    account: data
    service: glue
    access: [run]
    resources: { job: etl }
    statements:
${statements}`;

describe("raw statements are validated at load", () => {
  it("accepts a statement AWS accepts", () => {
    // GIVEN an Allow of s3:GetObject on a bucket's objects
    const text = withStatements(`      - Effect: Allow
        Action: s3:GetObject
        Resource: "arn:aws:s3:::reports/*"
`);
    // WHEN the model is loaded
    // THEN it loads, the statement kept as written
    expect(loadModel(text).grants[0]?.statements).toEqual([
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" },
    ]);
  });

  it("refuses Effect: Permit at the line of the Effect", () => {
    // GIVEN a second statement whose Effect is Permit ("Valid values for Effect are Allow and Deny")
    const text = withStatements(`      - Effect: Allow
        Action: s3:GetObject
        Resource: "arn:aws:s3:::reports/*"
      - Effect: Permit
        Action: s3:PutObject
        Resource: "arn:aws:s3:::reports/*"
`);
    // WHEN the model is loaded
    const found = problems(text);
    // THEN one problem, at the Permit, naming the statement's JSON path
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ ...position(text, "Permit"), path: "grants[0].statements[1].Effect" });
    expect(found[0]?.message).toContain('must be "Allow" or "Deny"');
  });

  it("refuses a Principal in a statement of the role's identity-based policy", () => {
    // GIVEN a statement naming a Principal, which identity-based policies do not take
    const text = withStatements(`      - Effect: Allow
        Principal: { AWS: "arn:aws:iam::333333333333:root" }
        Action: s3:GetObject
        Resource: "*"
`);
    // WHEN the model is loaded
    const found = problems(text);
    // THEN it is refused at the Principal
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ line: position(text, "Principal").line, path: "grants[0].statements[0].Principal" });
  });

  it("refuses a statement with neither Action nor NotAction, at the statement", () => {
    // GIVEN a statement with a Resource and no Action
    const text = withStatements(`      - Effect: Allow
        Resource: "*"
`);
    // WHEN the model is loaded
    const found = problems(text);
    // THEN it is refused at the statement's first line
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ line: position(text, "Effect: Allow").line, path: "grants[0].statements[0]" });
  });

  it("build refuses the model (exit 2, one located line) and writes nothing", () => {
    // GIVEN the model with Effect: Permit in a file
    const dir = mkdtempSync(join(tmpdir(), "xacct-statements-"));
    const text = withStatements(`      - Effect: Permit
        Action: s3:GetObject
        Resource: "*"
`);
    writeFileSync(join(dir, "xacct.yaml"), text);
    // WHEN it is built
    const r = spawnSync(process.execPath, [cli, "build", "xacct.yaml", "--out", "out"], { cwd: dir, encoding: "utf8" });
    // THEN the build fails at the Permit's line, and no output directory is written
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`xacct.yaml:${position(text, "Permit").line}:`);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});
