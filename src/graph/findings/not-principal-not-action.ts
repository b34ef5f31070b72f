/**
 * XA011 — NotPrincipal or NotAction with Allow. An Allow with NotPrincipal admits every principal
 * of every account but those listed; an Allow with NotAction allows every action of every service
 * but those listed, including actions AWS adds later. AWS advises against both; name what is
 * allowed instead (NotPrincipal belongs with Deny).
 */
import { ownDocuments } from "./documents.js";
import { list, statementName } from "./statements.js";
import type { Finding, Rule } from "./types.js";

export const notPrincipalNotAction: Rule = {
  id: "XA011",
  summary: "NotPrincipal or NotAction in an Allow statement",
  check(input) {
    const out: Finding[] = [];
    // The text, not the engine's reading: a document the engine refuses is still reported (see documents.ts).
    for (const doc of ownDocuments(input.state, input.policies)) {
      doc.document.Statement.forEach((statement, i) => {
        if (statement.Effect !== "Allow") return;
        if (statement.NotPrincipal !== undefined) {
          out.push({
            id: "XA011",
            severity: "high",
            title: "NotPrincipal with Allow",
            resource: doc.holder,
            detail: `${statementName(statement, i)} of ${doc.where} allows every principal except ${JSON.stringify(statement.NotPrincipal)}: anyone else, in any account, is admitted.`,
            fix: 'Name the allowed principals in "Principal" instead; use NotPrincipal only with "Effect": "Deny".',
          });
        }
        if (statement.NotAction !== undefined) {
          out.push({
            id: "XA011",
            severity: "medium",
            title: "NotAction with Allow",
            resource: doc.holder,
            detail: `${statementName(statement, i)} of ${doc.where} allows every action except ${list(statement.NotAction).join(", ")}${list(statement.Resource).includes("*") || statement.NotResource !== undefined ? " on every resource" : ""}, including actions AWS adds later.`,
            fix: 'List the allowed actions in "Action"; to carve out exceptions from a broad grant, add a Deny statement.',
          });
        }
      });
    }
    return out;
  },
};
