/**
 * A grant's raw `statements:` (added to the role's identity policy as written) are checked with
 * the policy engine's own parser when the model is loaded, so a statement AWS would refuse
 * (`Effect: Permit`, an unknown element, a malformed action) is an error at its line, not a file
 * written with exit 0 that IAM, CloudFormation or `verify` refuses later.
 */
import { compilePolicy } from "../policy/policy.js";
import { PolicyInputError } from "../policy/errors.js";
import type { ReferenceProblem } from "./references.js";

type Raw = Record<string, unknown>;

const asRecord = (v: unknown): Raw => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : {});

export function checkStatements(input: unknown): ReferenceProblem[] {
  const grants = asRecord(input).grants;
  if (!Array.isArray(grants)) return [];
  const problems: ReferenceProblem[] = [];
  grants.forEach((raw, i) => {
    const statements = asRecord(raw).statements;
    // Not a list: the schema says so.
    if (!Array.isArray(statements)) return;
    try {
      compilePolicy({ Version: "2012-10-17", Statement: statements }, "identity", "");
    } catch (error) {
      if (!(error instanceof PolicyInputError)) throw error;
      // The engine's path starts at the policy's Statement list; the model's at the grant's statements.
      const [, ...rest] = error.keys;
      problems.push({
        path: ["grants", i, "statements", ...rest],
        message: `${error.problem} (statements join the role's identity-based policy as written)`,
      });
    }
  });
  return problems;
}
