/**
 * The names a Principal element holds, in one place. A compiled Principal (or NotPrincipal) is a set
 * of tagged strings so the engine's membership test stays one `Set.has`; they are written by
 * `principalTag` and read back only by `decodePrincipalTag`, never sliced elsewhere. This module
 * imports nothing of xacct.
 */

/** One name of a Principal element, decoded. */
export type PrincipalName =
  /** An account (its root ARN, or a bare ID, whose partition is any). */
  | { kind: "account"; partition: string | undefined; account: string }
  /** A role named by its ARN: its sessions carry its name but not its path. */
  | { kind: "role"; partition: string; account: string; name: string }
  /** A user, role session or federated user (or CloudFront OAI) named by its ARN. */
  | { kind: "arn"; arn: string }
  | { kind: "service"; name: string }
  | { kind: "federated"; name: string }
  /** A deleted principal's unique ID (AROA…, AIDA…), which matches no caller. */
  | { kind: "unique-id"; id: string }
  | { kind: "canonical"; id: string };

/** The tagged string of each kind of name. */
export const principalTag = {
  account: (partition: string, account: string): string => `account:${partition}:${account}`,
  /** A bare account ID names the account in any partition. */
  anyPartitionAccount: (account: string): string => `account:*:${account}`,
  role: (partition: string, account: string, name: string): string => `role:${partition}:${account}:${name}`,
  arn: (arn: string): string => `arn:${arn}`,
  service: (name: string): string => `service:${name}`,
  federated: (name: string): string => `federated:${name}`,
  uniqueId: (id: string): string => `unique-id:${id}`,
  canonical: (id: string): string => `canonical:${id}`,
};

/** Reads a tagged name back (the inverse of `principalTag`). */
export function decodePrincipalTag(tag: string): PrincipalName {
  const colon = tag.indexOf(":");
  const rest = tag.slice(colon + 1);
  switch (tag.slice(0, colon)) {
    case "account": {
      const at = rest.indexOf(":");
      const partition = rest.slice(0, at);
      return { kind: "account", partition: partition === "*" ? undefined : partition, account: rest.slice(at + 1) };
    }
    case "role": {
      const first = rest.indexOf(":");
      const second = rest.indexOf(":", first + 1);
      return { kind: "role", partition: rest.slice(0, first), account: rest.slice(first + 1, second), name: rest.slice(second + 1) };
    }
    case "arn":
      return { kind: "arn", arn: rest };
    case "service":
      return { kind: "service", name: rest };
    case "federated":
      return { kind: "federated", name: rest };
    case "unique-id":
      return { kind: "unique-id", id: rest };
    case "canonical":
      return { kind: "canonical", id: rest };
  }
  throw new Error(`not a principal name: ${tag}`);
}
