/**
 * Policy documents as IAM takes and gives them: validated with xacct's policy grammar (trust and
 * identity kinds) before anything is written, refused as MalformedPolicyDocument in AWS's words,
 * and returned URL-encoded (RFC 3986), as IAM's query API returns every policy document.
 */
import { iamAccountId, parseArn } from "../../aws/arn.js";
import { PolicyInputError } from "../../policy/errors.js";
import { compilePolicy } from "../../policy/policy.js";
import type { AccountState, PolicyDocument } from "../../state/account-state.js";
import { readJsonObject } from "../../text/json.js";
import { AwsError } from "../xml.js";

export function malformed(message: string): AwsError {
  return new AwsError(400, "MalformedPolicyDocument", message);
}

/**
 * A policy's size as IAM's quotas count it, from its text: "in non-whitespace characters" (IAM API
 * reference, GetAccountSummary: PolicySizeQuota, UserPolicySizeQuota, AssumeRolePolicySizeQuota …).
 * A linear count of the text as sent, so that a document past its quota is refused before it is
 * parsed or compiled (a 130 KB document used to be compiled first, blocking every other request).
 */
export function sizeOfText(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // JSON's whitespace (RFC 8259): space, tab, line feed, carriage return.
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) size++;
  }
  return size;
}

/** A stored document's size, counted as sizeOfText counts its text. */
export function sizeOf(document: PolicyDocument): number {
  return sizeOfText(JSON.stringify(document));
}

/** A document as IAM's responses carry it: URL-encoded JSON. */
export function encodeDocument(document: unknown): string {
  return encodeURIComponent(JSON.stringify(document));
}

type Raw = Record<string, unknown>;

function statementsOf(document: Raw): Raw[] {
  const raw = document.Statement;
  const list: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((s): s is Raw => typeof s === "object" && s !== null && !Array.isArray(s));
}

/** AWS's own words for the mistakes it names; the rest are said in the engine's located words. */
function awsWording(document: Raw, kind: "trust" | "identity"): string | undefined {
  for (const s of statementsOf(document)) {
    if (s.Action === undefined && s.NotAction === undefined) return "Policy statement must contain actions.";
    if (kind === "identity") {
      if (s.Principal !== undefined || s.NotPrincipal !== undefined) return "Policy document should not specify a principal.";
      if (s.Resource === undefined && s.NotResource === undefined) return "Policy statement must contain resources.";
    } else {
      if (s.Resource !== undefined) return "Has prohibited field Resource";
      if (s.NotResource !== undefined) return "Has prohibited field NotResource";
      if (s.Principal === undefined && s.NotPrincipal === undefined) return "Missing required field Principal";
    }
  }
  return undefined;
}

/** The IAM entities a policy names by ARN whose existence IAM checks when the policy is written. */
const NAMED_PRINCIPALS: ReadonlySet<string> = new Set(["role", "user", "oidc-provider", "saml-provider"]);

/**
 * IAM refuses a trust policy naming a role, user or identity provider that does not exist (it
 * stores the principal's unique ID). Checked for the accounts the sandbox holds; others are outside it.
 */
function invalidPrincipal(document: Raw, state: AccountState): string | undefined {
  for (const s of statementsOf(document)) {
    const principal = s.Principal;
    if (typeof principal !== "object" || principal === null) continue;
    for (const [type, value] of Object.entries(principal as Raw)) {
      if (type !== "AWS" && type !== "Federated") continue;
      for (const arn of Array.isArray(value) ? value : [value]) {
        if (typeof arn !== "string" || arn.includes("*")) continue;
        const account = state.accounts.get(iamAccountId(arn) ?? "");
        const resource = parseArn(arn)?.resource ?? "";
        const kind = resource.slice(0, resource.indexOf("/"));
        if (!account || !NAMED_PRINCIPALS.has(kind) || resource.length === kind.length + 1) continue;
        const name = resource.slice(resource.lastIndexOf("/") + 1);
        const exists =
          kind === "role"
            ? account.roles.get(name)?.arn === arn
            : kind === "user"
              ? account.users.get(name)?.arn === arn
              : kind === "oidc-provider"
                ? account.oidcProviders.has(arn)
                : account.samlProviders.has(arn);
        if (!exists) return `Invalid principal in policy: ${JSON.stringify(type)}:${JSON.stringify(arn)}`;
      }
    }
  }
  return undefined;
}

/** A policy document given as JSON text, validated as IAM validates a role's trust policy or an identity policy. */
export function readDocument(text: string, kind: "trust" | "identity", state: AccountState): PolicyDocument {
  const { value: document, problem } = readJsonObject(text);
  if (problem) throw malformed(problem.kind === "syntax" ? "This policy contains invalid Json" : "Syntax errors in policy.");
  const worded = awsWording(document, kind);
  if (worded) throw malformed(worded);
  try {
    compilePolicy(document, kind, "");
  } catch (e) {
    if (e instanceof PolicyInputError) throw malformed(e.message);
    throw e;
  }
  const principal = kind === "trust" ? invalidPrincipal(document, state) : undefined;
  if (principal) throw malformed(principal);
  return document as unknown as PolicyDocument;
}
