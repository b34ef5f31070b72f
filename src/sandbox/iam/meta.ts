/**
 * What the sandbox's IAM knows beyond the AccountState: when each entity was created, every
 * version of each customer managed policy (the state holds only the default one), OIDC
 * providers' thumbprints and tags, and instance profiles (the state says only whether a role is
 * in one, `instanceProfile`). Kept per state, beside it, so the state stays the one
 * representation every other part reads.
 */
import type { AccountEntry, AccountState, PolicyDocument } from "../../state/account-state.js";
import type { DetailsFacts, ManagedPolicyFacts } from "../../state/authorization-details.js";

/** A customer managed policy's versions and description; the default version's document is also the state's. */
export interface PolicyMeta extends ManagedPolicyFacts {
  /** The number the next CreatePolicyVersion takes (AWS never reuses version ids). */
  nextVersion: number;
  tags: Map<string, string>;
}

export interface ProviderMeta {
  thumbprints: string[];
  tags: Map<string, string>;
}

/** An instance profile of an account: the role it holds, if any (IAM allows one). */
export interface InstanceProfileMeta {
  name: string;
  path: string;
  arn: string;
  tags: Map<string, string>;
  /** The name of the role it holds. */
  role?: string;
}

export class IamMeta {
  private readonly created = new Map<string, string>();
  /** By account ID, then profile name. */
  private readonly profiles = new Map<string, Map<string, InstanceProfileMeta>>();
  private readonly policies = new Map<string, PolicyMeta>();
  readonly providers = new Map<string, ProviderMeta>();

  /** @param since when the sandbox started: the creation date of what the state held then. */
  constructor(private readonly since: string) {}

  createDate(arn: string): string {
    return this.created.get(arn) ?? this.since;
  }

  /** Records an entity's creation (forgetting any earlier one of the same ARN). */
  create(arn: string, date: string): void {
    this.created.set(arn, date);
  }

  forget(arn: string): void {
    this.created.delete(arn);
    this.policies.delete(arn);
    this.providers.delete(arn);
  }

  /** A customer managed policy's versions; one of the state, never versioned here, has v1 only. */
  policy(arn: string, document: PolicyDocument): PolicyMeta {
    let meta = this.policies.get(arn);
    if (!meta) {
      const date = this.createDate(arn);
      meta = {
        createDate: date,
        updateDate: date,
        defaultVersionId: "v1",
        versions: [{ VersionId: "v1", Document: document, CreateDate: date }],
        nextVersion: 2,
        tags: new Map(),
      };
      this.policies.set(arn, meta);
    }
    return meta;
  }

  setPolicy(arn: string, meta: PolicyMeta): void {
    this.policies.set(arn, meta);
  }

  provider(arn: string): ProviderMeta {
    let meta = this.providers.get(arn);
    if (!meta) this.providers.set(arn, (meta = { thumbprints: [], tags: new Map() }));
    return meta;
  }

  /**
   * The account's instance profiles by name: on first use, one for each role of the state with
   * `instanceProfile` (of the role's name and path, holding it, as xacct's emitters create it),
   * then what IAM calls make of them.
   */
  instanceProfiles(account: AccountEntry): Map<string, InstanceProfileMeta> {
    let profiles = this.profiles.get(account.id);
    if (!profiles) {
      profiles = new Map();
      for (const role of account.roles.values())
        if (role.instanceProfile)
          profiles.set(role.name, {
            name: role.name,
            path: role.path,
            arn: role.arn.replace(":role/", ":instance-profile/"),
            tags: new Map(),
            role: role.name,
          });
      this.profiles.set(account.id, profiles);
    }
    return profiles;
  }

  /** The facts GetAccountAuthorizationDetails adds to an account's state. */
  facts(account: AccountEntry, state: AccountState): DetailsFacts {
    return {
      instanceProfiles: (role) =>
        [...this.instanceProfiles(account).values()]
          .filter((p) => p.role === role.name)
          .map((p) => ({ name: p.name, path: p.path, arn: p.arn, createDate: this.createDate(p.arn) })),
      createDate: (arn) => this.createDate(arn),
      managedPolicy: (arn) => {
        const document = account.managedPolicies.get(arn);
        return document ? this.policy(arn, document) : undefined;
      },
      ...(state.awsManagedPolicies ? { awsManagedPolicies: state.awsManagedPolicies } : {}),
    };
  }
}

const metas = new WeakMap<AccountState, IamMeta>();

/** The IAM facts kept beside a state (made on first use, dated `now`). */
export function metaOf(state: AccountState, now: string): IamMeta {
  let meta = metas.get(state);
  if (!meta) metas.set(state, (meta = new IamMeta(now)));
  return meta;
}
