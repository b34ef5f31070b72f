/**
 * The real validators every example's generated files go through where they are installed:
 * cfn-lint on every CloudFormation template (each account's and each StackSet's), and
 * `terraform validate` on every Terraform configuration (./terraform-validate.ts says why it skips).
 */
import { expect, it } from "vitest";
import { cfnLint, hasCfnLint } from "./cfn-lint.js";
import { validate, why } from "./terraform-validate.js";

/** The paths of a build's CloudFormation templates: each account's and each StackSet's. */
export function generatedTemplates(files: ReadonlyMap<string, string>): string[] {
  return [...files.keys()].filter((p) => p.endsWith("cloudformation.json") || (p.startsWith("stacksets/") && p.endsWith(".json")));
}

/** Registers, in the enclosing describe, cfn-lint over every template and terraform validate over every configuration of a build. */
export function itPassesTheValidators(files: ReadonlyMap<string, string>): void {
  const templates = generatedTemplates(files);
  const configurations = [...files.keys()].filter((p) => p.endsWith("main.tf.json"));

  it.skipIf(!hasCfnLint)("passes cfn-lint, AWS's template linter (skipped when it is not installed)", { timeout: 120_000 }, () => {
    // GIVEN every generated template
    expect(templates.length).toBeGreaterThan(0);
    // WHEN cfn-lint reads them
    const r = cfnLint(templates.map((path) => files.get(path) ?? ""));
    // THEN it finds nothing
    expect(r).toEqual({ output: "", status: 0 });
  });

  it.skipIf(Boolean(why))(`passes terraform validate${why ? ` (skipped: ${why})` : ""}`, { timeout: 120_000 }, () => {
    // GIVEN every generated Terraform configuration
    expect(configurations.length).toBeGreaterThan(0);
    // WHEN terraform validates them (terraform init from the local provider mirror)
    const r = validate(configurations.map((path) => [path, JSON.parse(files.get(path) ?? "") as Record<string, unknown>]));
    // THEN they are valid
    expect(r.output).toContain("The configuration is valid");
    expect(r.status).toBe(0);
  });
}
