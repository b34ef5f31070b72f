/** Amazon SNS: what each access verb grants, the topics it names, and the topic each operation acts on. */
import { buildArn, isAccountId, parseArn } from "../aws/arn.js";
import type { Recipe } from "./recipe.js";
import { type ResolvedResource, type ResourceNamer, stringOf } from "./resource-namer.js";
import { type PolicyCollector, policyOf } from "./policy-collector.js";

/** Every topic of the region (ListTopics) and its Policy attribute (GetTopicAttributes). */
const collectTopicPolicies: PolicyCollector = {
  scope: "regional",
  actions: ["sns:ListTopics", "sns:GetTopicAttributes"],
  async *policies(at, clients) {
    const { GetTopicAttributesCommand, paginateListTopics, SNSClient } = await import("@aws-sdk/client-sns");
    const client = clients.make((config) => new SNSClient(config));
    for await (const page of paginateListTopics({ client }, {}))
      for (const { TopicArn } of page.Topics ?? []) {
        if (!TopicArn) continue;
        const read = async () => (await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.Policy;
        const found = await policyOf(TopicArn, at.region, read);
        if (found) yield found;
      }
  },
};

/** The query protocol's list of `member`s and map of `entry`s, as SNS's XML replies hold them. */
const members = (items: readonly object[]) => ({ member: items });
const entries = (map: Readonly<Record<string, string>>) => ({ entry: Object.entries(map).map(([key, value]) => ({ key, value })) });

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
 * The topic of each SNS operation, as the SNS API reference names it: TopicArn; Publish's TopicArn
 * or TargetArn (when a topic's: an endpoint or a phone number is no topic); the topic a
 * SubscriptionArn (`TOPICARN:SUBSCRIPTIONID`) belongs to; ResourceArn for tags and data protection
 * policies; and CreateTopic's Name in the caller's account.
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

export const sns: Recipe = {
  service: "sns",
  title: "Amazon SNS",
  names: ["topic"],
  kinds: { topic: { type: "topic", parts: (n) => ({ TopicName: n.topic ?? "*" }), needs: ["topic"] } },
  access: {
    publish: {
      describe: "publish messages to the topic",
      rules: [{ filter: { resourceType: "topic", names: ["Publish"] }, on: "topic" }],
    },
    subscribe: {
      describe: "subscribe endpoints to the topic",
      rules: [{ filter: { resourceType: "topic", names: ["Subscribe"] }, on: "topic" }],
    },
  },
  // A topic policy (AddPermission's example: Principal {"AWS": "111122223333"}, Action sns:Publish
  // on the topic, "the user with AWS account 1111-2222-3333 can publish messages to the topic").
  policyHolders: { topic: "topic" },
  collect: collectTopicPolicies,
  // A topic exists in the sandbox while it has a policy: CreateTopic gives it the default one.
  sandbox: {
    resourceOf: topicNamedBy,
    policyOperations: {
      CreateTopic: {
        kind: "create",
        // "the default policy … allows only the topic owner to publish to or subscribe to the topic":
        // the SNS developer guide's default access policy, with its condition on AWS:SourceOwner.
        defaultPolicy: (where, arn) => ({
          Version: "2008-10-17",
          Id: "__default_policy_ID",
          Statement: [
            {
              Sid: "__default_statement_ID",
              Effect: "Allow",
              Principal: { AWS: "*" },
              Action: [
                "SNS:GetTopicAttributes",
                "SNS:SetTopicAttributes",
                "SNS:AddPermission",
                "SNS:RemovePermission",
                "SNS:DeleteTopic",
                "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic",
                "SNS:Publish",
              ],
              Resource: arn,
              Condition: { StringEquals: { "AWS:SourceOwner": where.account } },
            },
          ],
        }),
        reply: (TopicArn) => ({ TopicArn }),
      },
      SetTopicAttributes: {
        kind: "put",
        policy: "AttributeValue",
        when: (input) => input.AttributeName === "Policy",
        malformed: "InvalidParameter",
      },
      GetTopicAttributes: {
        kind: "get",
        reply: (Policy, TopicArn) => ({
          Attributes: entries({ TopicArn, Owner: parseArn(TopicArn)?.account ?? "", ...(Policy ? { Policy } : {}) }),
        }),
        missing: { code: "NotFound", message: "Topic does not exist" },
      },
      ListTopics: { kind: "list", reply: (arns) => ({ Topics: members(arns.map((TopicArn) => ({ TopicArn }))) }) },
    },
  },
  resourcePolicy: {
    apply: ({ arn, text }) => ({
      resources: [
        {
          names: [arn.resource],
          cloudformation: {
            type: "AWS::SNS::TopicPolicy",
            prefix: "TopicPolicy",
            properties: { Topics: [text] },
            policyKey: "PolicyDocument",
          },
          terraform: { type: "aws_sns_topic_policy", arguments: { arn: text }, policyKey: "policy" },
        },
      ],
    }),
  },
};
