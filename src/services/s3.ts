/** Amazon S3: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

/** S3 object sub-resources a plain read or write leaves out. */
const OBJECT_EXTRAS = ["Acl", "Torrent", "Replication", "Annotation", "LegalHold", "Retention", "Tagging", "Attributes"];

const objectParts = (n: Record<string, string>) => ({ BucketName: n.bucket ?? "*", ObjectName: `${n.prefix ?? ""}*` });

export const s3: Recipe = {
  service: "s3",
  title: "Amazon S3",
  names: ["bucket", "prefix"],
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
    list: {
      describe: "list the bucket",
      rules: [{ filter: { accessLevels: ["List"], resourceType: "bucket", prefixes: ["ListBucket"] }, on: "bucket" }],
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
};
