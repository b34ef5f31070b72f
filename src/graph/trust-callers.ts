/**
 * Who a role's trust policy could admit, from what its statements name: a principal, a role, an
 * account (its root or its bare ID), a service, an OIDC or SAML provider, or everyone. So each role
 * is checked only against the callers its trust can admit, and cost grows with the edges, not with
 * the square of the principals.
 *
 * A trust naming a whole account delegates to that account's administrators: in another account
 * only the principals whose identity policies could allow sts:AssumeRole on the role may call (a
 * GrantIndex finds them), and in the role's own account those the trust names directly may too
 * ("Policy evaluation for intra-account requests": a resource-based policy naming the principal
 * or its role allows by itself). Callers the inventory does not hold get nodes as they are named.
 */
import { iamAccountId, isAccountId, principalAccountId, roleArn } from "../aws/arn.js";
import { principalStrength, Strength } from "../policy/principal.js";
import type { Policy, Statement } from "../policy/policy.js";
import type { AccountEntry, AccountState, PolicyDocument, RoleState } from "../state/account-state.js";
import type { GraphNode, GraphNodes } from "./nodes.js";

/** Which principals a trust naming a whole account, or everyone, is tried against. */
interface CallerFilter {
  ofAccount: (account: AccountEntry) => string[];
  everyone: () => string[];
}

/** Callers of a trust naming whole accounts or everyone, when only the nodes it names are wanted. */
const NAMED_ONLY: CallerFilter = { ofAccount: () => [], everyone: () => [] };

export class TrustCallers {
  /** Per account, its users and roles (in node order) whose identity policies can allow sts:AssumeRole at all (or are unknown). */
  private readonly capable = new Map<AccountEntry, string[]>();

  constructor(
    private readonly state: AccountState,
    private readonly nodes: GraphNodes,
  ) {}

  /**
   * Creates the nodes every trust of the state names outside the inventory (an external account,
   * a provider's identity, a service), so that every node exists before any edge is decided.
   */
  nameAll(trustOf: (role: RoleState) => Policy): void {
    for (const account of this.state.accounts.values()) {
      for (const role of account.roles.values()) {
        if (!this.namesOnlyManaged(role.trustPolicy))
          for (const statement of trustOf(role).statements) if (statement.effect === "Allow") this.namedBy(statement, account, NAMED_ONLY);
      }
    }
  }

  /**
   * Whether every principal a trust document's Allow statements name is an IAM principal (or the
   * root) of a managed account of the state, so its callers already have nodes. Read from the
   * document as it is, without compiling it (most trusts are only compiled if an edge is asked).
   */
  private namesOnlyManaged(document: PolicyDocument): boolean {
    // Anything unexpected (a lone statement object, a value that is not a string) is left to the compiler.
    if (!Array.isArray(document.Statement)) return false;
    for (const statement of document.Statement) {
      if (statement.Effect !== "Allow") continue;
      const principal = statement.Principal;
      if (principal === undefined || principal === "*" || statement.NotPrincipal !== undefined) return false;
      for (const [kind, value] of Object.entries(principal)) {
        if (kind !== "AWS") return false;
        for (const name of typeof value === "string" ? [value] : Array.isArray(value) ? value : [undefined]) {
          if (typeof name !== "string") return false;
          const id = isAccountId(name) ? name : iamAccountId(name);
          if (id === undefined || this.state.accounts.get(id)?.managed !== true) return false;
        }
      }
    }
    return true;
  }

  /** The node ids a role's trust could admit (not yet decided by the engine), in the order its statements name them. */
  of(role: RoleState, account: AccountEntry, trust: Policy): Set<string> {
    const { grants, order } = this.nodes.indexed();
    // The identity policies that could allow sts:AssumeRole on the role, found when first needed.
    let allowing: Set<Policy> | undefined;
    const mayCall = (id: string) => {
      const node = this.nodes.byId.get(id) as GraphNode;
      const assumers = this.nodes.assumeRolePolicies(node);
      if (assumers.length > 0) {
        allowing ??= grants.allowing("sts:AssumeRole", role.arn);
        if (assumers.some((p) => (allowing as Set<Policy>).has(p))) return true;
      }
      // Attached policies whose documents are unknown may allow it: the edge is then decided as unknown.
      if (node.unknownPolicies?.length) return true;
      return node.account === account.id && this.namesDirectly(trust, node);
    };
    const filter: CallerFilter = {
      // In another account only principals whose identity policies can allow sts:AssumeRole may call.
      ofAccount: (known) =>
        (known === account ? [...known.roles.values(), ...known.users.values()].map((p) => p.arn) : this.assumeCapable(known)).filter(
          mayCall,
        ),
      // Everyone: users and roles whose side could allow it, and all of the role's own account (a `*` trust names them directly).
      everyone: () => {
        const ids = new Set([...account.roles.values(), ...account.users.values()].map((p) => p.arn));
        for (const id of [...grants.candidates("sts:AssumeRole", role.arn), ...this.nodes.indexed().unknown]) {
          const kind = this.nodes.byId.get(id)?.kind;
          if (kind === "role" || kind === "user") ids.add(id);
        }
        return [...ids].sort((a, b) => (order.get(a) as number) - (order.get(b) as number));
      },
    };
    return new Set(trust.statements.filter((s) => s.effect === "Allow").flatMap((s) => this.namedBy(s, account, filter)));
  }

  /**
   * Whether a resource-based policy (a trust) allows the node itself or its role by name, not only
   * its account, in some statement: in the resource's own account that lets the node in whatever
   * its identity policies say.
   */
  namesDirectly(policy: Policy, node: GraphNode): boolean {
    const principal = this.nodes.principalOf(node);
    return policy.statements.some(
      (s) => s.effect === "Allow" && (s.principal === null || principalStrength(s.principal, principal) >= Strength.Role),
    );
  }

  /**
   * The callers a trust statement names (creating nodes for those the inventory does not hold).
   * Of a whole account's principals, and of everyone, only those `filter` says may call.
   */
  private namedBy(statement: Statement, account: AccountEntry, filter: CallerFilter): string[] {
    const callers: string[] = [];
    for (const name of statement.principal ?? []) {
      if (name.kind === "service") callers.push(this.nodes.service(name.name));
      else if (name.kind === "federated") callers.push(...this.nodes.federated(name.name, statement));
      else if (name.kind === "account") {
        const known = this.state.accounts.get(name.account);
        if (known) callers.push(...filter.ofAccount(known));
        // An account outside the inventory, or outside the model's management: any of its principals.
        if (!known?.managed) callers.push(this.nodes.externalAccount(name.account, account.partition));
      } else if (name.kind === "role") {
        const known = this.state.accounts.get(name.account);
        const found = known?.roles.get(name.name);
        // A role outside the inventory is its own caller (the trust names it, not its whole account);
        // the principal element keeps no path, so its node is named without one.
        if (found) callers.push(found.arn);
        else if (!known?.managed) callers.push(this.nodes.outsider(roleArn(name.partition, name.account, name.name)).id);
      } else if (name.kind === "arn") {
        const arn = name.arn;
        if (this.nodes.byId.has(arn)) callers.push(arn);
        else {
          const id = principalAccountId(arn);
          if (id && !this.state.accounts.has(id)) callers.push(this.nodes.outsider(arn).id);
        }
      }
    }
    if (statement.principal?.everyone) callers.push(...filter.everyone());
    return callers;
  }

  /** The users and roles of an account (in node order) whose identity policies can allow sts:AssumeRole at all. */
  private assumeCapable(account: AccountEntry): string[] {
    let ids = this.capable.get(account);
    if (!ids) {
      ids = [...account.roles.values(), ...account.users.values()]
        .map((p) => p.arn)
        .filter((id) => {
          const node = this.nodes.byId.get(id) as GraphNode;
          return this.nodes.assumeRolePolicies(node).length > 0 || (node.unknownPolicies?.length ?? 0) > 0;
        });
      this.capable.set(account, ids);
    }
    return ids;
  }
}
