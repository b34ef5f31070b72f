/**
 * Where the policy governing a resource lives: the resource's own ARN, or for a resource inside
 * another (an S3 object, a CodeArtifact package, an API Gateway method) the one that holds it.
 */
import { buildArn, isAccountId, parseArn, s3BucketArn } from "../aws/arn.js";

/**
 * The ARN whose policy governs a resource: an S3 object's bucket, a CodeArtifact package's
 * repository, an API Gateway method's REST API, a DynamoDB index's table, or the resource itself.
 */
export function policyHolderOf(resource: string): string {
  const arn = parseArn(resource);
  if (!arn || arn.partition === "") return resource;
  const [first = "", second = "", third = ""] = arn.resource.split("/", 3);
  const below = arn.resource.length > first.length;
  if (arn.service === "s3" && arn.region === "" && arn.account === "" && first && below) return s3BucketArn(arn.partition, first);
  if (!isAccountId(arn.account)) return resource;
  // package/DOMAIN/REPOSITORY/FORMAT/… is governed by repository/DOMAIN/REPOSITORY.
  if (
    arn.service === "codeartifact" &&
    first === "package" &&
    second &&
    third &&
    arn.resource.length > `package/${second}/${third}`.length
  ) {
    return buildArn({ ...arn, resource: `repository/${second}/${third}` });
  }
  if (arn.service === "execute-api" && first && below) return buildArn({ ...arn, resource: `${first}/*/*/*` });
  // A DynamoDB table's indexes and streams are governed by the table's policy ("You can control
  // index permissions using the base table's policy").
  if (arn.service === "dynamodb" && first === "table" && second && arn.resource.length > `table/${second}`.length)
    return buildArn({ ...arn, resource: `table/${second}` });
  return resource;
}
