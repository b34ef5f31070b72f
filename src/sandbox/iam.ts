/**
 * IAM (query protocol, version 2010-05-08) over the sandbox's account state.
 */
import { queryReply, type Service } from "./protocol.js";
import { AwsError } from "./xml.js";

export const IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";

export const iam: Service = {
  protocol: "query",
  namespace: IAM_NAMESPACE,
  handle(request) {
    const action = request.params.get("Action") ?? "";
    throw new AwsError(400, "InvalidAction", `Could not find operation ${action} for version ${request.params.get("Version") ?? "NO_VERSION_SPECIFIED"}`);
    return queryReply(action, undefined, request.requestId, IAM_NAMESPACE);
  },
};
