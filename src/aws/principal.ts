/**
 * The names a Principal element holds, in one place: a compiled Principal (or NotPrincipal) is a
 * `PrincipalSet`, one collection per kind of name, so the engine's membership tests stay O(1) and
 * the graph and queries read typed `PrincipalName`s back. This module imports nothing of xacct.
 */

/** One name of a Principal element. */
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

/** A Principal or NotPrincipal element, compiled: who it names, by kind. */
export class PrincipalSet implements Iterable<PrincipalName> {
  /** `"*"` (alone or as `{"AWS": "*"}`): every caller. */
  everyone = false;
  // Each collection is made when its first name arrives: an inventory holds a set per trust and
  // resource policy statement, most naming one or two principals.
  /** Accounts named by their root ARN, by partition. */
  private accounts?: Map<string, Set<string>>;
  /** Accounts named by a bare ID: the account in any partition. */
  private anyPartitionAccounts?: Set<string>;
  /** Roles by partition, account and name. */
  private roles?: Map<string, Map<string, Set<string>>>;
  private arns?: Set<string>;
  private services?: Set<string>;
  private federated?: Set<string>;
  private uniqueIds?: Set<string>;
  private canonicalIds?: Set<string>;
  /** Every name once, in the order the element gives them. */
  private readonly names: PrincipalName[] = [];

  /** Adds a name (a name already held is not added twice). */
  add(name: PrincipalName): void {
    if (this.addToKind(name)) this.names.push(name);
  }

  private addToKind(name: PrincipalName): boolean {
    switch (name.kind) {
      case "account":
        return name.partition === undefined
          ? added((this.anyPartitionAccounts ??= newSet()), name.account)
          : added(entry((this.accounts ??= new Map()), name.partition, newSet), name.account);
      case "role":
        return added(entry(entry((this.roles ??= new Map()), name.partition, newMap), name.account, newSet), name.name);
      case "arn":
        return added((this.arns ??= newSet()), name.arn);
      case "service":
        return added((this.services ??= newSet()), name.name);
      case "federated":
        return added((this.federated ??= newSet()), name.name);
      case "unique-id":
        return added((this.uniqueIds ??= newSet()), name.id);
      case "canonical":
        return added((this.canonicalIds ??= newSet()), name.id);
    }
  }

  /** Whether the account is named, by its root ARN in the partition or by its bare ID. */
  hasAccount(partition: string, account: string): boolean {
    return this.accounts?.get(partition)?.has(account) === true || this.anyPartitionAccounts?.has(account) === true;
  }

  /** Whether the role (by partition, account and name) is named. */
  hasRole(partition: string, account: string, name: string): boolean {
    return this.roles?.get(partition)?.get(account)?.has(name) === true;
  }

  /** Whether a user, session or federated user is named by its ARN. */
  hasArn(arn: string): boolean {
    return this.arns?.has(arn) === true;
  }

  /** Whether a bare name is named as a service (lower-cased) or as a federated provider. */
  hasServiceOrFederated(name: string): boolean {
    return this.services?.has(name.toLowerCase()) === true || this.federated?.has(name) === true;
  }

  /** How many names are held (`*` aside). */
  get size(): number {
    return this.names.length;
  }

  /** Every name, in the order the element gives them. */
  [Symbol.iterator](): Iterator<PrincipalName> {
    return this.names[Symbol.iterator]();
  }
}

const newSet = () => new Set<string>();
const newMap = () => new Map<string, Set<string>>();

function added(set: Set<string>, value: string): boolean {
  if (set.has(value)) return false;
  set.add(value);
  return true;
}

/** The value under a key, created empty when missing. */
function entry<T>(map: Map<string, T>, key: string, empty: () => T): T {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = empty()));
  return value;
}
