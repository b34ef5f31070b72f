/**
 * Endpoint rule sets that send botocore clients older than AWS_ENDPOINT_URL to the sandbox.
 *
 * Debian 12's AWS CLI (2.9) and boto3 (1.26, botocore 1.29) ignore AWS_ENDPOINT_URL, and
 * `--endpoint-url` reaches only the command's own client, never the STS clients their credential
 * providers make to run a profile's chain. Both read their data files from the directories
 * AWS_DATA_PATH lists before their own (botocore's loaders.py: "additional search paths where we
 * will attempt to load models outside of the models we ship with botocore"), and a client's
 * endpoint comes from its service's rule set, `<service>/<API version>/endpoint-rule-set-1.json`,
 * the first found along that path. So the sandbox writes, for each service below, a rule set that
 * answers the endpoint the command names (`--endpoint-url`) when it names one, else the sandbox's
 * URL; S3's puts the bucket first in the path (path-style, as the sandbox serves S3). Clients that
 * read AWS_ENDPOINT_URL reach the same URL either way.
 *
 * Only these services: another service's client still goes to AWS (give it `--endpoint-url`).
 * MWAA's rule set is an error that says why: each of its operations carries a host prefix
 * (`api.`, `env.`) that botocore puts before any endpoint's host, and `env.127.0.0.1` is no
 * address.
 */

import { join } from "node:path";
import { privateDir } from "../fs/private-files.js";

/** The directory, in the sandbox's own, that AWS_DATA_PATH names. */
export const BOTOCORE_DATA_DIR = "botocore";

export interface BotocoreService {
  /** botocore's name for the service (its data directory, `boto3.client(NAME)`, `aws NAME`). */
  name: string;
  /** The API version botocore files its rule set under: the latest of its data directory. */
  apiVersion: string;
  /** The name requests are signed for (the sandbox's service key, mostly the IAM prefix). */
  signingName: string;
}

function entry(name: string, apiVersion: string, signingName = name): BotocoreService {
  return { name, apiVersion, signingName };
}

/** Each service the sandbox answers that botocore has a client for (execute-api has none). */
export const BOTOCORE_SERVICES: readonly BotocoreService[] = [
  entry("sts", "2011-06-15"),
  entry("iam", "2010-05-08"),
  entry("organizations", "2016-11-28"),
  entry("ec2", "2016-11-15"),
  entry("s3", "2006-03-01"),
  entry("sqs", "2012-11-05"),
  entry("sns", "2010-03-31"),
  entry("lambda", "2015-03-31"),
  entry("mwaa", "2020-07-01", "airflow"),
  entry("apigateway", "2015-07-09"),
  entry("codeartifact", "2018-09-22"),
  entry("athena", "2017-05-18"),
  entry("dynamodb", "2012-08-10"),
  entry("ecr", "2015-09-21"),
  entry("emr", "2009-03-31", "elasticmapreduce"),
  entry("events", "2015-10-07"),
  entry("glue", "2017-03-31"),
  entry("kinesis", "2013-12-02"),
  entry("kms", "2014-11-01"),
  entry("redshift", "2012-12-01"),
  entry("redshift-data", "2019-12-20"),
  entry("sagemaker", "2017-07-24"),
  entry("secretsmanager", "2017-10-17"),
  entry("stepfunctions", "2016-11-23", "states"),
];

/** The services whose every operation carries a host prefix: their rule set is an error saying so. */
const HOST_PREFIXED = new Set(["mwaa"]);

type Condition = { fn: string; argv: unknown[]; assign?: string };
type Rule =
  { conditions: Condition[]; type: "endpoint"; endpoint: { url: unknown } } | { conditions: Condition[]; type: "error"; error: string };

const ref = (name: string) => ({ ref: name });
const isSet = (name: string): Condition => ({ fn: "isSet", argv: [ref(name)] });
const endpointRule = (conditions: Condition[], url: unknown): Rule => ({ conditions, type: "endpoint", endpoint: { url } });

/** The rule set of one service: the command's own endpoint when it names one, else the sandbox's URL (or, for MWAA, an error). */
export function endpointRuleSet(service: BotocoreService, url: string): Record<string, unknown> {
  // A rule set's strings are templates: `{name}` is a variable, so a URL holding braces is no URL of the sandbox's.
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`not a sandbox URL: ${url}`);
  const parameters: Record<string, unknown> = {
    Endpoint: { builtIn: "SDK::Endpoint", required: false, type: "String", documentation: "the endpoint the command or code names" },
  };
  const rules: Rule[] = [];
  if (service.name === "s3") {
    parameters.Bucket = { required: false, type: "String", documentation: "the bucket the operation acts on" };
    // Path-style: the bucket, URI-encoded, as the first part of the path (botocore leaves it out of the operation's own path).
    const bucket: Condition[] = [isSet("Bucket"), { fn: "uriEncode", argv: [ref("Bucket")], assign: "bucket" }];
    rules.push(
      endpointRule(
        [isSet("Endpoint"), { fn: "parseURL", argv: [ref("Endpoint")], assign: "url" }, ...bucket],
        "{url#scheme}://{url#authority}{url#normalizedPath}{bucket}",
      ),
      endpointRule([isSet("Endpoint")], ref("Endpoint")),
      endpointRule(bucket, `${url}/{bucket}`),
    );
  } else {
    rules.push(endpointRule([isSet("Endpoint")], ref("Endpoint")));
  }
  rules.push(
    HOST_PREFIXED.has(service.name)
      ? {
          conditions: [],
          type: "error",
          error: `xacct sandbox: every ${service.name} operation carries a host prefix (api., env.) that this botocore puts before the sandbox's address, ${url}; call it from boto3 with endpoint_url="${url}" and Config(inject_host_prefix=False), or from the SDK for JavaScript with disableHostPrefix: true`,
        }
      : endpointRule([], url),
  );
  return { version: "1.0", parameters, rules };
}

/** The files of the data directory (paths relative to it, `/`-separated): one rule set per service. */
export function botocoreEndpointFiles(url: string): { path: string; content: string }[] {
  return BOTOCORE_SERVICES.map((service) => ({
    path: `${service.name}/${service.apiVersion}/endpoint-rule-set-1.json`,
    content: `${JSON.stringify(endpointRuleSet(service, url), null, 1)}\n`,
  }));
}

/**
 * Writes the rule sets under `dataDir` through `write` (each directory on the way found private or
 * made 0700, never a link followed: PrivateFileError otherwise); answers the files' paths.
 */
export function writeBotocoreEndpoints(dataDir: string, url: string, write: (path: string, content: string) => void): string[] {
  return botocoreEndpointFiles(url).map((f) => {
    const parts = f.path.split("/");
    for (let i = 0; i < parts.length; i++) privateDir(join(dataDir, ...parts.slice(0, i)));
    write(join(dataDir, f.path), f.content);
    return join(dataDir, f.path);
  });
}
