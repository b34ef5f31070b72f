/**
 * Behaviour cases from AWS's documentation, one behaviour each, as JSON fixtures in test/cases/.
 * Each file has `defaults` (request fields shared by its cases) and `cases`; a case's `request`
 * is laid over the defaults, and its `expect` (and, for denials, `deniedBy`) was worked out by
 * hand from the documentation the case quotes in `because`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../src/policy/index.js";

interface Case {
  name: string;
  because: string;
  request: Record<string, unknown>;
  expect: "Allow" | "ImplicitDeny" | "ExplicitDeny";
  deniedBy?: string;
  decidedBy?: string[];
}

interface CaseFile {
  source: string | string[];
  defaults?: Record<string, unknown>;
  cases: Case[];
}

const dir = join(import.meta.dirname, "cases");

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()) {
  const suite = JSON.parse(readFileSync(join(dir, file), "utf8")) as CaseFile;
  describe(file, () => {
    for (const c of suite.cases) {
      it(c.name, () => {
        const result = simulate({ ...suite.defaults, ...c.request });
        expect(result.decision, result.explain.summary).toBe(c.expect);
        if (c.deniedBy !== undefined) expect(result.explain.deniedBy).toBe(c.deniedBy);
        if (c.expect === "Allow") expect(result.explain.deniedBy).toBeUndefined();
        if (c.decidedBy !== undefined) expect(result.explain.decidedBy.map((s) => s.statement)).toEqual(c.decidedBy);
      });
    }
  });
}
