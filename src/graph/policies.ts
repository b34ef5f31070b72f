/**
 * The policies that apply to a principal or a resource in an AccountState, compiled once each:
 * identity policies (inline, attached, groups'), permissions boundary, and the SCP and RCP levels
 * of an account's place in the organization.
 */
import { compilePolicy, type Policy, type PolicyKind } from "../policy/policy.js";
import type { AccountEntry, AccountState, PolicyDocument } from "../state/account-state.js";

export class PolicyBook {
  private readonly compiled = new WeakMap<PolicyDocument, Policy>();

  constructor(private readonly state: AccountState) {}

  /** Compiles a document once; `where` names it in errors. */
  policy(document: PolicyDocument, kind: PolicyKind, where: string): Policy {
    let policy = this.compiled.get(document);
    if (!policy) {
      policy = compilePolicy(document, kind, where);
      this.compiled.set(document, policy);
    }
    return policy;
  }

  managed(account: AccountEntry, arn: string): PolicyDocument | undefined {
    return account.managedPolicies.get(arn) ?? this.state.awsManagedPolicies?.get(arn);
  }

  /** Inline and attached policies of a role or user (and of the user's groups). */
  identityPolicies(account: AccountEntry, holder: { arn: string; policies: Record<string, PolicyDocument>; managedPolicyArns: string[]; groups?: string[] }): Policy[] {
    const out: Policy[] = [];
    const add = (owner: { arn: string; policies: Record<string, PolicyDocument>; managedPolicyArns: string[] }) => {
      for (const [name, doc] of Object.entries(owner.policies)) out.push(this.policy(doc, "identity", `${owner.arn} inline policy ${name}`));
      for (const arn of owner.managedPolicyArns) {
        const doc = this.managed(account, arn);
        if (doc) out.push(this.policy(doc, "identity", arn));
      }
    };
    add(holder);
    for (const group of holder.groups ?? []) {
      const g = account.groups.get(group);
      if (g) add(g);
    }
    return out;
  }

  boundary(account: AccountEntry, arn: string | undefined): Policy | undefined {
    const doc = arn ? this.managed(account, arn) : undefined;
    return doc && arn ? this.policy(doc, "boundary", arn) : undefined;
  }

  /** SCP levels (root first) for principals of an account; undefined outside an organization and for its management account. */
  scps(accountId: string): Policy[][] | undefined {
    const org = this.state.organization;
    if (!org || org.managementAccount === accountId) return undefined;
    return this.levels(accountId, org.serviceControlPolicies, "scp");
  }

  /** RCP levels for resources of an account; RCPs do not apply in the management account. */
  rcps(accountId: string): Policy[][] | undefined {
    const org = this.state.organization;
    if (!org || org.managementAccount === accountId) return undefined;
    return this.levels(accountId, org.resourceControlPolicies, "rcp");
  }

  private levels(accountId: string, attached: Map<string, PolicyDocument[]>, kind: "scp" | "rcp"): Policy[][] | undefined {
    const parents = this.state.organization?.parents.get(accountId);
    if (!parents) return undefined;
    return [...parents, accountId].map((target) => {
      const docs = attached.get(target);
      // A root, OU or account with no entry imposes nothing: AWS's full-access policy is attached there.
      if (!docs) return kind === "scp" ? [FULL_ACCESS_SCP] : [];
      return docs.map((d, i) => this.policy(d, kind, `organization ${kind === "scp" ? "serviceControlPolicies" : "resourceControlPolicies"}.${target}[${i}]`));
    });
  }
}

const FULL_ACCESS_SCP = compilePolicy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }, "scp", "FullAWSAccess");
