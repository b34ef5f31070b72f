/**
 * XA006 — an OIDC trust without both `<issuer>:sub` and `<issuer>:aud`. A trust naming an
 * `oidc-provider/…` admits every token its issuer signs unless the conditions pin the subject
 * (for EKS, `system:serviceaccount:<namespace>:<name>`) and the audience (`sts.amazonaws.com`).
 * Without `sub`, every identity of the issuer (every pod of the cluster, every repository of a
 * CI provider) may assume the role; a `sub` of just `*` pins nothing.
 */
import { allRoles, trustDocument } from "./documents.js";
import { principalsOf, requiredValues, statementName, statementsOf } from "./statements.js";
import type { Finding, Rule } from "./types.js";

export const oidcConditions: Rule = {
  id: "XA006",
  summary: "an OIDC provider trusted without both <issuer>:sub and <issuer>:aud conditions",
  check({ state, policies }) {
    const out: Finding[] = [];
    for (const { account, role } of allRoles(state)) {
      statementsOf(trustDocument(policies, account, role)).forEach(({ written: statement, compiled }, i) => {
        if (compiled.effect !== "Allow") return;
        for (const provider of principalsOf(statement).federated.filter((f) => f.includes(":oidc-provider/"))) {
          const issuer = provider.slice(provider.indexOf(":oidc-provider/") + ":oidc-provider/".length);
          const sub = requiredValues(statement, `${issuer}:sub`);
          const missing = [
            ...(sub === undefined || sub.every((v) => /^\*+$/.test(v)) ? ["sub"] : []),
            ...(requiredValues(statement, `${issuer}:aud`) === undefined ? ["aud"] : []),
          ];
          if (missing.length === 0) continue;
          out.push({
            id: "XA006",
            severity: missing.includes("sub") ? "high" : "medium",
            title: `OIDC trust without ${missing.map((m) => `${issuer}:${m}`).join(" and ")}`,
            resource: role.arn,
            detail: `${statementName(statement, i)} of the trust policy of ${role.arn} admits web identities from ${issuer} without a condition on ${missing.join(" and ")}${missing.includes("sub") ? ": every identity the issuer signs tokens for may assume the role" : ": tokens issued for other audiences are accepted"}.`,
            fix: `Add "Condition": {"StringEquals": {${[
              ...(missing.includes("sub")
                ? [`"${issuer}:sub": "<subject, e.g. system:serviceaccount:<namespace>:<service account>>"`]
                : []),
              ...(missing.includes("aud") ? [`"${issuer}:aud": "sts.amazonaws.com"`] : []),
            ].join(", ")}}}.`,
          });
        }
      });
    }
    return out;
  },
};
