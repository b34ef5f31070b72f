/**
 * Amazon SNS (the query protocol): which topic each operation acts on, as the SNS API reference
 * names it. The sandbox keeps no topics: calls are decided on that topic and answered with the
 * empty success of ./generic.ts.
 */
import { buildArn, isAccountId, parseArn } from "../../aws/arn.js";
import type { ResolvedResource, ResourceNamer } from "./resources.js";
import { stringOf } from "./resources.js";

/** A topic's name: 1 to 256 letters, digits, hyphens and underscores, `.fifo` at the end of a FIFO topic's. */
const TOPIC_NAME = /^[\w-]{1,256}(?:\.fifo)?$/;

/** A topic's ARN (`arn:P:sns:REGION:ACCOUNT:NAME`) and its account, or undefined for anything else. */
function topic(text: string | undefined): ResolvedResource | undefined {
  const arn = text === undefined ? null : parseArn(text);
  return arn &&
    arn.partition !== "" &&
    arn.service === "sns" &&
    arn.region !== "" &&
    isAccountId(arn.account) &&
    TOPIC_NAME.test(arn.resource)
    ? { arn: text as string, account: arn.account }
    : undefined;
}

/**
 * The topic of each SNS operation: TopicArn; Publish's TopicArn or TargetArn (when a topic's:
 * an endpoint or a phone number is no topic); the topic a SubscriptionArn
 * (`TOPICARN:SUBSCRIPTIONID`) belongs to; ResourceArn for tags and data protection policies; and
 * CreateTopic's Name in the caller's account.
 */
export const topicNamedBy: ResourceNamer = (action, input, where) => {
  switch (action.name) {
    case "CreateTopic": {
      const name = stringOf(input, "Name");
      return name === undefined
        ? undefined
        : topic(buildArn({ partition: where.partition, service: "sns", region: where.region, account: where.account, resource: name }));
    }
    case "Publish":
      return topic(stringOf(input, "TopicArn") ?? stringOf(input, "TargetArn"));
    case "Unsubscribe":
    case "GetSubscriptionAttributes":
    case "SetSubscriptionAttributes":
      return topic(/^(.*):[^:]+$/.exec(stringOf(input, "SubscriptionArn") ?? "")?.[1]);
    case "TagResource":
    case "UntagResource":
    case "ListTagsForResource":
    case "GetDataProtectionPolicy":
    case "PutDataProtectionPolicy":
      return topic(stringOf(input, "ResourceArn"));
    default:
      return topic(stringOf(input, "TopicArn"));
  }
};
