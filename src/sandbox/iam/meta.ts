/**
 * What the sandbox's IAM knows beyond the AccountState: when each entity was created, every
 * version of each customer managed policy (the state holds only the default one), OIDC
 * providers' thumbprints and tags. Kept per state, beside it, so the state stays the one
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

export class IamMeta {
  private readonly created = new Map<string, string>();
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

  /** The facts GetAccountAuthorizationDetails adds to an account's state. */
  facts(account: AccountEntry, state: AccountState): DetailsFacts {
    return {
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
