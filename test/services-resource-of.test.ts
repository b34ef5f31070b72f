/**
 * The resource a service module says each operation acts on (`sandbox.resourceOf`), as pure
 * functions: Lambda's FunctionName in the forms Lambda's Invoke API reference lists ("Function
 * name – my-function (name-only), my-function:v1 (with alias). Function ARN –
 * arn:aws:lambda:us-west-2:123456789012:function:my-function. Partial ARN –
 * 123456789012:function:my-function. You can append a version number or alias to any of the
 * formats."), and SQS's QueueUrl (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`).
 */
import { describe, expect, it } from "vitest";
import { findAction } from "../src/catalog/catalog.js";
import { lambda } from "../src/services/lambda.js";
import { sqs } from "../src/services/sqs.js";

const where = { partition: "aws", region: "us-east-1", account: "111111111111" };

describe("Lambda: the function FunctionName names", () => {
  const invoke = findAction("lambda", "InvokeFunction");
  const resourceOf = (input: Record<string, string>) => lambda.sandbox?.resourceOf?.(invoke!, input, where);

  it.each([
    [
      "a name: the caller's account and region",
      { FunctionName: "my-function" },
      "arn:aws:lambda:us-east-1:111111111111:function:my-function",
    ],
    ["a name with an alias", { FunctionName: "my-function:v1" }, "arn:aws:lambda:us-east-1:111111111111:function:my-function:v1"],
    [
      "a partial ARN: its account",
      { FunctionName: "222222222222:function:my-function" },
      "arn:aws:lambda:us-east-1:222222222222:function:my-function",
    ],
    [
      "an ARN in aws-cn: its partition, region and account",
      { FunctionName: "arn:aws-cn:lambda:cn-north-1:333333333333:function:my-function:7" },
      "arn:aws-cn:lambda:cn-north-1:333333333333:function:my-function:7",
    ],
    [
      "the Qualifier parameter",
      { FunctionName: "my-function", Qualifier: "prod" },
      "arn:aws:lambda:us-east-1:111111111111:function:my-function:prod",
    ],
    [
      "$LATEST: the unqualified function",
      { FunctionName: "my-function:$LATEST" },
      "arn:aws:lambda:us-east-1:111111111111:function:my-function",
    ],
  ])("%s", (_, input, arn) => {
    // GIVEN a FunctionName in one of Lambda's forms
    // WHEN the Lambda module reads it
    // THEN the function's ARN
    expect(resourceOf(input)?.arn).toBe(arn);
  });

  it.each([["12345:function:f"], ["arn:aws:s3:::bucket"], ["a:b:c"], ["f".repeat(65)], [""]])("%s names no function", (name) => {
    // GIVEN a FunctionName in none of Lambda's forms  WHEN read  THEN none (the sandbox answers ValidationException)
    expect(resourceOf({ FunctionName: name })).toBeUndefined();
  });
});

describe("SQS: the queue QueueUrl names", () => {
  const send = findAction("sqs", "SendMessage");
  const resourceOf = (QueueUrl: string) => sqs.sandbox?.resourceOf?.(send!, { QueueUrl }, where);

  it("an SQS URL names the queue of its account, in the region signed for", () => {
    // GIVEN SQS's URL of a queue of account 222222222222  WHEN read  THEN that queue's ARN and owner
    expect(resourceOf("https://sqs.us-east-1.amazonaws.com/222222222222/jobs.fifo")).toEqual({
      arn: "arn:aws:sqs:us-east-1:222222222222:jobs.fifo",
      account: "222222222222",
    });
  });

  it.each([["https://sqs.us-east-1.amazonaws.com/2222/jobs"], ["https://sqs.us-east-1.amazonaws.com/222222222222/a/b"], ["jobs"]])(
    "%s names no queue",
    (url) => {
      // GIVEN a URL whose account is no account ID, or no queue URL  WHEN read  THEN none
      expect(resourceOf(url)).toBeUndefined();
    },
  );
});
