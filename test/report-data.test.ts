/**
 * The report's view model and its Mermaid and DOT forms, from what the example models declare:
 * accounts with their names and stages, workloads and roles inside them, assume-role edges with
 * the trust statement that admits the caller and the caller's sts:AssumeRole statement,
 * cross-account and conditional edges, findings attached where they point. And the commands'
 * contract: bad input exits 2 with a located message, and nothing is left half-written.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toDot } from "../src/report/dot.js";
import { loadReportData } from "../src/report/load.js";
import { toMermaid } from "../src/report/mermaid.js";
import type { ReportData } from "../src/report/types.js";
import { reportOfPage } from "./support/report-page.js";
import { CLI as cli } from "./support/xacct-cli.js";

const root = join(import.meta.dirname, "..");
const example = (name: string) => join(root, "examples", name, "xacct.yaml");
const xacct = (args: string[], cwd = root) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd });

const JOB_ROLE = "arn:aws:iam::111111111111:role/job-execution-role-1";
const CLIENT_ROLE = "arn:aws:iam::222222222222:role/client-role-2";

const seed004 = loadReportData({ model: example("004-emr-eks-chain") });
const edge = (data: ReportData, from: string, to: string) => data.edges.find((e) => e.from === from && e.to === to);
const asList = (value: unknown) => (Array.isArray(value) ? value : [value]);

describe("report data of seed 004 (EMR on EKS chain)", () => {
  it("has the model's two accounts, with the workload and its first role in account-a and the client role in account-b", () => {
    expect(seed004.accounts.map((a) => [a.name, a.id])).toEqual(
      expect.arrayContaining([
        ["account-a", "111111111111"],
        ["account-b", "222222222222"],
      ]),
    );
    const node = (id: string) => seed004.nodes.find((n) => n.id === id);
    expect(node("workload:spark-job")).toMatchObject({ kind: "workload", account: "111111111111" });
    expect(node(JOB_ROLE)).toMatchObject({ kind: "role", label: "job-execution-role-1", account: "111111111111" });
    expect(node(CLIENT_ROLE)).toMatchObject({ kind: "role", label: "client-role-2", account: "222222222222" });
  });

  it("draws the chain workload → job-execution-role-1 → client-role-2, the second step cross-account", () => {
    expect(edge(seed004, "workload:spark-job", JOB_ROLE)).toMatchObject({ kind: "starts-as", actions: ["irsa"], crossAccount: false });
    const hop = edge(seed004, JOB_ROLE, CLIENT_ROLE);
    expect(hop).toMatchObject({ kind: "assume-role", actions: ["sts:AssumeRole"], crossAccount: true, needs: [] });
    expect(hop?.workloads).toContain("spark-job");
  });

  it("gives the hop its trust statement naming the caller, the caller's sts:AssumeRole statement and AWS's one-hour chaining limit", () => {
    const hop = edge(seed004, JOB_ROLE, CLIENT_ROLE);
    const trust = seed004.statements[hop?.allowedBy ?? -1]?.statement as {
      Effect: string;
      Principal: { AWS: string | string[] };
      Action: string | string[];
    };
    expect(seed004.statements[hop?.allowedBy ?? -1]?.where).toContain(`${CLIENT_ROLE} trust policy`);
    expect(trust.Effect).toBe("Allow");
    expect(asList(trust.Principal.AWS)).toContain(JOB_ROLE);
    const caller = hop?.callerSide.map(
      (i) => seed004.statements[i]?.statement as { Action: string | string[]; Resource: string | string[] },
    );
    expect(caller?.some((s) => asList(s.Action).includes("sts:AssumeRole") && asList(s.Resource).includes(CLIENT_ROLE))).toBe(true);
    expect(hop?.maxSessionSeconds).toBeLessThanOrEqual(3600);
  });

  it("reaches the resources the grants name: the bucket in account-a, the data lake bucket and the queue in account-b", () => {
    const resources = seed004.nodes.filter((n) => n.kind === "resource");
    expect(resources.map((r) => [r.id, r.account])).toEqual(
      expect.arrayContaining([
        ["arn:aws:s3:::emr-on-eks-test-111111111111-us-east-1", "111111111111"],
        ["arn:aws:s3:::datalake-222222222222-us-east-1", "222222222222"],
        ["arn:aws:sqs:us-east-1:222222222222:MyDeadLetterQueue", "222222222222"],
      ]),
    );
    expect(edge(seed004, CLIENT_ROLE, "arn:aws:sqs:us-east-1:222222222222:MyDeadLetterQueue")?.actions).toContain("sqs:SendMessage");
  });

  it("attaches the model's accepted XA013 finding to the chain's edge, with its fix and the model's reason", () => {
    const index = seed004.findings.findIndex((f) => f.id === "XA013");
    const finding = seed004.findings[index];
    expect(finding?.fix).toBeTruthy();
    expect(finding?.accepted).toContain("PySpark");
    expect(edge(seed004, JOB_ROLE, CLIENT_ROLE)?.findings).toContain(index);
  });
});

describe("report data: stages and conditional edges", () => {
  it("labels seed 002's accounts with their stages", () => {
    const data = loadReportData({ model: example("002-stage-consumers") });
    expect(data.accounts.map((a) => [a.name, a.stage])).toEqual(
      expect.arrayContaining([
        ["analytics-production", "production"],
        ["orders-alpha", "alpha"],
      ]),
    );
  });

  it("says a cross-account trust with sts:ExternalId needs it, and names the statement", () => {
    const data = loadReportData({ inventory: join(root, "test", "inventories", "external-id") });
    const hop = edge(data, "arn:aws:iam::111111111111:role/vendor-scanner", "arn:aws:iam::222222222222:role/vendor-audit");
    expect(hop?.crossAccount).toBe(true);
    expect(hop?.needs.join(" ")).toContain("sts:ExternalId");
    expect(hop?.needs.join(" ")).toContain("7fJ2-customer-222");
    expect(JSON.stringify(data.statements[hop?.allowedBy ?? -1]?.statement)).toContain("sts:ExternalId");
  });

  it("draws a resource policy's named principal reaching the resource (seed 002's stream, read by the consumer role)", () => {
    const data = loadReportData({ inventory: join(root, "test", "inventories", "seed-002-kinesis-api") });
    const policyEdges = data.edges.filter((e) => e.kind === "resource-policy");
    expect(policyEdges.length).toBeGreaterThan(0);
    const stream = policyEdges.find((e) => e.to.includes(":kinesis:"));
    expect(stream?.from).toContain("staging-Kinesis-Consumer-Role");
    expect(data.statements[stream?.allowedBy ?? -1]?.where).toContain("resource policy");
  });
});

describe("a web identity's node", () => {
  it("is named by the whole sub its trust pins, a # in it too", () => {
    // GIVEN seed 004's inventory, its OIDC trust pinning a sub that holds a # (a token's sub is any string)
    const dir = join(mkdtempSync(join(tmpdir(), "xacct-report-sub-")), "inventory");
    cpSync(join(root, "test", "inventories", "seed-004-emr-eks-chain"), dir, { recursive: true });
    const file = join(dir, "111111111111", "authorization-details.json");
    const sub = "system:serviceaccount:emr:runner#blue";
    writeFileSync(file, readFileSync(file, "utf8").replace(/"system:serviceaccount:emr:[^"]*"/, JSON.stringify(sub)));
    // WHEN its report is built
    const data = loadReportData({ inventory: dir });
    // THEN the web identity's label and detail hold the whole sub, and its ARN is the provider's
    const identity = data.nodes.find((n) => n.kind === "federated");
    expect(identity?.label).toBe("web identity emr:runner#blue");
    expect(identity?.detail).toContain(`with sub ${sub}`);
    expect(identity?.arn).toMatch(/^arn:aws:iam::111111111111:oidc-provider\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[A-Z0-9]+$/);
  });
});

describe("resource-policy edges are the engine's", () => {
  it("a role a bucket policy names in another account reaches the bucket only if its own policies allow it too", () => {
    // IAM User Guide, cross-account policy evaluation: both the resource-based policy and the
    // caller's identity-based policies must allow. named-without-identity-grant has no policies.
    const data = loadReportData({ inventory: join(root, "test", "inventories", "resource-policies") });
    const toBucket = data.edges
      .filter((e) => e.kind === "resource-policy" && e.to === "arn:aws:s3:::shared-datasets-222222222222")
      .map((e) => e.from);
    expect(toBucket).toContain("arn:aws:iam::111111111111:role/bucket-reader");
    expect(toBucket).not.toContain("arn:aws:iam::111111111111:role/named-without-identity-grant");
  });
});

describe("xacct graph --format mermaid|dot", () => {
  it("writes the same graph as Mermaid: account subgraphs, the chain's cross-account edge thick", () => {
    const text = toMermaid(seed004);
    expect(text.startsWith("flowchart LR\n")).toBe(true);
    expect(text).toContain('subgraph a0["account-a · 111111111111"]');
    expect(text).toMatch(/n\d+ ==>\|"sts:AssumeRole"\| n\d+/);
    expect(text).toMatch(/linkStyle \d+/);
  });

  it("writes it as DOT: clusters per account, conditional edges dashed", () => {
    const data = loadReportData({ inventory: join(root, "test", "inventories", "external-id") });
    const text = toDot(data);
    expect(text).toMatch(/^digraph xacct \{/);
    expect(text).toContain("subgraph cluster_");
    expect(text).toMatch(
      /"arn:aws:iam::111111111111:role\/vendor-scanner" -> "arn:aws:iam::222222222222:role\/vendor-audit" \[.*style=dashed/,
    );
  });

  it("prints the graph from the command line", () => {
    const r = xacct(["graph", "--model", example("004-emr-eks-chain"), "--format", "dot"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"arn:aws:iam::111111111111:role/job-execution-role-1" -> "arn:aws:iam::222222222222:role/client-role-2"');
  });

  it("refuses an unknown format with exit status 2", () => {
    const r = xacct(["graph", "--model", example("004-emr-eks-chain"), "--format", "svg"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--format must be mermaid or dot");
  });
});

describe("xacct report: bad input", () => {
  it("needs exactly one of --model and --inventory", () => {
    const r = xacct(["report"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--inventory DIR or --model FILE");
  });

  it("names the line of a broken model and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "xacct-report-"));
    const model = join(dir, "xacct.yaml");
    spawnSync("sh", ["-c", `printf 'version: 1\\nname: x\\naccounts:\\n  a: { id: "12" }\\nworkloads: {}\\n' > ${model}`]);
    const r = xacct(["report", "--model", model, "-o", join(dir, "report.html")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/xacct\.yaml/);
    expect(existsSync(join(dir, "report.html"))).toBe(false);
  });

  it("says which directory it cannot write to, with exit status 2, and leaves no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "xacct-report-"));
    const r = xacct(["report", "--model", example("004-emr-eks-chain"), "-o", join(dir, "missing", "report.html")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`cannot write ${join(dir, "missing", "report.html")}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("writes one HTML file holding the data with every `<` escaped inside its script", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xacct-report-"));
    const file = join(dir, "report.html");
    const r = xacct(["report", "--model", example("004-emr-eks-chain"), "-o", file]);
    expect(r.status).toBe(0);
    expect(readdirSync(dir)).toEqual(["report.html"]);
    const html = readFileSync(file, "utf8");
    const json = /<script type="application\/json" id="xacct-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    expect(json).not.toContain("<");
    // The page's own reader (src/report/client/store.ts) finds the report's nodes and findings in it.
    const page = await reportOfPage(html);
    expect(page.nodes.map((n) => n.id).sort()).toEqual(seed004.nodes.map((n) => n.id).sort());
    expect(page.findings.map((f) => f.id).sort()).toEqual(seed004.findings.map((f) => f.id).sort());
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });

  it("puts the page's parts after its script, which runs as soon as the browser reaches it", () => {
    // GIVEN a report of a model
    const dir = mkdtempSync(join(tmpdir(), "xacct-report-"));
    const file = join(dir, "report.html");
    expect(xacct(["report", "--model", example("004-emr-eks-chain"), "-o", file]).status).toBe(0);
    // WHEN its elements are listed in the order the browser reads them
    const html = readFileSync(file, "utf8");
    const scripts = [...html.matchAll(/<script ([^>]*)>/g)].map((m) => m[1] ?? "");
    // THEN the data's keys come first, then the graph's shape, then the module, async (HTML: an async
    // module script runs once ready, without waiting for the document to be parsed), then every other part
    expect(scripts.slice(0, 3)).toEqual([
      'type="application/json" id="xacct-data"',
      'type="text/plain" id="xacct-shape-0"',
      'type="module" async',
    ]);
    const parts = scripts.slice(3);
    expect(parts.length).toBeGreaterThan(1);
    for (const attributes of parts) expect(attributes).toMatch(/^type="text\/plain" id="xacct-(part|statements)-\d+"$/);
    // AND every part is base64 text only
    for (const [, text] of html.matchAll(/<script type="text\/plain"[^>]*>([^<]*)<\/script>/g)) expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });
});
