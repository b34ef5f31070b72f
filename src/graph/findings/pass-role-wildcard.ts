/**
 * XA010 — iam:PassRole on `*`. Whoever holds it can hand any role of the account (an admin role
 * included) to a service they control, and act with that role's permissions through it. A
 * Resource of `*`, or of every role (`arn:aws:iam::<account>:role/*`), is reported; without an
 * iam:PassedToService condition it is high, with one (the services it may be passed to) medium.
 */
import { allows, list, ownStatements, requiredValues, statementName } from "./statements.js";
import type { Finding, Rule } from "./types.js";

const EVERY_ROLE = /^(\*|arn:[^:]+:iam::[^:]*:(role\/)?\*)$/;

export const passRoleWildcard: Rule = {
  id: "XA010",
  summary: 'iam:PassRole allowed on "*" (every role of the account)',
  check(input) {
    const out: Finding[] = [];
    ownStatements(input, ["identity"]).forEach(({ doc, statement, compiled, index: i }) => {
      if (!allows(compiled, "iam:PassRole")) return;
      const every = list(statement.Resource).filter((r) => EVERY_ROLE.test(r));
      if (every.length === 0) return;
      const services = requiredValues(statement, "iam:PassedToService");
      out.push({
        id: "XA010",
        severity: services ? "medium" : "high",
        title: 'iam:PassRole on "*"',
        resource: doc.holder,
        detail: `${statementName(statement, i)} of ${doc.where} allows iam:PassRole on ${every.join(", ")}${services ? ` (to ${services.join(", ")})` : ""}: its holder can pass any role of the account, an administrator's included, to a service and act through it.`,
        fix: 'Allow iam:PassRole only on the ARNs of the roles the holder must pass, with "Condition": {"StringEquals": {"iam:PassedToService": "<service>.amazonaws.com"}}.',
      });
    });
    return out;
  },
};
