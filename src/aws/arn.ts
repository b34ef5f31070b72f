/**
 * Amazon Resource Names, parsed and built in one place.
 *
 * `arn:partition:service:region:account-id:resource` (AWS's "Identify AWS resources with Amazon
 * Resource Names"); the resource part keeps its own colons. Parsing gives what the AWS SDK's
 * `@aws-sdk/util-arn-parser` gives, building is the SDK's `build`; everything else in xacct reads
 * and writes ARNs through here, so the partition (aws, aws-cn, aws-us-gov, …) is never assumed.
 * This module imports nothing of xacct.
 */
import { createRequire } from "node:module";

/**
 * The SDK's ARN builder, loaded on first use: the package brings in @aws-sdk/core and @smithy/core
 * (about 25 ms), which a command that builds no ARN (`simulate` on one request, `--help`) never needs.
 */
let sdkBuild: ArnParser["build"] | undefined;
type ArnParser = typeof import("@aws-sdk/util-arn-parser");
function sdkBuilder(): ArnParser["build"] {
  sdkBuild ??= (createRequire(import.meta.url)("@aws-sdk/util-arn-parser") as ArnParser).build;
  return sdkBuild;
}

/** An ARN's six parts (the leading `arn` left out). */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Partitions AWS has published. */
export const PARTITIONS: ReadonlySet<string> = new Set([
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
]);

/** An AWS account ID: twelve digits. */
export const ACCOUNT_ID = /^\d{12}$/;

export function isAccountId(text: string): boolean {
  return ACCOUNT_ID.test(text);
}

/**
 * Splits an ARN into its six parts (the resource part keeps its own colons), or returns null. The
 * result is the SDK's `parse` (test/aws-arn.test.ts checks that on arbitrary text), scanned with
 * indexOf instead of split/join: the engine parses ARNs on its hot path (ArnLike, resource
 * accounts), where the SDK's split costs about twice as much.
 */
export function parseArn(text: string): Arn | null {
  if (!text.startsWith("arn:")) return null;
  const partitionEnd = text.indexOf(":", 4);
  const serviceEnd = partitionEnd < 0 ? -1 : text.indexOf(":", partitionEnd + 1);
  const regionEnd = serviceEnd < 0 ? -1 : text.indexOf(":", serviceEnd + 1);
  const accountEnd = regionEnd < 0 ? -1 : text.indexOf(":", regionEnd + 1);
  if (accountEnd < 0) return null;
  return {
    partition: text.slice(4, partitionEnd),
    service: text.slice(partitionEnd + 1, serviceEnd),
    region: text.slice(serviceEnd + 1, regionEnd),
    account: text.slice(regionEnd + 1, accountEnd),
    resource: text.slice(accountEnd + 1),
  };
}

/** The account ID an ARN names (empty for S3 buckets, `aws` for AWS managed policies), or undefined. */
export function arnAccount(text: string): string | undefined {
  return parseArn(text)?.account;
}

/** The account a principal belongs to: a bare 12-digit ID, or the 12-digit account of its ARN. */
export function principalAccountId(principal: string): string | undefined {
  if (isAccountId(principal)) return principal;
  const account = parseArn(principal)?.account;
  return account !== undefined && isAccountId(account) ? account : undefined;
}

/** The 12-digit account of an IAM ARN (`arn:P:iam::ACCOUNT:…`, any resource), or undefined. */
export function iamAccountId(text: string): string | undefined {
  const arn = parseArn(text);
  return arn && arn.partition !== "" && arn.service === "iam" && arn.region === "" && isAccountId(arn.account) ? arn.account : undefined;
}

/** Builds any ARN from its parts. */
export function buildArn(arn: Arn): string {
  return sdkBuilder()({
    partition: arn.partition,
    service: arn.service,
    region: arn.region,
    accountId: arn.account,
    resource: arn.resource,
  });
}

function iamArn(partition: string, account: string, resource: string): string {
  return buildArn({ partition, service: "iam", region: "", account, resource });
}

/** `arn:P:iam::ACCOUNT:role/PATH/NAME` (the path begins and ends with `/`). */
export function roleArn(partition: string, account: string, name: string, path = "/"): string {
  return iamArn(partition, account, `role${path}${name}`);
}

/** `arn:P:iam::ACCOUNT:user/PATH/NAME`. */
export function userArn(partition: string, account: string, name: string, path = "/"): string {
  return iamArn(partition, account, `user${path}${name}`);
}

/** `arn:P:iam::ACCOUNT:root`, the account as a principal. */
export function rootArn(partition: string, account: string): string {
  return iamArn(partition, account, "root");
}

/** `arn:P:sts::ACCOUNT:assumed-role/ROLE/SESSION`, a role session (the role's path is not part of it). */
export function assumedRoleArn(partition: string, account: string, roleName: string, sessionName: string): string {
  return buildArn({ partition, service: "sts", region: "", account, resource: `assumed-role/${roleName}/${sessionName}` });
}

/** `arn:P:iam::ACCOUNT:oidc-provider/ISSUER` (the issuer URL without `https://`). */
export function oidcProviderArn(partition: string, account: string, issuer: string): string {
  return iamArn(partition, account, `oidc-provider/${issuer}`);
}

/** `arn:P:iam::ACCOUNT:saml-provider/NAME`. */
export function samlProviderArn(partition: string, account: string, name: string): string {
  return iamArn(partition, account, `saml-provider/${name}`);
}

/** `arn:P:iam::ACCOUNT:policy/PATH/NAME`; AWS managed policies have the account `aws`. */
export function managedPolicyArn(partition: string, account: string, name: string, path = "/"): string {
  return iamArn(partition, account, `policy${path}${name}`);
}

/** Whether an ARN is an AWS managed policy's (`arn:P:iam::aws:policy/…`) in the given partition. */
export function isAwsManagedPolicyArn(arn: string, partition?: string): boolean {
  const parsed = parseArn(arn);
  if (parsed === null || parsed.partition === "" || parsed.service !== "iam" || parsed.region !== "" || parsed.account !== "aws")
    return false;
  return parsed.resource.startsWith("policy/") && (partition === undefined || parsed.partition === partition);
}

/** `arn:P:s3:::BUCKET` (bucket ARNs carry neither region nor account). */
export function s3BucketArn(partition: string, bucket: string): string {
  return buildArn({ partition, service: "s3", region: "", account: "", resource: bucket });
}

/** `arn:P:s3:::BUCKET/KEY`. */
export function s3ObjectArn(partition: string, bucket: string, key: string): string {
  return buildArn({ partition, service: "s3", region: "", account: "", resource: `${bucket}/${key}` });
}

/** The kinds of IAM ARN `parseIamArn` reads. */
export type IamArnKind = "root" | "role" | "user" | "oidc-provider" | "saml-provider" | "policy";

/** An IAM ARN read: its kind, the account, and for named entities the path and the name. */
export interface IamArn {
  partition: string;
  account: string;
  kind: IamArnKind;
  /** `/` or `/a/b/`; for providers, empty. */
  path: string;
  /** The entity's name (the last path segment); for an OIDC provider the whole issuer; empty for root. */
  name: string;
}

/**
 * Reads an IAM root, role, user, OIDC provider, SAML provider or managed policy ARN whose account
 * is a 12-digit ID (or `aws` for a policy), or returns null.
 */
export function parseIamArn(text: string): IamArn | null {
  const arn = parseArn(text);
  if (!arn || arn.partition === "" || arn.service !== "iam" || arn.region !== "") return null;
  const { partition, account, resource } = arn;
  if (!isAccountId(account) && !(account === "aws" && resource.startsWith("policy/"))) return null;
  if (resource === "root") return { partition, account, kind: "root", path: "", name: "" };
  const slash = resource.indexOf("/");
  if (slash < 0) return null;
  const kind = resource.slice(0, slash);
  const rest = resource.slice(slash);
  if (kind === "oidc-provider" || kind === "saml-provider")
    return rest.length > 1 ? { partition, account, kind, path: "", name: rest.slice(1) } : null;
  if (kind !== "role" && kind !== "user" && kind !== "policy") return null;
  const last = rest.lastIndexOf("/");
  const name = rest.slice(last + 1);
  return name ? { partition, account, kind, path: rest.slice(0, last + 1), name } : null;
}

/** A role session's ARN read: `arn:P:sts::ACCOUNT:assumed-role/ROLE/SESSION`, or null. */
export interface AssumedRoleArn {
  partition: string;
  account: string;
  roleName: string;
  sessionName: string;
}

export function parseAssumedRoleArn(text: string): AssumedRoleArn | null {
  const arn = parseArn(text);
  if (
    !arn ||
    arn.partition === "" ||
    arn.service !== "sts" ||
    arn.region !== "" ||
    !isAccountId(arn.account) ||
    !arn.resource.startsWith("assumed-role/")
  )
    return null;
  const rest = arn.resource.slice("assumed-role/".length);
  const slash = rest.indexOf("/");
  if (slash <= 0 || slash === rest.length - 1) return null;
  return { partition: arn.partition, account: arn.account, roleName: rest.slice(0, slash), sessionName: rest.slice(slash + 1) };
}
