/** Amazon S3: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { pythonLiteral as py, shellWord } from "../text/escape.js";
import { AIRFLOW_PROVIDER, mergeCommand, resourceOf } from "./outputs.js";
import { s3BucketArn } from "../aws/arn.js";
import { errorText, isAccessDenied, type PolicyCollector } from "./policy-collector.js";

/**
 * The region a bucket is in, from GetBucketLocation's LocationConstraint: empty (null) for
 * us-east-1, and "EU" for eu-west-1 (S3 API reference, GetBucketLocation).
 */
function bucketRegion(constraint: string | undefined): string {
  if (!constraint) return "us-east-1";
  return constraint === "EU" ? "eu-west-1" : constraint;
}

/**
 * Every bucket of the account (ListBuckets lists all regions' from any region), its region
 * (GetBucketLocation) and its policy (GetBucketPolicy, asked in the bucket's region); a bucket
 * without a policy answers NoSuchBucketPolicy, which is no policy, not an error.
 */
const collectBucketPolicies: PolicyCollector = {
  scope: "global",
  actions: ["s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketPolicy"],
  async *policies(at, clients) {
    const { GetBucketLocationCommand, GetBucketPolicyCommand, paginateListBuckets, S3Client } = await import("@aws-sdk/client-s3");
    // Path-style addressing where collect talks to a local endpoint (`bucket.127.0.0.1` does not resolve).
    const make = (region: string) =>
      clients.make((config) => new S3Client({ ...config, forcePathStyle: config.endpoint !== undefined }), region);
    const client = make(at.region);
    for await (const page of paginateListBuckets({ client }, {}))
      for (const { Name } of page.Buckets ?? []) {
        if (!Name) continue;
        const arn = s3BucketArn(at.partition, Name);
        let region = "";
        try {
          region = bucketRegion((await client.send(new GetBucketLocationCommand({ Bucket: Name }))).LocationConstraint);
          const { Policy } = await make(region).send(new GetBucketPolicyCommand({ Bucket: Name }));
          if (Policy) yield { arn, region, policy: Policy };
        } catch (error) {
          if ((error as { name?: unknown }).name === "NoSuchBucketPolicy") continue;
          // A bucket policy may refuse even the account's own audit role: that bucket is reported, the others read.
          if (isAccessDenied(error)) yield { arn, region, problem: errorText(error) };
          else throw error;
        }
      }
  },
};

/** S3 object sub-resources a plain read or write leaves out. */
const OBJECT_EXTRAS = ["Acl", "Torrent", "Replication", "Annotation", "LegalHold", "Retention", "Tagging", "Attributes"];

const objectParts = (n: Record<string, string>) => ({ BucketName: n.bucket ?? "*", ObjectName: `${n.prefix ?? ""}*` });

export const s3: Recipe = {
  service: "s3",
  title: "Amazon S3",
  names: ["bucket", "prefix"],
  collect: collectBucketPolicies,
  kinds: {
    bucket: { type: "bucket", parts: (n) => ({ BucketName: n.bucket ?? "*" }), needs: ["bucket"] },
    object: { type: "object", parts: objectParts, needs: ["bucket"] },
  },
  access: {
    read: {
      describe: "read objects",
      rules: [
        { filter: { accessLevels: ["Read"], resourceType: "object", prefixes: ["GetObject"], excluding: OBJECT_EXTRAS }, on: "object" },
      ],
    },
    locate: {
      describe: "read the bucket's Region",
      rules: [{ filter: { resourceType: "bucket", names: ["GetBucketLocation"] }, on: "bucket" }],
    },
    list: {
      describe: "list the bucket",
      rules: [{ filter: { accessLevels: ["List"], resourceType: "bucket", prefixes: ["ListBucket"] }, on: "bucket" }],
    },
    put: {
      describe: "write objects, without deleting",
      rules: [
        {
          filter: {
            accessLevels: ["Write"],
            resourceType: "object",
            prefixes: ["PutObject", "AbortMultipartUpload"],
            excluding: OBJECT_EXTRAS,
          },
          on: "object",
        },
        // A multipart upload's ListParts (S3's multipart upload page).
        { filter: { resourceType: "object", names: ["ListMultipartUploadParts"] }, on: "object" },
      ],
    },
    delete: {
      describe: "delete objects and their versions",
      rules: [
        { filter: { accessLevels: ["Write"], resourceType: "object", prefixes: ["DeleteObject"], excluding: OBJECT_EXTRAS }, on: "object" },
      ],
    },
    write: {
      describe: "write and delete objects",
      rules: [
        {
          filter: {
            accessLevels: ["Write"],
            resourceType: "object",
            prefixes: ["PutObject", "DeleteObject", "AbortMultipartUpload"],
            excluding: OBJECT_EXTRAS,
          },
          on: "object",
        },
      ],
    },
  },
  policyHolders: { bucket: "bucket", object: "bucket" },
  airflowTasks: (use, dag) => {
    const bucket = resourceOf(use, "bucket");
    if (!bucket) return undefined;
    const prefix = resourceOf(use, "prefix") ?? "";
    if (use.access.includes("list")) {
      const id = dag.taskId(`s3_list_${bucket}_${use.accountName}`);
      return [
        {
          id,
          imports: [`${AIRFLOW_PROVIDER}.operators.s3:S3ListOperator`],
          code: dag.operator(id, "S3ListOperator", [`bucket=${py(bucket)}`, `prefix=${py(prefix)}`]),
        },
      ];
    }
    if (use.access.includes("write") || use.access.includes("put")) {
      const id = dag.taskId(`s3_write_${bucket}_${use.accountName}`);
      const args = [
        `s3_bucket=${py(bucket)}`,
        `s3_key=${py(`${prefix}xacct-example.txt`)}`,
        `data=${py("written by xacct's example DAG")}`,
        "replace=True",
      ];
      return [
        {
          id,
          imports: [`${AIRFLOW_PROVIDER}.operators.s3:S3CreateObjectOperator`],
          code: dag.operator(id, "S3CreateObjectOperator", args),
        },
      ];
    }
    return undefined;
  },
  cliCommand: (use) => {
    const bucket = resourceOf(use, "bucket");
    return bucket ? { argv: ["aws", "s3", "ls", `s3://${bucket}/${resourceOf(use, "prefix") ?? ""}`] } : undefined;
  },
  resourcePolicy: {
    apply: ({ arn }) => {
      const bucket = arn.resource.split("/")[0] ?? arn.resource;
      return {
        resources: [
          {
            names: [bucket],
            cloudformation: {
              type: "AWS::S3::BucketPolicy",
              prefix: "BucketPolicy",
              properties: { Bucket: bucket },
              policyKey: "PolicyDocument",
            },
            terraform: { type: "aws_s3_bucket_policy", arguments: { bucket }, policyKey: "policy" },
          },
        ],
      };
    },
    // PutBucketPolicy replaces the whole policy: a bucket owned elsewhere gets xacct's statements merged in.
    merge: ({ arn, policy, file }) => {
      const bucket = `--bucket ${shellWord(arn.resource.split("/")[0] ?? arn.resource)}`;
      return {
        why: "The bucket exists and is owned elsewhere, and PutBucketPolicy replaces the whole policy: merge these statements into the bucket's current policy, keeping its owner's statements.",
        commands: [
          `aws s3api get-bucket-policy ${bucket} --query Policy --output text > ${file}.current.json`,
          mergeCommand(policy, `${file}.current.json`, `${file}.json`),
          `aws s3api put-bucket-policy ${bucket} --policy file://${file}.json`,
        ],
      };
    },
  },
};
