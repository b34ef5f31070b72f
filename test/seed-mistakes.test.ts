/**
 * The mistakes the seed documents make by hand, checked absent from everything xacct writes for
 * the seed examples (and the combined one): one test per mistake.
 */
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { emitAll } from "../src/emit/index.js";
import type { PolicyStatement } from "../src/state/account-state.js";
import { compileExample } from "./support/state.js";

const examples = ["000-sparkflows-mwaa", "001-cats-external", "004-emr-eks-chain", "combined"];
const outputs = Object.fromEntries(examples.map((e) => [e, { compiled: compileExample(e), files: emitAll(compileExample(e)) }]));
const list = (v: string | string[] | undefined) => (v === undefined ? [] : typeof v === "string" ? [v] : v);

function allStatements(example: string): PolicyStatement[] {
  const { compiled } = outputs[example]!;
  return [...compiled.state.accounts.values()].flatMap((a) => [
    ...[...a.roles.values()].flatMap((r) => [...r.policies.values()].flatMap((d) => d.Statement)),
    ...[...a.users.values()].flatMap((u) => [...u.policies.values()].flatMap((d) => d.Statement)),
    ...[...a.resourcePolicies.values()].flatMap((p) => p.policy.Statement),
  ]);
}

/** Every container command line (command and args joined) in a Kubernetes object. */
function commands(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(commands);
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = Array.isArray(record.command) ? [[...record.command, ...((record.args as string[]) ?? [])].join(" ") + " "] : [];
  return [...own, ...Object.values(record).flatMap(commands)];
}

describe.each(examples)("examples/%s", (example) => {
  const { files } = outputs[example]!;

  it("never grants s3:ListBucket on object ARNs (seed 000)", () => {
    for (const s of allStatements(example)) {
      if (list(s.Action).includes("s3:ListBucket"))
        expect(list(s.Resource).filter((r) => r.startsWith("arn:aws:s3:::") && r.includes("/"))).toEqual([]);
    }
  });

  it("never grants a whole service or every action on every resource (seed 000's s3:*, emr:* on *)", () => {
    for (const s of allStatements(example)) {
      const wideAction = list(s.Action).some((a) => a === "*" || a.endsWith(":*"));
      expect(wideAction, JSON.stringify(s)).toBe(false);
    }
  });

  it("never puts a Deployment under apiVersion batch/v1 (seed 001)", () => {
    for (const file of files.filter((f) => f.path.endsWith(".yaml"))) {
      for (const doc of parseAllDocuments(file.content)) {
        const object = doc.toJS() as { apiVersion?: string; kind?: string } | null;
        if (object?.kind === "Deployment") expect(object.apiVersion).toBe("apps/v1");
      }
    }
  });

  it("names each trigger after what it triggers: no Glue or SageMaker job called a lambda trigger (seed 001)", () => {
    let checked = 0;
    for (const file of files.filter((f) => f.path.endsWith(".yaml"))) {
      for (const doc of parseAllDocuments(file.content)) {
        const object = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
        if (!object || !["CronJob", "Job", "Deployment"].includes(object.kind ?? "")) continue;
        const text = commands(object).join("\n");
        for (const [command, service] of [
          ["aws glue ", "glue"],
          ["aws sagemaker", "sagemaker"],
          ["aws redshift-data ", "redshift"],
          ["aws lambda ", "lambda"],
        ] as const) {
          if (!text.includes(command)) continue;
          expect(object.metadata?.name, file.path).toContain(service);
          checked++;
        }
      }
    }
    // Seed 001's triggers are all in 001 and the combined model: the check must have seen them.
    if (example === "001-cats-external" || example === "combined") expect(checked).toBeGreaterThanOrEqual(4);
  });

  it("never asks a chained hop for more than 3600 s (seed 004)", () => {
    for (const file of files.filter((f) => f.path.endsWith("aws-config"))) {
      const sections = file.content.split(/\n(?=\[)/);
      for (const section of sections) {
        const duration = /duration_seconds = (\d+)/.exec(section);
        const chainedFromProfile = /source_profile = /.test(section) || /credential_source = /.test(section);
        if (duration && chainedFromProfile && !/credential_source = Environment/.test(section))
          expect(Number(duration[1])).toBeLessThanOrEqual(3600);
      }
    }
  });
});
