/**
 * XA005 — a service principal trusted without aws:SourceAccount or aws:SourceArn. A service
 * assumes a role (or uses a resource) on behalf of whichever customer's resource set it up; the
 * source keys tie it to yours, which AWS recommends against the cross-service confused deputy
 * (aws:SourceOrgID and aws:SourceOrgPaths count too).
 *
 * Not every service sends the keys: EC2 does not when it assumes an instance profile's role
 * (ec2.amazonaws.com), and a condition on them would make the role unusable, so it is exempt.
 * Service-linked roles (path /aws-service-role/) are exempt too: AWS owns their trust.
 */
import { ownStatements, principalsOf, requiresAnyKey, statementName } from "./statements.js";
import type { Finding, Rule } from "./types.js";

/** Services that send neither aws:SourceAccount nor aws:SourceArn when they assume a role. */
export const SERVICES_WITHOUT_SOURCE: ReadonlySet<string> = new Set(["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]);

const SOURCE_KEYS = ["aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths"] as const;

export const serviceSource: Rule = {
  id: "XA005",
  summary: "a service principal trusted without aws:SourceAccount/aws:SourceArn (EC2, which does not send them, exempt)",
  check(input) {
    const out: Finding[] = [];
    ownStatements(input, ["trust", "resource"]).forEach(({ doc, statement, compiled, index: i }) => {
      if (/:role\/aws-service-role\//.test(doc.holder)) return;
      if (compiled.effect !== "Allow" || requiresAnyKey(statement, SOURCE_KEYS)) return;
      for (const service of principalsOf(statement).service.filter((s) => !SERVICES_WITHOUT_SOURCE.has(s.toLowerCase()))) {
        out.push({
          id: "XA005",
          severity: "medium",
          title: "Service principal trusted without aws:SourceAccount or aws:SourceArn",
          resource: doc.holder,
          detail: `${statementName(statement, i)} of ${doc.where} admits ${service} with no aws:SourceAccount or aws:SourceArn condition: the service may act on behalf of another customer's resource (the cross-service confused deputy).`,
          fix: `Add "Condition": {"StringEquals": {"aws:SourceAccount": "${doc.account.id}"}} — or, narrower, {"ArnLike": {"aws:SourceArn": "<the ARN of the resource that uses it>"}}.`,
        });
      }
    });
    return out;
  },
};
