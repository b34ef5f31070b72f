/**
 * The Markdown document: accounts, the stage mapping and per-stage ARN tables of seed 002, every
 * grant in words with its path and session limit, client snippets that parse in a real Node and
 * Python, and the manual steps by account. Expected values come from the model and the compiled
 * chains, never from the document itself.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, type Compiled } from "../src/compile/compile.js";
import type { Chain } from "../src/compile/plan.js";
import { emitMarkdown } from "../src/emit/markdown.js";
import { loadModel } from "../src/model/load.js";
import { PLAIN_ECS_MODEL } from "./support/models.js";

const dir = mkdtempSync(join(tmpdir(), "xacct-markdown-"));

function readme(yaml: string): { compiled: Compiled; text: string } {
  const compiled = compile(loadModel(yaml));
  const files = emitMarkdown(compiled);
  expect(files.map((f) => f.path)).toEqual(["README.md"]);
  return { compiled, text: files[0]!.content };
}

/** What a Markdown reader sees: backslash escapes removed. */
function shown(markdown: string): string {
  return markdown.replace(/\\([\\`*_<>[\]|])/g, "$1");
}

/** The part of the document under a heading, up to the next heading of the same or a higher level (outside code blocks). */
function section(text: string, heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const all = text.split("\n");
  const start = all.findIndex((l) => l === heading || l.startsWith(`${heading} `));
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const lines = all.slice(start + 1);
  let fenced = false;
  const end = lines.findIndex((l) => {
    if (l.startsWith("```")) fenced = !fenced;
    return !fenced && new RegExp(`^#{1,${level}} `).test(l);
  });
  return lines.slice(0, end < 0 ? undefined : end).join("\n");
}

/** Table rows as arrays of cells. */
function rows(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((l) => l.startsWith("|") && !/^\|[\s|-]+\|$/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => shown(c.trim())),
    );
}

function codeBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

function parses(command: string[], source: string, name: string): { status: number | null; stderr: string } {
  const path = join(dir, name);
  writeFileSync(path, source);
  const r = spawnSync(command[0]!, [...command.slice(1), path], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

// Seed 002: an app with one account per stage exposes a read-only API (a role per stage pair,
// assumed by the consumer account) and a Kinesis stream (its resource policy names the
// consumer's Lambda role); dev is never connected.
const SEED_002 = `
version: 1
name: orders
accounts:
  orders:
    id: { dev: "310000000000", alpha: "310000000001", beta: "310000000002", prod: "310000000003" }
    region: eu-central-1
  analytics:
    id: { testing: "420000000001", staging: "420000000002", production: "420000000003" }
    region: eu-central-1
    external: true
stages:
  app: [dev, alpha, beta, prod]
  consumers:
    analytics-api-client: { dev: null, alpha: testing, beta: staging, prod: production }
    analytics-stream-reader: { dev: null, alpha: testing, beta: staging, prod: production }
workloads:
  analytics-api-client:
    account: analytics
    identity: { type: external }
  analytics-stream-reader:
    account: analytics
    identity: { type: lambda, role: "{consumerStage}-Kinesis-Consumer-Role" }
grants:
  - workload: analytics-api-client
    account: orders
    service: execute-api
    access: [invoke-read]
    resources: { api: a1b2c3d4e5, stage: "{stage}" }
    role: { name: "readonly-invoke-{stage}-{app}-by-{consumer}-{consumerStage}" }
    stages: true
    profile: "orders-api-{stage}"
  - workload: analytics-stream-reader
    account: orders
    service: kinesis
    access: [read]
    resources: { stream: "{stage}-{app}-pubsub" }
    via: resource-policy
    stages: true
`;

// Seed 001/004: a pod on EKS (IRSA) reads an RDS secret in another account through a role: the
// role is assumed from a role session (chained), and RDS needs a security-group rule by hand.
const CHAINED = `
version: 1
name: cats
accounts:
  platform: { id: "111111111111", region: us-east-2 }
  data: { id: "222222222222", region: us-east-2 }
clusters:
  cats: { account: platform, oidcIssuer: oidc.eks.us-east-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF }
workloads:
  reporter:
    account: platform
    identity: { type: irsa, cluster: cats, namespace: reports, serviceAccount: reporter }
grants:
  - workload: reporter
    account: data
    service: secretsmanager
    access: [read]
    resources: { secret: reports-db, rds-instance: reports, rds-port: "5432" }
    role: { name: reporter-secrets }
  - workload: reporter
    account: platform
    service: s3
    access: [read]
    resources: { bucket: platform-reports }
`;

describe("the README of a stage-mapped model (seed 002)", () => {
  const { compiled, text } = readme(SEED_002);
  const { model, chains } = compiled;
  const stages = model.stages!;

  it("GIVEN accounts with one ID per stage WHEN documented THEN the accounts table has a row per account and stage, managed or external", () => {
    const table = rows(section(text, "## Accounts"));
    for (const [name, account] of Object.entries(model.accounts)) {
      for (const [stage, id] of Object.entries(account.id as Record<string, string>)) {
        expect(table).toContainEqual([`${name}-${stage}`, id, account.region, stage, account.external ? "external" : "managed"]);
      }
    }
  });

  it("THEN the stage-mapping table has a row per app stage, N/A where the stage is never connected", () => {
    for (const [consumer, mapping] of Object.entries(stages.consumers!)) {
      const table = rows(section(text, `### Stage mapping for ${consumer}`));
      expect(table[0]).toEqual(["App Stage", "Consumer Stage"]);
      expect(table.slice(1)).toEqual(stages.app.map((stage) => [stage, mapping[stage] ?? "N/A"]));
    }
  });

  it("THEN the API table lists, per stage pair, the role to assume and the consumer principal it trusts (N/A for dev)", () => {
    const api = chains.filter((c) => c.service === "execute-api");
    const heading = text.split("\n").find((l) => l.startsWith("### ") && l.includes("analytics-api-client") && l.includes("per stage"))!;
    const table = rows(section(text, heading));
    expect(table[0]).toEqual(["App Stage", "Consumer Stage", "Role ARN", "Consumer Principal"]);
    const mapping = stages.consumers!["analytics-api-client"]!;
    expect(table.slice(1)).toEqual(
      stages.app.map((stage) => {
        const chain = api.find((c) => c.stage?.app === stage);
        if (!chain) return [stage, mapping[stage] ?? "N/A", "N/A", "N/A"];
        // The consumer principal: the whole consumer account (seed 002's ":root").
        return [stage, mapping[stage]!, chain.hops[0]!.roleArn, `arn:aws:iam::${chain.start.account}:root`];
      }),
    );
    // The role names follow the template, filled per stage pair.
    for (const chain of api)
      expect(chain.hops[0]!.roleArn).toBe(
        `arn:aws:iam::${chain.account}:role/readonly-invoke-${chain.stage!.app}-${model.name}-by-${chain.workload}-${chain.stage!.consumer}`,
      );
  });

  it("THEN the Kinesis table lists, per stage pair, the stream ARN and the consumer role its policy names (N/A for dev)", () => {
    const streams = chains.filter((c) => c.service === "kinesis");
    const heading = text.split("\n").find((l) => l.startsWith("### ") && l.includes("analytics-stream-reader") && l.includes("per stage"))!;
    const table = rows(section(text, heading));
    expect(table[0]).toEqual(["App Stage", "Consumer Stage", "Stream ARN", "Consumer Role"]);
    expect(table.slice(1)).toEqual(
      stages.app.map((stage) => {
        const chain = streams.find((c) => c.stage?.app === stage);
        if (!chain) return [stage, "N/A", "N/A", "N/A"];
        // arn:aws:kinesis:{region}:{account}:stream/{stage}-{app}-pubsub, as seed 002 writes it.
        return [
          stage,
          chain.stage!.consumer,
          `arn:aws:kinesis:${chain.region}:${chain.account}:stream/${stage}-${model.name}-pubsub`,
          chain.start.roleArn!,
        ];
      }),
    );
  });

  it("THEN every grant is in plain words with its stage pair and path", () => {
    const grants = shown(section(text, "## Grants"));
    for (const chain of chains) {
      expect(grants).toContain(chain.summary);
      for (const hop of chain.hops) expect(grants).toContain(hop.roleArn);
    }
  });

  it("THEN the API consumer gets a Node client (temporary credentials for the final role, SigV4-signed fetch) that Node parses", () => {
    const api = chains.filter((c) => c.service === "execute-api");
    const heading = text.split("\n").find((l) => l.startsWith("### analytics-api-client:"))!;
    const [node] = codeBlocks(section(text, heading), "js");
    expect(node).toBeDefined();
    expect(node).toContain('from "@aws-sdk/credential-providers"');
    expect(node).toContain("fromTemporaryCredentials(");
    expect(node).toContain('from "@smithy/signature-v4"');
    expect(node).toContain('service: "execute-api"');
    for (const chain of api) {
      expect(node).toContain(`"RoleArn": "${chain.hops[chain.hops.length - 1]!.roleArn}"`);
      expect(node).toContain(
        `https://${String(chain.resources.api)}.execute-api.${chain.region}.amazonaws.com/${String(chain.resources.stage)}`,
      );
      expect(node).toContain(`"${chain.stage!.consumer}": {`);
    }
    const check = parses([process.execPath, "--check"], node!, "api-client.mjs");
    expect(check.status, check.stderr).toBe(0);
  });

  it("THEN the API consumer gets a Python client (botocore's refreshable credentials through the generated profile, SigV4) that compiles", () => {
    const api = chains.filter((c) => c.service === "execute-api");
    const heading = text.split("\n").find((l) => l.startsWith("### analytics-api-client:"))!;
    const [python] = codeBlocks(section(text, heading), "python");
    expect(python).toBeDefined();
    expect(python).toContain("from botocore.session import Session");
    expect(python).toContain("refreshable_credentials=session.get_credentials()");
    expect(python).toContain('service="execute-api"');
    for (const chain of api) expect(python).toContain(`"profile": "${chain.profile}"`);
    const check = parses(["python3", "-m", "py_compile"], python!, "api_client.py");
    expect(check.status, check.stderr).toBe(0);
  });

  it("THEN the stream consumer gets Node and Python clients that read each stage's stream by ARN, and both parse", () => {
    const streams = chains.filter((c) => c.service === "kinesis");
    const heading = text.split("\n").find((l) => l.startsWith("### analytics-stream-reader:"))!;
    const body = section(text, heading);
    const [node] = codeBlocks(body, "js");
    const [python] = codeBlocks(body, "python");
    for (const chain of streams) {
      const arn = `arn:aws:kinesis:${chain.region}:${chain.account}:stream/${String(chain.resources.stream)}`;
      expect(node).toContain(arn);
      expect(python).toContain(arn);
    }
    expect(node).toContain("StreamARN: target.streamArn");
    expect(python).toContain("StreamARN=stream");
    const nodeCheck = parses([process.execPath, "--check"], node!, "stream-reader.mjs");
    expect(nodeCheck.status, nodeCheck.stderr).toBe(0);
    const pyCheck = parses(["python3", "-m", "py_compile"], python!, "stream_reader.py");
    expect(pyCheck.status, pyCheck.stderr).toBe(0);
  });

  it("THEN every manual step is listed under its account", () => {
    expect(compiled.manualSteps.length).toBeGreaterThan(0);
    const steps = section(text, "## Manual steps");
    for (const step of compiled.manualSteps) {
      const account = compiled.state.accounts.get(step.account)!;
      const block = shown(section(steps, `### ${account.name} (${step.account})`));
      expect(block).toContain(step.title);
      expect(block).toContain(step.detail);
    }
  });
});

describe("the README of a chained grant with an RDS secret", () => {
  const { compiled, text } = readme(CHAINED);
  const grantsText = shown(section(text, "## Grants"));
  /** The bullet of one grant and its sub-bullets. */
  const block = (chain: Chain) => {
    const lines = grantsText.split("\n");
    const start = lines.findIndex((l) => l === `- ${chain.summary}.`);
    expect(start).toBeGreaterThanOrEqual(0);
    const rest = lines.slice(start + 1);
    const end = rest.findIndex((l) => !l.startsWith("  "));
    return [lines[start], ...rest.slice(0, end < 0 ? undefined : end)].join("\n");
  };

  it("GIVEN an IRSA pod assuming a role WHEN documented THEN its path runs from the service account's web identity through the role, with the session limit and AWS's one-hour cap on chains", () => {
    const chain = compiled.chains.find((c) => c.hops.some((h) => h.chained))!;
    const text = block(chain);
    const path = text.split("\n").find((l) => l.trimStart().startsWith("- Path:"))!;
    expect(path).toContain(`${chain.start.cluster!.namespace}/${chain.start.cluster!.serviceAccount}`);
    expect(path.indexOf(chain.start.roleArn!)).toBeGreaterThan(0);
    expect(path.indexOf(chain.start.roleArn!)).toBeLessThan(path.indexOf(chain.hops[0]!.roleArn));
    expect(text).toContain(`${chain.maxSessionSeconds} s`);
    expect(text).toMatch(/chain(ed|ing)[^\n]*one hour \(3600 s\)/);
  });

  it("THEN a grant with no role to assume states its limit without a chaining note", () => {
    const own = compiled.chains.find((c) => c.hops.length === 0)!;
    const text = block(own);
    expect(text).toContain(`${own.maxSessionSeconds} s`);
    expect(text).not.toContain("one hour");
  });

  it("THEN the RDS security-group ingress is a manual step in the database's account, saying the port and the source", () => {
    const ingress = compiled.manualSteps.find((s) => /RDS/.test(s.title))!;
    expect(ingress.account).toBe(compiled.chains.find((c) => c.service === "secretsmanager")!.account);
    const account = compiled.state.accounts.get(ingress.account)!;
    const block = shown(section(section(text, "## Manual steps"), `### ${account.name} (${ingress.account})`));
    expect(block).toContain(ingress.title);
    expect(block).toContain(`TCP port ${String(compiled.model.grants[0]!.resources!["rds-port"])}`);
  });

  it("THEN there are no stage tables and no client snippets (no stages, no API or stream)", () => {
    expect(text).not.toContain("## Stages");
    expect(text).not.toContain("## Clients");
  });

  it("THEN the generated files are described by directory", () => {
    const files = section(text, "## Generated files");
    for (const dir of [
      "accounts/<account>/",
      "iam/",
      "cloudformation.json",
      "terraform/",
      "stacksets/",
      "workloads/<workload>/",
      "aws-config",
      "kubernetes/",
    ])
      expect(files).toContain(dir);
    for (const account of compiled.state.accounts.values()) expect(files).toContain(`\`${account.name}\``);
  });
});

describe("the README of pods with the credentials sidecar (seed 001)", () => {
  const catsText = readFileSync("examples/001-cats-external/xacct.yaml", "utf8");
  const { compiled, text } = readme(catsText);
  const sidecarPods = compiled.chains.filter((c) => c.start.type === "irsa" && c.hops.length > 0 && c.service !== "secretsmanager");

  it("GIVEN IRSA pods whose chains assume roles WHEN documented THEN it says how to build and push their image, from xacct's Dockerfile", () => {
    const part = section(text, "## Credentials sidecar");
    const images = new Set(sidecarPods.map((c) => compiled.model.workloads[c.workload]!.runtime!.credentialsImage!));
    expect(images.size).toBe(1);
    const [image] = [...images];
    expect(part).toContain("docker/credentials-sidecar/Dockerfile");
    expect(part).toContain("npm pack --pack-destination docker/credentials-sidecar");
    expect(part).toContain(`docker build --tag ${image} docker/credentials-sidecar`);
    expect(part).toContain(`docker push ${image}`);
    expect(part).toContain("Kubernetes 1.29 or later");
  });

  it("THEN each such workload's token Secret is created in its namespace with a random token, and no other workload's", () => {
    const part = section(text, "## Credentials sidecar");
    const commands = part.split("\n").filter((l) => l.startsWith("kubectl create secret generic "));
    const expected = [...new Set(sidecarPods.map((c) => `${c.workload} ${c.start.cluster!.namespace}`))];
    expect(commands).toHaveLength(expected.length);
    for (const pair of expected) {
      const [workload, namespace] = pair.split(" ");
      expect(commands).toContain(
        `kubectl create secret generic ${workload}-xacct-token --namespace ${namespace} --from-literal=token="$(openssl rand -hex 32)"`,
      );
    }
    // and it names the SDKs that need the token in AWS_CONTAINER_AUTHORIZATION_TOKEN
    expect(part).toContain("the SDK for Java v1 before 1.12.746 and v2 before 2.21.30");
  });

  it("THEN the IAM can be applied with the AWS CLI, account scripts in an order IAM takes", () => {
    const files = section(text, "## Generated files");
    const steps = files.split("\n").filter((l) => /^\d+\. `sh accounts\/.*\/iam\/apply\.sh`$/.test(l));
    const managed = [...compiled.state.accounts.values()].filter((a) => a.managed);
    expect(steps).toHaveLength(managed.length);
    // the app team's roles trust the CATS account's roles: CATS first
    expect(steps[0]).toContain("accounts/cats/");
    expect(files).toContain("--cli-input-json");
  });

  it("GIVEN no pod with the sidecar THEN there is no such section", () => {
    expect(text.length).toBeGreaterThan(0);
    const plain = readme(PLAIN_ECS_MODEL).text;
    expect(plain).not.toContain("## Credentials sidecar");
  });
});
