/**
 * Spark on EMR on EKS (seed 004): the spark-defaults classification follows Spark's documented
 * property prefixes and EMR's per-bucket credentials provider, and the entrypoint is a real POSIX
 * sh script that writes the chained profiles, checked by running it. Expected values come from
 * the compiled chains.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import type { Chain } from "../src/compile/plan.js";
import { ASSUME_ROLE_PROVIDER, emitSpark, SPARK_AWS_CONFIG_FILE } from "../src/emit/spark.js";
import type { EmittedFile } from "../src/emit/types.js";
import { loadModel } from "../src/model/load.js";
import { expectChainInConfig, parseAwsConfig } from "./support/aws-config-file.js";
import { compileExample } from "./support/emit-model.js";

// GIVEN seed 004: a Spark job on EMR on EKS in account A (job-execution-role-1, IRSA through the
// service accounts EMR creates) chains to client-role-2 in account B, and on to account C.
const MODEL = `
version: 1
name: chain-demo
accounts:
  a: { id: "111111111111", region: us-east-1 }
  b: { id: "222222222222", region: us-east-1 }
  c: { id: "444444444444", region: us-east-1 }
clusters:
  emr-eks: { account: a, oidcIssuer: oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF }
workloads:
  spark-job:
    account: a
    identity: { type: irsa, cluster: emr-eks, namespace: emr, serviceAccount: "emr-containers-sa-*-*-111111111111-*", role: job-execution-role-1 }
    # Profiles only: the credentials sidecar (the default) is tested in emit-credentials-sidecar.test.ts.
    runtime: { kind: spark, image: 111111111111.dkr.ecr.us-east-1.amazonaws.com/spark/emr6.15_custom, credentials: profile }
  jvm-app:
    account: a
    identity: { type: irsa, cluster: emr-eks, namespace: apps, serviceAccount: jvm-app }
    runtime: { kind: job, language: jvm, credentialsImage: registry.example.com/xacct:0.1.0 }
  py-app:
    account: a
    identity: { type: irsa, cluster: emr-eks, namespace: apps, serviceAccount: py-app }
    runtime: { kind: cronjob, language: python }
grants:
  - workload: spark-job
    account: b
    service: s3
    access: [list, read]
    resources: { bucket: datalake-222222222222-us-east-1 }
    role: { name: client-role-2 }
    profile: default
  - workload: spark-job
    account: b
    service: sqs
    access: [send]
    resources: { queue: MyDeadLetterQueue }
    role: { name: client-role-2 }
    profile: default
  - workload: spark-job
    account: c
    service: s3
    access: [read]
    resources: { bucket: far-bucket }
    via: chain
    through: [{ account: b, role: client-role-2 }]
    role: { name: far-role, externalId: xacct-far-4711 }
    profile: far
  - { workload: jvm-app, account: b, service: sqs, access: [send], resources: { queue: events } }
  - { workload: py-app, account: b, service: sqs, access: [send], resources: { queue: events } }
`;

const compiled = compile(loadModel(MODEL));
const files = emitSpark(compiled);
const chains = compiled.chains.filter((c) => c.workload === "spark-job");
const file = (path: string): EmittedFile => {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} among ${files.map((f) => f.path).join(", ")}`);
  return found;
};
const dir = "workloads/spark-job/spark";
const defaults = JSON.parse(file(`${dir}/spark-defaults.json`).content) as {
  classification: string;
  properties: Record<string, unknown>;
}[];
const properties = defaults[0]!.properties;
const primary = chains.find((c) => c.profile === "default")!;

/** Spark's documented property families used for EMR on EKS job settings. */
const DRIVER_ENV = /^spark\.kubernetes\.driverEnv\.([A-Za-z_][A-Za-z0-9_]*)$/;
const EXECUTOR_ENV = /^spark\.executorEnv\.([A-Za-z_][A-Za-z0-9_]*)$/;
/**
 * The only other properties xacct may write, each documented by its project: Spark's container
 * image, pod templates and Secret-backed environment (running-on-kubernetes), EMR on EKS's
 * job-wide EMRFS provider (security-cross-account) and Hadoop S3A's per-bucket providers
 * (fs.s3a.bucket.<bucket>.<option>).
 */
const DOCUMENTED = [
  /^spark\.kubernetes\.container\.image$/,
  /^spark\.kubernetes\.(driver|executor)\.podTemplateFile$/,
  /^spark\.kubernetes\.(driver|executor)\.secretKeyRef\.[A-Za-z_][A-Za-z0-9_]*$/,
  /^spark\.hadoop\.fs\.s3\.customAWSCredentialsProvider$/,
  /^spark\.hadoop\.fs\.s3a\.bucket\.[a-z0-9.-]+\.aws\.credentials\.provider$/,
];
const envOf = (pattern: RegExp) =>
  Object.fromEntries(
    Object.entries(properties).flatMap(([k, v]) => {
      const m = pattern.exec(k);
      return m ? [[m[1]!, v]] : [];
    }),
  );

describe("spark: spark-defaults.json", () => {
  it("is an EMR applicationConfiguration array with one spark-defaults classification of string properties", () => {
    expect(Array.isArray(defaults)).toBe(true);
    expect(defaults).toHaveLength(1);
    expect(defaults[0]!.classification).toBe("spark-defaults");
    for (const value of Object.values(properties)) expect(typeof value).toBe("string");
  });

  it("writes only properties Spark, EMR or Hadoop document, here and in every example (never EMRFS's per-bucket provider, which EMR does not document)", () => {
    // GIVEN the properties of this model and of every example's Spark workloads
    const all = [
      properties,
      ...readdirSync("examples", { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join("examples", d.name, "xacct.yaml")))
        .flatMap((d) => emitSpark(compileExample(d.name)))
        .filter((f) => f.path.endsWith("spark-defaults.json"))
        .map((f) => (JSON.parse(f.content) as { properties: Record<string, string> }[])[0]!.properties),
    ];
    expect(all.length).toBeGreaterThan(1);
    for (const props of all)
      for (const key of Object.keys(props)) {
        // THEN each is of a documented family
        const known = DRIVER_ENV.test(key) || EXECUTOR_ENV.test(key) || DOCUMENTED.some((p) => p.test(key));
        expect(known, key).toBe(true);
        expect(key).not.toMatch(/^spark\.hadoop\.fs\.s3\.bucket\./);
      }
  });

  it("gives the driver and the executors the same environment", () => {
    expect(envOf(DRIVER_ENV)).toEqual(envOf(EXECUTOR_ENV));
  });

  it("points the SDKs at the profile file, the default chain's profile and region, and names the roles as seed 004 does", () => {
    const env = envOf(DRIVER_ENV);
    expect(env.AWS_CONFIG_FILE).toBe(SPARK_AWS_CONFIG_FILE);
    expect(env.AWS_PROFILE).toBe(primary.profile);
    expect(env.AWS_REGION).toBe(primary.region);
    expect(env.CLIENT_ROLE_ARN).toBe(primary.hops[primary.hops.length - 1]!.roleArn);
    expect(env.WEB_IDENTITY_ROLE_ARN).toBe(primary.start.roleArn);
    expect(properties["spark.kubernetes.container.image"]).toBe(primary.runtime!.image);
  });

  it("without the sidecar, reads the buckets of the one role with EMR on EKS's documented job-wide provider, and says it is job-wide", () => {
    // GIVEN profiles only, and every bucket Spark reads reached through one role (or not at all by EMRFS)
    const oneHop = chains.filter((c) => c.service === "s3" && c.hops.length === 1);
    expect(oneHop).toHaveLength(1);
    const chain = oneHop[0]!;
    // THEN EMR's documented pair: fs.s3.customAWSCredentialsProvider and ASSUME_ROLE_CREDENTIALS_ROLE_ARN on driver and executors
    expect(properties["spark.hadoop.fs.s3.customAWSCredentialsProvider"]).toBe("com.amazonaws.emr.AssumeRoleAWSCredentialsProvider");
    expect(ASSUME_ROLE_PROVIDER).toBe("com.amazonaws.emr.AssumeRoleAWSCredentialsProvider");
    expect(envOf(DRIVER_ENV).ASSUME_ROLE_CREDENTIALS_ROLE_ARN).toBe(chain.hops[0]!.roleArn);
    expect(envOf(EXECUTOR_ENV).ASSUME_ROLE_CREDENTIALS_ROLE_ARN).toBe(chain.hops[0]!.roleArn);
    // and the README warns that EMRFS then reads every s3:// path, the job's own, as that role
    expect(file(`${dir}/README.md`).content).toMatch(/job-wide: EMRFS reads and writes every s3:\/\/ path of the job as/);
  });

  it("leaves out a bucket reached through two roles (the provider assumes one role from the job's own credentials) and says so", () => {
    const far = chains.find((c) => c.profile === "far")!;
    expect(far.hops).toHaveLength(2);
    expect(Object.keys(properties).some((k) => k.includes(String(far.resources.bucket)))).toBe(false);
    expect(file(`${dir}/README.md`).content).toContain(String(far.resources.bucket));
  });

  it("writes no job-wide provider when buckets are reached through different roles, or read as the job itself, and says why", () => {
    const spark = (model: string) => {
      const out = emitSpark(compile(loadModel(model)));
      const props = (
        JSON.parse(out.find((f) => f.path === `${dir}/spark-defaults.json`)!.content) as { properties: Record<string, string> }[]
      )[0]!.properties;
      return { props, readme: out.find((f) => f.path === `${dir}/README.md`)!.content };
    };
    // GIVEN far-bucket through its own single role: two roles for two buckets
    const twoRoles = spark(MODEL.replace("    through: [{ account: b, role: client-role-2 }]\n", "").replace("via: chain", "via: role"));
    // GIVEN a bucket of the job's own account besides the role's (seed 004's emr-on-eks-test bucket)
    const ownBucket = spark(
      `${MODEL}  - { workload: spark-job, account: a, service: s3, access: [read], resources: { bucket: emr-on-eks-test-111111111111-us-east-1 } }\n`,
    );
    for (const { props, readme } of [twoRoles, ownBucket]) {
      // THEN EMRFS keeps the job execution role for every s3:// path, and the README says what is not configured
      expect(props["spark.hadoop.fs.s3.customAWSCredentialsProvider"]).toBeUndefined();
      expect(Object.keys(props).some((k) => k.endsWith("ASSUME_ROLE_CREDENTIALS_ROLE_ARN"))).toBe(false);
      expect(readme).toContain("reads every s3:// path of the job as a single ASSUME_ROLE_CREDENTIALS_ROLE_ARN");
    }
    expect(twoRoles.readme).toContain("reached through different roles");
    expect(ownBucket.readme).toContain("the job also reads buckets as itself");
  });
});

describe("spark: which workloads", () => {
  it("writes Spark settings for Spark runtimes and for JVM code on IRSA, not for other workloads", () => {
    const workloads = new Set(files.map((f) => f.path.split("/")[1]));
    expect(workloads).toEqual(new Set(["spark-job", "jvm-app"]));
  });
});

describe("spark: entrypoint.sh", () => {
  const script = file(`${dir}/entrypoint.sh`);
  const path = join(mkdtempSync(join(tmpdir(), "xacct-spark-")), "entrypoint.sh");
  writeFileSync(path, script.content, { mode: script.mode });

  /** Runs the entrypoint as a container would, with a fake program to hand over to. */
  function run(env: Record<string, string>, args: string[]) {
    const home = mkdtempSync(join(tmpdir(), "xacct-home-"));
    const result = spawnSync(path, args, {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XACCT_EXEC: "/bin/echo", ...env },
      encoding: "utf8",
    });
    return { ...result, home };
  }

  it("is an executable POSIX sh script that sh -n accepts", () => {
    expect(script.mode).toBe(0o755);
    expect(script.content.startsWith("#!/bin/sh\n")).toBe(true);
    const check = spawnSync("/bin/sh", ["-n", path], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("explains why JVM code must be pointed at the profile: the Java SDK reads the web identity variables first", () => {
    expect(script.content).toMatch(/Java/);
    expect(script.content).toMatch(/AWS_WEB_IDENTITY_TOKEN_FILE/);
    expect(script.content).toMatch(/ProfileCredentialsProvider/);
  });

  it("writes $HOME/.aws/config with every chain's profiles, then hands over with its arguments", () => {
    const r = run({}, ["driver", "--conf", "a b"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("driver --conf a b\n");
    const text = readFileSync(join(r.home, ".aws", "config"), "utf8");
    const config = parseAwsConfig(text);
    for (const chain of chains) expectChainInConfig(config, chain);
    // The final hop named default is the [default] section, never [profile default].
    expect(text).toMatch(/^\[default\]$/m);
    expect(text).not.toMatch(/\[profile default\]/);
    expect(text).not.toContain("lambda-trigger");
  });

  it("writes to AWS_CONFIG_FILE when it is set (as spark-defaults sets it), creating the directory", () => {
    const target = join(mkdtempSync(join(tmpdir(), "xacct-cfg-")), "nested", "config");
    const r = run({ AWS_CONFIG_FILE: target }, []);
    expect(r.status).toBe(0);
    expect(existsSync(join(r.home, ".aws", "config"))).toBe(false);
    const config = parseAwsConfig(readFileSync(target, "utf8"));
    expect(new Set(config.keys())).toEqual(new Set(chains.flatMap((c) => profileNames(c, config))));
  });

  it("fails, without handing over, when the program to hand over to is missing", () => {
    const r = run({ XACCT_EXEC: "/nonexistent/entrypoint.sh" }, []);
    expect(r.status).not.toBe(0);
  });

  const botocore = spawnSync("python3", ["-c", "import botocore"]).status === 0;
  it.skipIf(!botocore)("is read the same way by botocore (the AWS CLI's and boto3's config loader)", () => {
    const r = run({}, []);
    const file = join(r.home, ".aws", "config");
    const py = spawnSync(
      "python3",
      ["-c", "import json, botocore.session; print(json.dumps(botocore.session.Session().full_config['profiles']))"],
      {
        env: { ...process.env, AWS_CONFIG_FILE: file, AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_PROFILE: "" },
        encoding: "utf8",
      },
    );
    expect(py.stderr).toBe("");
    const profiles = JSON.parse(py.stdout) as Record<string, Record<string, string>>;
    expect(profiles).toEqual(Object.fromEntries(parseAwsConfig(readFileSync(file, "utf8"))));
  });
});

/** The profiles one chain goes through, from its own back to its start. */
function profileNames(chain: Chain, config: ReturnType<typeof parseAwsConfig>): string[] {
  const names: string[] = [];
  for (let name: string | undefined = chain.profile; name !== undefined; name = config.get(name)?.source_profile) names.push(name);
  return names;
}
