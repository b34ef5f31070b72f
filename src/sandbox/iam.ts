/**
 * IAM (query protocol, version 2010-05-08) over the sandbox's account state: roles, users, their
 * inline and managed policies, attachments, boundaries and tags, OIDC providers, instance
 * profiles, and GetAccountAuthorizationDetails. IAM is global: a caller acts on its own account's IAM. Every
 * call is first decided by the engine (`core.require`); input is validated as AWS validates it
 * before anything is written; every write is followed by `core.changed()` so later decisions
 * (STS AssumeRole included) see it. Responses follow IAM's API reference, policy documents
 * URL-encoded as IAM sends them.
 */
import { callerOf, queryAction, queryReply, type Service } from "./protocol.js";
import { iamRefusal } from "./session.js";
import type { IamAction, IamCall } from "./iam/call.js";
import { getAccountAuthorizationDetails } from "./iam/details.js";
import { entityActions, ROLES, USERS } from "./iam/entity.js";
import { INSTANCE_PROFILE_ACTIONS } from "./iam/instance-profiles.js";
import { metaOf } from "./iam/meta.js";
import { Params } from "./iam/params.js";
import { POLICY_ACTIONS } from "./iam/policies.js";
import { PROVIDER_ACTIONS } from "./iam/providers.js";
import { isoDate, queryShape } from "./iam/render.js";
import { ROLE_AND_USER_ACTIONS } from "./iam/roles.js";
import { AwsError } from "./xml.js";

export const IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
export const IAM_VERSION = "2010-05-08";

const ACTIONS: Record<string, IamAction> = {
  ...ROLE_AND_USER_ACTIONS,
  ...entityActions(ROLES),
  ...entityActions(USERS),
  ...POLICY_ACTIONS,
  ...PROVIDER_ACTIONS,
  ...INSTANCE_PROFILE_ACTIONS,
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
};

export const iam: Service = {
  protocol: "query",
  namespace: IAM_NAMESPACE,
  handle(request) {
    const { action, handler } = queryAction(request, ACTIONS, IAM_VERSION);
    const caller = callerOf(request);
    const refused = iamRefusal(caller);
    if (refused) throw refused;
    const { core } = request;
    const account = core.account(caller.account);
    // Every credential the sandbox issues belongs to an account of its state; this is the guard for one that no longer does.
    if (!account) throw new AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    const now = isoDate(request.now);
    const call: IamCall = {
      core,
      caller,
      account,
      params: new Params(request.params),
      meta: metaOf(core.state, now),
      requestId: request.requestId,
      now,
    };
    const result = handler(call);
    return queryReply(action, result && (queryShape(result) as Record<string, unknown>), request.requestId, IAM_NAMESPACE);
  },
};
