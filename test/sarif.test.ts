/**
 * The SARIF 2.1.0 logs of findings and verify (src/report/sarif.ts), as code scanning takes them:
 * valid for Microsoft's SARIF validator with GitHub's ingestion rules and for the SARIF 2.1.0 JSON
 * Schema; every result with a file location (GitHub refuses a result without one) at the line of
 * the user's file that declares what it is about; GitHub's security-severity bands; fingerprints
 * that identify a result across runs and edits; message text escaped as SARIF reads it.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { findings } from "../src/graph/findings/index.js";
import type { Finding } from "../src/graph/findings/types.js";
import { AccessGraph } from "../src/graph/graph.js";
import { modelAsApplied, verify } from "../src/graph/verify.js";
import { placesOf } from "../src/report/places.js";
import { findingsSarif, type SarifLog, verifySarif } from "../src/report/sarif.js";
import { loadSource } from "../src/source/load-source.js";
import { sarifText } from "../src/text/escape.js";
import { writeInventoryDir } from "./support/inventory-dir.js";
import { schemaProblems, validatorProblems } from "./support/sarif-validator.js";
import { examplesDir } from "./support/state.js";
import { xacct } from "./support/xacct-cli.js";

const ROOT = join(import.meta.dirname, "..");
const TOOL = { version: "0.1.0" };
/** The validator warns that a tool gives no informationUri (SARIF2005): xacct has no public page to name yet. */
const NO_PAGE = ["SARIF2005"];

/** The findings of a model file and their SARIF log, with places in that file. */
function modelFindingsLog(file: string, cwd = ROOT): { list: Finding[]; log: SarifLog } {
  const loaded = loadSource({ model: file });
  const list = findings(loaded.state, { chains: loaded.chains });
  const places = placesOf({ model: { file, compiled: loaded.compiled, locate: loaded.locate } });
  return { list, log: findingsSarif(list, { tool: TOOL, places, cwd }) };
}

/** The 1-based line where a YAML node at a path of the document starts, read with the yaml package's own positions. */
function yamlLine(text: string, path: (string | number)[]): number {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  let node: unknown = doc.contents;
  for (const key of path) node = isMap(node) || isSeq(node) ? node.get(key, true) : undefined;
  const range = (node as { range?: number[] } | undefined)?.range;
  if (!range) throw new Error(`no node at ${path.join(".")}`);
  return lines.linePos(range[0] as number).line;
}

describe("findings --format sarif, as a library", () => {
  const combined = join(examplesDir, "combined", "xacct.yaml");

  it("is valid for Microsoft's SARIF validator with GitHub's rules, and for the SARIF 2.1.0 JSON Schema", () => {
    // GIVEN the findings of the bundled combined example
    const { list, log } = modelFindingsLog(combined);
    expect(list.length).toBeGreaterThan(0);
    // WHEN the validator and ajv read the log  THEN neither finds a problem
    expect(schemaProblems(log)).toEqual([]);
    expect(validatorProblems(log, NO_PAGE)).toEqual([]);
  });

  it("fails the same checks when a result has no file location, or a property SARIF does not define", () => {
    // GIVEN the valid log, once with a result located only logically (by ARN), once with an unknown property
    const { log } = modelFindingsLog(combined);
    const logicalOnly = structuredClone(log);
    const first = logicalOnly.runs[0]?.results[0];
    if (!first) throw new Error("no result");
    (first as { locations: unknown[] }).locations = [{ logicalLocations: [{ fullyQualifiedName: "arn:aws:iam::1:role/x" }] }];
    const unknownProperty = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    (unknownProperty.runs[0]?.results[0] as Record<string, unknown>).severity = "high";
    // WHEN each is validated
    // THEN the validator refuses the first (GitHub's GH1001: code scanning shows no result without a file; version 5.7.0
    // fails its run formatting that message), and the schema and the validator refuse the second
    expect(validatorProblems(logicalOnly, NO_PAGE)).not.toEqual([]);
    expect(schemaProblems(unknownProperty).join("\n")).toMatch(/must NOT have additional properties/);
    expect(validatorProblems(unknownProperty, NO_PAGE).join("\n")).toMatch(/JSON1005/);
  });

  it("places each result at the line of the model that declares what it is about, relative to the working directory", () => {
    // GIVEN the combined example, whose user airflow-cross-account is the iam-user identity of workload airflow-keys
    const text = readFileSync(combined, "utf8");
    const { list, log } = modelFindingsLog(combined);
    const run = log.runs[0];
    if (!run) throw new Error("no run");
    // WHEN the result of the finding on that user is read
    const index = list.findIndex((f) => f.resource.endsWith(":user/airflow-cross-account"));
    const location = run.results[index]?.locations[0];
    // THEN it names the model by its path from the working directory, under the source root, at the workload's line
    expect(location?.physicalLocation.artifactLocation).toEqual({ uri: "examples/combined/xacct.yaml", uriBaseId: "%SRCROOT%" });
    expect(run.originalUriBaseIds["%SRCROOT%"]?.uri).toBe(`file://${ROOT}/`);
    expect(location?.physicalLocation.region?.startLine).toBe(yamlLine(text, ["workloads", "airflow-keys"]));
    // AND its logical location is the ARN
    expect(location?.logicalLocations?.[0]).toEqual({ fullyQualifiedName: list[index]?.resource, kind: "resource" });
    // AND a role a grant makes is placed at that grant
    const chained = list.findIndex((f) => f.id === "XA013");
    const grant = loadSource({ model: combined }).compiled.chains.find((c) => c.hops.some((h) => h.roleArn === list[chained]?.resource));
    expect(run.results[chained]?.locations[0]?.physicalLocation.region?.startLine).toBe(yamlLine(text, ["grants", grant?.grant ?? -1]));
  });

  it("names a model outside the working directory by its absolute file URI", () => {
    // GIVEN a working directory beside the examples, not above them
    const cwd = mkdtempSync(join(tmpdir(), "xacct-cwd-"));
    // WHEN the log is made there
    const { log } = modelFindingsLog(combined, cwd);
    // THEN the file is an absolute file URI, with no base
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation).toEqual({ uri: `file://${combined}` });
    expect(relative(cwd, combined).startsWith("..")).toBe(true);
  });

  it("keeps each result's fingerprint when the model moves its lines, and tells results apart", () => {
    // GIVEN the combined example, and a copy with two comment lines added at its top
    const dir = mkdtempSync(join(tmpdir(), "xacct-sarif-"));
    const moved = join(dir, "xacct.yaml");
    writeFileSync(moved, `# a comment\n# another\n${readFileSync(combined, "utf8")}`);
    // WHEN both are made into logs
    const before = modelFindingsLog(combined).log.runs[0]?.results ?? [];
    const after = modelFindingsLog(moved, dir).log.runs[0]?.results ?? [];
    // THEN each result is two lines lower, with the same fingerprints
    expect(after.map((r) => r.locations[0]?.physicalLocation.region?.startLine)).toEqual(
      before.map((r) => (r.locations[0]?.physicalLocation.region?.startLine ?? 0) + 2),
    );
    expect(after.map((r) => r.partialFingerprints)).toEqual(before.map((r) => r.partialFingerprints));
    // AND no two results share one
    expect(new Set(before.map((r) => r.partialFingerprints.primaryLocationLineHash)).size).toBe(before.length);
  });

  it("gives several findings of one rule on one resource fingerprints of their own", () => {
    // GIVEN examples/007, whose vendor-readonly role (trusted by the vendor's account) holds several
    // statements XA009 reports, each a finding of its own on that one role
    const { list, log } = modelFindingsLog(join(examplesDir, "007-saas-vendor", "xacct.yaml"));
    const onRole = list.filter((f) => f.id === "XA009" && f.resource.endsWith(":role/vendor-readonly"));
    expect(onRole.length).toBeGreaterThan(1);
    // WHEN they are made into a log
    const results = log.runs[0]?.results ?? [];
    // THEN no two results share a fingerprint: GitHub's code scanning takes results with one
    // fingerprint for one alert, and would show one finding where there are several
    expect(results).toHaveLength(list.length);
    expect(new Set(results.map((r) => r.partialFingerprints.primaryLocationLineHash)).size).toBe(results.length);
  });

  it("gives each severity GitHub's level and security-severity band, the rule those of its most severe result", () => {
    // GIVEN one finding of each severity, on one rule
    const severities = ["critical", "high", "medium", "low"] as const;
    const list: Finding[] = severities.map((severity) => ({
      id: "XA009",
      severity,
      title: `t ${severity}`,
      resource: `arn:aws:iam::111111111111:role/${severity}`,
      detail: "d.",
      fix: "f.",
    }));
    const places = { ofArn: () => ({ file: "xacct.yaml", line: 1, column: 1 }), ofGrant: () => ({ file: "xacct.yaml" }) };
    // WHEN each is made into a log of its own, and all into one
    const alone = severities.map((_, i) => findingsSarif([list[i] as Finding], { tool: TOOL, places, cwd: ROOT }).runs[0]);
    const together = findingsSarif(list, { tool: TOOL, places, cwd: ROOT }).runs[0];
    // THEN GitHub's bands hold (over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low), and its levels (error, warning, note)
    const score = (run: (typeof alone)[number]) => Number(run?.tool.driver.rules[0]?.properties["security-severity"]);
    expect(score(alone[0])).toBeGreaterThan(9.0);
    expect(score(alone[1])).toBeGreaterThanOrEqual(7.0);
    expect(score(alone[1])).toBeLessThanOrEqual(8.9);
    expect(score(alone[2])).toBeGreaterThanOrEqual(4.0);
    expect(score(alone[2])).toBeLessThanOrEqual(6.9);
    expect(score(alone[3])).toBeGreaterThanOrEqual(0.1);
    expect(score(alone[3])).toBeLessThanOrEqual(3.9);
    expect(alone.map((run) => run?.results[0]?.level)).toEqual(["error", "error", "warning", "note"]);
    expect(together?.tool.driver.rules).toHaveLength(1);
    expect(score(together)).toBe(score(alone[0]));
    expect(together?.tool.driver.rules[0]?.defaultConfiguration.level).toBe("error");
    expect(together?.tool.driver.rules[0]?.properties.tags).toContain("security");
  });

  it("writes message text as SARIF reads it: braces doubled, brackets and backslashes escaped", () => {
    // GIVEN a finding whose text holds placeholder and link syntax (SARIF 2.1.0 §3.11.5, §3.11.6)
    const finding: Finding = {
      id: "XA004",
      severity: "high",
      title: "Principal {0}",
      resource: "arn:aws:s3:::b",
      detail: 'Allows [here](1) with "Condition": {}.',
      fix: "add \\ a condition.",
    };
    const places = { ofArn: () => ({ file: "xacct.yaml" }), ofGrant: () => ({ file: "xacct.yaml" }) };
    // WHEN it is made into a log
    const log = findingsSarif([finding], { tool: TOOL, places, cwd: ROOT });
    // THEN its message holds no placeholder and no link, and reads back as written
    expect(log.runs[0]?.results[0]?.message.text).toBe(
      'Principal {{0}}: arn:aws:s3:::b. Allows \\[here\\](1) with "Condition": {{}}. Fix: add \\\\ a condition.',
    );
    expect(sarifText("[a]{b}\\")).toBe("\\[a\\]{{b}}\\\\");
    // AND a place with no line has no region: the file as a whole
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.region).toBeUndefined();
  });
});

describe("findings --format sarif over an inventory", () => {
  it("places each result at the entry of the account's file that lists what it is about", () => {
    // GIVEN examples/002 (consumer accounts trusted without an external ID) written as an inventory,
    // pretty-printed as the AWS CLI prints it
    const model = join(examplesDir, "002-stage-consumers", "xacct.yaml");
    const dir = writeInventoryDir(loadSource({ model }).state);
    const loaded = loadSource({ inventory: dir });
    const list = findings(loaded.state);
    expect(list.length).toBeGreaterThan(0);
    // WHEN its findings are made into a log
    const log = findingsSarif(list, { tool: TOOL, places: placesOf({ inventory: dir }), cwd: dir });
    // THEN each result names a file of the inventory, at a line that holds the resource's "Arn" entry
    for (const [i, result] of (log.runs[0]?.results ?? []).entries()) {
      const arn = list[i]?.resource ?? "";
      const account = arn.split(":")[4] ?? "";
      const physical = result.locations[0]?.physicalLocation;
      expect(physical?.artifactLocation).toEqual({ uri: `${account}/authorization-details.json`, uriBaseId: "%SRCROOT%" });
      const line = readFileSync(join(dir, account, "authorization-details.json"), "utf8").split("\n")[
        (physical?.region?.startLine ?? 0) - 1
      ];
      expect(line).toMatch(new RegExp(`"Arn": ${JSON.stringify(arn).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
      expect(line?.indexOf(JSON.stringify(arn))).toBe((physical?.region?.startColumn ?? 0) - 1);
    }
    // AND the log is valid
    expect(validatorProblems(log, NO_PAGE)).toEqual([]);
  });
  it("never looks outside the inventory for an ARN whose account field is a path", () => {
    // GIVEN an inventory directory, and beside it (outside it) a file listing an ARN whose account field is "../outside"
    const parent = mkdtempSync(join(tmpdir(), "xacct-places-"));
    const dir = join(parent, "inventory");
    mkdirSync(join(dir, "111111111111"), { recursive: true });
    mkdirSync(join(parent, "outside"));
    const hostile = "arn:aws:iam::../outside:role/x";
    writeFileSync(join(parent, "outside", "authorization-details.json"), JSON.stringify({ RoleDetailList: [{ Arn: hostile }] }));
    // WHEN the inventory's places are asked where that ARN is
    const place = placesOf({ inventory: dir }).ofArn(hostile);
    // THEN the answer is the inventory as a whole, not the file outside it
    expect(place).toEqual({ file: dir });
  });
});

describe("verify --format sarif, as a library", () => {
  it("holds no result for a model that holds", () => {
    // GIVEN examples/000, which verifies on what it creates
    const file = join(examplesDir, "000-sparkflows-mwaa", "xacct.yaml");
    const loaded = loadSource({ model: file });
    const { state, standIns } = modelAsApplied(loaded.compiled);
    const graph = new AccessGraph(state, {}, { edges: "assume" });
    const result = verify(loaded.compiled, graph, { standIns, findings: findings(state, { chains: loaded.chains, graph }) });
    expect(result.ok).toBe(true);
    // WHEN it is made into a log  THEN the run has no result (which closes earlier alerts), and is valid
    const log = verifySarif(result, { tool: TOOL, places: placesOf({ model: { file, ...loaded } }), cwd: ROOT });
    expect(log.runs[0]?.results).toEqual([]);
    expect(validatorProblems(log, NO_PAGE)).toEqual([]);
  });

  it("makes each failure a result: a grant not possible at its grant, undeclared access and drift at the inventory's entry", () => {
    // GIVEN a checkout holding examples/000 and, beside it, an inventory of it as deployed, its read role's trust
    // admitting a principal the model does not declare instead of the model's caller, and an inline policy added by hand
    const checkout = mkdtempSync(join(tmpdir(), "xacct-checkout-"));
    const file = join(checkout, "xacct.yaml");
    writeFileSync(file, readFileSync(join(examplesDir, "000-sparkflows-mwaa", "xacct.yaml"), "utf8"));
    const loaded = loadSource({ model: file });
    const dir = writeInventoryDir(loaded.compiled.state, join(checkout, "inventory"));
    const details = join(dir, "222222222222", "authorization-details.json");
    const json = JSON.parse(readFileSync(details, "utf8")) as {
      RoleDetailList: { RoleName: string; AssumeRolePolicyDocument: unknown; RolePolicyList: unknown[] }[];
    };
    for (const role of json.RoleDetailList)
      if (role.RoleName === "AccountB-MWAA-ReadRole") {
        role.AssumeRolePolicyDocument = {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:role/other" }, Action: "sts:AssumeRole" }],
        };
        role.RolePolicyList.push({
          PolicyName: "hand-added",
          PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] },
        });
      }
    writeFileSync(details, JSON.stringify(json, null, 2));
    const deployed = loadSource({ inventory: dir }).state;
    const graph = new AccessGraph(deployed, {}, { edges: "assume" });
    const result = verify(loaded.compiled, graph, { deployed, findings: findings(deployed, { chains: loaded.chains, graph }) });
    // WHEN it is made into a log
    const log = verifySarif(result, { tool: TOOL, places: placesOf({ model: { file, ...loaded }, inventory: dir }), cwd: checkout });
    const results = log.runs[0]?.results ?? [];
    const rules = new Map(log.runs[0]?.tool.driver.rules.map((r) => [r.id, r]));
    // THEN the grant is a result at grants[0] of the model, an error
    const grant = results.find((r) => rules.get(r.ruleId)?.name === "GrantNotPossible");
    expect(grant?.level).toBe("error");
    expect(grant?.message.text).toMatch(/^grants\\\[0\\\] is not possible: sparkflows may read the environment/);
    expect(grant?.locations[0]?.physicalLocation.artifactLocation.uri).toBe("xacct.yaml");
    expect(grant?.locations[0]?.physicalLocation.region?.startLine).toBe(yamlLine(readFileSync(file, "utf8"), ["grants", 0]));
    // AND the drift is a result at the role's entry in the inventory, with what to do
    const drift = results.find(
      (r) => rules.get(r.ruleId)?.name === "DeployedDiffersFromModel" && r.message.text.includes("an extra inline policy hand-added"),
    );
    expect(drift?.message.text).toContain("Fix: ");
    expect(drift?.locations[0]?.physicalLocation.artifactLocation.uri).toBe("inventory/222222222222/authorization-details.json");
    const line = readFileSync(details, "utf8").split("\n")[(drift?.locations[0]?.physicalLocation.region?.startLine ?? 0) - 1];
    expect(line).toContain('"Arn": "arn:aws:iam::222222222222:role/AccountB-MWAA-ReadRole"');
    // AND every failure of the result is one result, and the log is valid
    expect(results).toHaveLength(
      result.grants.filter((g) => !g.possible).length + result.undeclared.length + result.drift.length + result.findings.length,
    );
    expect(validatorProblems(log, NO_PAGE)).toEqual([]);
  });
});

describe("findings and verify --format sarif on the command line", () => {
  it("findings writes the log to -o FILE, valid, its paths from the working directory, and says so on stderr", () => {
    // GIVEN the combined example, named from the repository's root
    const out = join(mkdtempSync(join(tmpdir(), "xacct-sarif-")), "findings.sarif");
    // WHEN findings writes SARIF to a file
    const r = xacct(["findings", "--model", "examples/combined/xacct.yaml", "--format", "sarif", "-o", out], { cwd: ROOT });
    // THEN it exits 0, says what it wrote, and the file is a valid log whose results name the model as given
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^xacct findings: wrote .*findings\.sarif: \d+ findings \(sarif\)\n$/);
    const log = JSON.parse(readFileSync(out, "utf8")) as SarifLog;
    expect(log.runs[0]?.tool.driver).toMatchObject({ name: "xacct", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(new Set(log.runs[0]?.results.map((res) => res.locations[0]?.physicalLocation.artifactLocation.uri))).toEqual(
      new Set(["examples/combined/xacct.yaml"]),
    );
    expect(validatorProblems(log, NO_PAGE)).toEqual([]);
  });

  it("verify exits 1 when the model does not hold, its log on standard output holding the failure", () => {
    // GIVEN examples/004 without its accept: (its XA013 finding then fails verify)
    const dir = mkdtempSync(join(tmpdir(), "xacct-sarif-"));
    const text = readFileSync(join(examplesDir, "004-emr-eks-chain", "xacct.yaml"), "utf8").replace(/\naccept:[\s\S]*$/, "\n");
    writeFileSync(join(dir, "xacct.yaml"), text);
    // WHEN verify prints SARIF
    const r = xacct(["verify", "--model", "xacct.yaml", "--format", "sarif"], { cwd: dir });
    // THEN it exits 1, and the log's result is the finding, an error in the model
    expect(r.status).toBe(1);
    const log = JSON.parse(r.stdout) as SarifLog;
    const results = log.runs[0]?.results ?? [];
    expect(results.map((res) => [res.ruleId, res.level])).toContainEqual(["XA013", "error"]);
    expect(results.every((res) => res.locations[0]?.physicalLocation.artifactLocation.uri === "xacct.yaml")).toBe(true);
    expect(validatorProblems(log, NO_PAGE)).toEqual([]);
  });

  it("takes --json as --format json, and refuses --json with another format", () => {
    // GIVEN examples/002  WHEN findings prints JSON both ways  THEN the same text
    const model = join(examplesDir, "002-stage-consumers", "xacct.yaml");
    const json = xacct(["findings", "--model", model, "--json"]);
    expect(xacct(["findings", "--model", model, "--format", "json"]).stdout).toBe(json.stdout);
    expect(JSON.parse(json.stdout).schemaVersion).toBeDefined();
    // AND --json with --format sarif, or a format xacct does not write, is a usage error (exit 2)
    const both = xacct(["findings", "--model", model, "--json", "--format", "sarif"]);
    expect([both.status, both.stdout]).toEqual([2, ""]);
    expect(both.stderr).toMatch(/--json is --format json/);
    const xml = xacct(["verify", "--model", model, "--format", "xml"]);
    expect([xml.status, xml.stdout]).toEqual([2, ""]);
    expect(xml.stderr).toMatch(/--format takes text, json, sarif, got "xml"/);
  });
});
