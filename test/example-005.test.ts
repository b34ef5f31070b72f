/**
 * examples/005-github-oidc-deploy: a GitHub Actions workflow deploys through OIDC (issue 13, setup 1).
 * The job of acme/app on main exchanges its token for gha-deploy in tools, which chains to
 * prod-deploy in prod: update one Lambda function's code and configuration, pass its execution role
 * to Lambda, read one bucket. What the vendors document:
 *
 * - GitHub, "Configuring OpenID Connect in Amazon Web Services": "For the provider URL: Use
 *   https://token.actions.githubusercontent.com" and "For the "Audience": Use sts.amazonaws.com if
 *   you are using the official action"; the subject of a job on a branch is
 *   `repo:<orgName/repoName>:ref:refs/heads/branchName`.
 * - IAM user guide, "Create a role for OpenID Connect federation": "You can use the condition key
 *   `token.actions.githubusercontent.com:sub` to limit access. … If you do not include this
 *   condition, then GitHub Actions from organizations or repositories outside of your control are
 *   able to assume roles".
 * - Lambda developer guide, identity-based policies: "`PassRole` is used when you assign an execution
 *   role to a function"; IAM user guide, PassRole: "To pass a role (and its permissions) to an AWS
 *   service, a user must have permissions to pass the role to the service."
 *
 * The sandbox decides Lambda's UpdateFunctionCode and GetFunction routes on the function the path
 * names (src/sandbox/services/lambda.ts), so the real clients' deploy call is decided as AWS would.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { emitAll } from "../src/emit/index.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { verify } from "../src/graph/verify.js";
import { startEnvironment } from "../src/sandbox/environment.js";
import { loadInventory } from "../src/state/inventory.js";
import { validateTemplate } from "./support/cfn-validate.js";
import { runProgram } from "./support/chain-cli.js";
import { apply, emptyCopy, readBack, rootOf } from "./support/iam-apply.js";
import { AWS, CLI_PLUGIN_SECTION, commonEnv } from "./support/real-clients.js";
import { clientConfig, REGION, sandboxPerTest } from "./support/sandbox-clients.js";
import { generatedTemplates, itPassesTheValidators } from "./support/generated-validators.js";
import { compileExample } from "./support/state.js";

const EXAMPLE = "005-github-oidc-deploy";
const TOOLS = "111111111111";
const PROD = "222222222222";
const GITHUB = "token.actions.githubusercontent.com";
const MAIN = "repo:acme/app:ref:refs/heads/main";
const PROVIDER = `arn:aws:iam::${TOOLS}:oidc-provider/${GITHUB}`;
const GHA_DEPLOY = `arn:aws:iam::${TOOLS}:role/gha-deploy`;
const PROD_DEPLOY = `arn:aws:iam::${PROD}:role/prod-deploy`;
const FUNCTION = `arn:aws:lambda:us-east-1:${PROD}:function:app-api`;
const EXEC_ROLE = `arn:aws:iam::${PROD}:role/app-api-exec`;
const OTHER_FUNCTION = `arn:aws:lambda:us-east-1:${PROD}:function:billing`;
const BUCKET = `acme-app-artifacts-${PROD}`;

/** The claims of a GitHub job's token as the trust's conditions read them (`<issuer>:sub`, `<issuer>:aud`). */
const token = (sub: string) => ({ [`${GITHUB}:sub`]: sub, [`${GITHUB}:aud`]: "sts.amazonaws.com" });

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("examples/005: each grant's both sides, decided by the engine", () => {
  const compiled = compileExample(EXAMPLE);
  const graph = new AccessGraph(compiled.state);
  const ask = (action: string, resource: string, sub = MAIN, extra: Record<string, string> = {}) =>
    can(graph, { principal: PROVIDER, action, resource, context: { ...token(sub), ...extra } });

  it("main's token updates the function's code and configuration and reads the bucket, through gha-deploy then prod-deploy", () => {
    // GIVEN the token GitHub issues to a job of acme/app on main, audience sts.amazonaws.com
    // WHEN the engine decides the deploy's calls on the function and the read of an artifact
    const asked = [
      ask("lambda:UpdateFunctionCode", FUNCTION),
      ask("lambda:UpdateFunctionConfiguration", FUNCTION),
      ask("s3:GetObject", `arn:aws:s3:::${BUCKET}/app-api/build.zip`),
      // Lambda passes the execution role as UpdateFunctionConfiguration names it: iam:PassedToService is Lambda.
      ask("iam:PassRole", EXEC_ROLE, MAIN, { "iam:PassedToService": "lambda.amazonaws.com" }),
    ];
    // THEN each is allowed, and only along the chain the model declares
    for (const answer of asked) {
      expect(answer.decision).toBe("Allow");
      expect(answer.paths.map((p) => p.via)).toEqual([[GHA_DEPLOY, PROD_DEPLOY]]);
    }
  });

  it("another function, another bucket, a feature branch's token and PassRole of another role are denied", () => {
    // GIVEN calls just outside the grants
    const denied = {
      "another function": ask("lambda:UpdateFunctionCode", OTHER_FUNCTION),
      "another bucket": can(graph, {
        principal: PROVIDER,
        action: "s3:GetObject",
        resource: `arn:aws:s3:::acme-secrets-${PROD}/app-api/build.zip`,
        resourceAccount: PROD,
        context: token(MAIN),
      }),
      "a feature branch": ask("lambda:UpdateFunctionCode", FUNCTION, "repo:acme/app:ref:refs/heads/feature"),
      "a pull request": ask("s3:GetObject", `arn:aws:s3:::${BUCKET}/app-api/build.zip`, "repo:acme/app:pull_request"),
      "another role": ask("iam:PassRole", `arn:aws:iam::${PROD}:role/admin`, MAIN, { "iam:PassedToService": "lambda.amazonaws.com" }),
      // "You cannot use the PassRole permission to pass a cross-account role": only to Lambda, and only prod's role.
      "the role to EC2": ask("iam:PassRole", EXEC_ROLE, MAIN, { "iam:PassedToService": "ec2.amazonaws.com" }),
      "deleting the function": ask("lambda:DeleteFunction", FUNCTION),
    };
    // THEN none is allowed
    for (const [what, answer] of Object.entries(denied)) {
      expect(answer.decision, what).not.toBe("Allow");
      expect(answer.paths, what).toEqual([]);
    }
  });

  it("verify holds on the model: both grants possible, no finding", () => {
    // WHEN verify walks the model
    const result = verify(compiled, graph);
    // THEN
    expect(result.grants.map((g) => [g.workload, g.possible])).toEqual([
      ["github-deploy", true],
      ["github-deploy", true],
    ]);
    expect(result.ok).toBe(true);
  });
});

describe("examples/005: its CloudFormation and Terraform", () => {
  const files = new Map(emitAll(compileExample(EXAMPLE)).map((f) => [f.path, f.content]));
  const templates = generatedTemplates(files);

  it("each template is valid for AWS's resource specification", async () => {
    // GIVEN both accounts' templates and prod-deploy's StackSet template
    expect(templates.sort()).toEqual([
      "accounts/prod/cloudformation.json",
      "accounts/tools/cloudformation.json",
      "stacksets/prod-deploy.json",
    ]);
    // THEN each is valid
    for (const path of templates) expect(await validateTemplate(JSON.parse(files.get(path) ?? "")), path).toEqual([]);
  });

  itPassesTheValidators(files);
});

const start = sandboxPerTest();

describe("examples/005: its README", () => {
  it("shows the workflow job once for the two grants along the same chain, naming both", () => {
    // GIVEN the example's two grants, both through gha-deploy then prod-deploy
    const readme = emitAll(compileExample(EXAMPLE)).find((f) => f.path === "README.md")?.content ?? "";
    // WHEN reading its GitHub Actions section
    const section = readme.slice(readme.indexOf("## GitHub Actions"), readme.indexOf("## Manual steps"));
    // THEN one job assumes gha-deploy, then prod-deploy with role-chaining, under a heading naming both profiles
    expect(section.match(/role-to-assume: arn:aws:iam::111111111111:role\/gha-deploy/g)).toHaveLength(1);
    expect(section.match(/^ +role-chaining: true$/gm)).toHaveLength(1);
    expect(section).toContain("### prod-lambda, prod-s3");
    expect(section).toContain("- github-deploy may read objects (Amazon S3) in prod");
  });
});

describe("examples/005: its IAM applied through the sandbox and read back", () => {
  it("verify accepts the read-back IAM: every grant possible, nothing undeclared, no drift", async () => {
    // GIVEN the example's roles and OIDC provider created through the sandbox's IAM API, then read back
    const compiled = compileExample(EXAMPLE);
    const s = await start({ state: emptyCopy(compiled.state) });
    await apply(s, compiled.state);
    const deployed = loadInventory(await readBack(s, compiled.state));
    // WHEN verify compares the model with it
    const result = verify(compiled, new AccessGraph(deployed), { deployed });
    // THEN
    expect(result.grants.filter((g) => !g.possible).map((g) => g.reason)).toEqual([]);
    expect(result.grants).toHaveLength(2);
    expect(result.undeclared).toEqual([]);
    expect(result.drift).toEqual([]);
    // AND the read-back tools account holds GitHub's provider, which gha-deploy's trust names
    expect(deployed.accounts.get(TOOLS)?.oidcProviders.has(PROVIDER)).toBe(true);
  });
});

/** An empty zip archive: its end-of-central-directory record alone (PKWARE APPNOTE 4.3.16), 22 bytes; the AWS CLI refuses a --zip-file that is no zip. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...Array<number>(18).fill(0)]);

/**
 * With the SDK's default credential chain (AWS_PROFILE): gets app-api/build.zip from each bucket
 * named on the command line (path-style), then updates the code of each function named after `--`
 * with an empty zip, then gets the first function; prints each call's outcome, in order.
 */
const SDK_CALLS = `import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetFunctionCommand, LambdaClient, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
const s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
const lambda = new LambdaClient({ maxAttempts: 1 });
const args = process.argv.slice(1);
const out = [];
const outcome = async (call) => {
  try {
    out.push({ ok: await call() });
  } catch (e) {
    out.push({ error: e.name, status: e.$metadata?.httpStatusCode, message: e.message });
  }
};
for (const Bucket of args.slice(0, args.indexOf("--")))
  await outcome(async () => (await s3.send(new GetObjectCommand({ Bucket, Key: "app-api/build.zip" }))).Body.transformToString());
for (const FunctionName of args.slice(args.indexOf("--") + 1))
  await outcome(async () => (await lambda.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: Buffer.from(${JSON.stringify([...EMPTY_ZIP])}) }))).CodeSize);
await outcome(async () => (await lambda.send(new GetFunctionCommand({ FunctionName: args[args.indexOf("--") + 1] }))).Configuration.FunctionArn);
console.log(JSON.stringify(out));`;

describe("examples/005: the generated chain in real clients, from a GitHub-shaped token the sandbox issues", () => {
  /**
   * The sandbox environment of the example: its AWS config (the build's profiles, whose token file
   * holds a token the sandbox signed for the workload: iss https://token.actions.githubusercontent.com,
   * sub repo:acme/app:ref:refs/heads/main, aud sts.amazonaws.com), and prod's bucket holding one
   * artifact, written by prod's root, plus a second bucket of prod that no grant names.
   */
  async function environment() {
    const compiled = compileExample(EXAMPLE);
    const env = await startEnvironment({ compiled, state: compiled.state });
    const root = new S3Client({ ...clientConfig(env.sandbox, rootOf(env.sandbox, PROD)), forcePathStyle: true });
    for (const Bucket of [BUCKET, `acme-secrets-${PROD}`]) {
      await root.send(new CreateBucketCommand({ Bucket }));
      await root.send(new PutObjectCommand({ Bucket, Key: "app-api/build.zip", Body: "zip" }));
    }
    const dir = mkdtempSync(join(tmpdir(), "xacct-example-005-"));
    scratch.push(dir);
    return { env, dir, config: readFileSync(env.files.config, "utf8") };
  }

  it(
    "the SDK for JavaScript reads the artifact and updates the function with profile prod-s3; another bucket and function are refused",
    {
      timeout: 120_000,
    },
    async () => {
      // GIVEN the generated config, read by the SDK's default chain in a fresh Node.js process with
      // AWS_PROFILE and AWS_ENDPOINT_URL, as a workflow step would run it
      const { env, dir, config } = await environment();
      try {
        expect(config).toContain("[profile prod-s3]\nsource_profile = github-deploy-web-identity");
        const vars = { ...commonEnv(dir, env.sandbox.url), AWS_CONFIG_FILE: env.files.config, AWS_PROFILE: "prod-s3", AWS_REGION: REGION };
        // WHEN it reads the artifact and the other bucket's object, then updates app-api's code and billing's
        const ran = await runProgram(
          process.execPath,
          ["--input-type=module", "-e", SDK_CALLS, BUCKET, `acme-secrets-${PROD}`, "--", FUNCTION, OTHER_FUNCTION],
          vars,
        );
        expect(ran.stderr).not.toMatch(/Error/);
        type Outcome = { ok?: unknown; error?: string; status?: number; message?: string };
        const [read, otherBucket, update, otherFunction, got] = JSON.parse(ran.stdout) as Outcome[];
        // THEN the artifact is served, and S3 refuses the other bucket naming prod-deploy's session
        expect(read).toEqual({ ok: "zip" });
        expect(otherBucket).toMatchObject({ error: "AccessDenied", status: 403 });
        expect(otherBucket?.message).toContain(`arn:aws:sts::${PROD}:assumed-role/prod-deploy/`);
        // AND Lambda takes the update of app-api (its CodeSize is the zip's 22 bytes) and refuses billing's
        expect(update).toEqual({ ok: EMPTY_ZIP.length });
        expect(otherFunction).toMatchObject({ error: "AccessDeniedException", status: 403 });
        expect(otherFunction?.message).toContain("lambda:UpdateFunctionCode");
        // AND GetFunction, which deploy allows, names the function
        expect(got).toEqual({ ok: FUNCTION });
      } finally {
        await env.close();
      }
    },
  );

  const cli = process.env.CI ? it : it.skipIf(!AWS);
  cli(
    "Debian's AWS CLI reads the artifact and updates the function with profile prod-s3; another bucket and function are refused",
    { timeout: 120_000 },
    async () => {
      // GIVEN the generated config with the CLI plugin that sends every request to the sandbox, and
      // S3's path-style addressing (the plugin keeps a request's path, not a virtual host's bucket)
      const { env, dir, config } = await environment();
      try {
        const file = join(dir, "config");
        writeFileSync(
          file,
          config.replace("[profile prod-s3]\n", "[profile prod-s3]\ns3 =\n    addressing_style = path\n") + CLI_PLUGIN_SECTION,
        );
        const vars = { ...commonEnv(dir, env.sandbox.url), AWS_CONFIG_FILE: file };
        const get = (bucket: string) =>
          runProgram(
            AWS as string,
            [
              "s3api",
              "get-object",
              "--bucket",
              bucket,
              "--key",
              "app-api/build.zip",
              join(dir, "out"),
              "--profile",
              "prod-s3",
              "--region",
              REGION,
            ],
            vars,
          );
        writeFileSync(join(dir, "build.zip"), EMPTY_ZIP);
        const update = (fn: string) =>
          runProgram(
            AWS as string,
            [
              "lambda",
              "update-function-code",
              "--function-name",
              fn,
              "--zip-file",
              `fileb://${join(dir, "build.zip")}`,
              "--profile",
              "prod-s3",
            ],
            { ...vars, AWS_DEFAULT_REGION: REGION },
          );
        // WHEN it gets the artifact, then the object of the other bucket; updates app-api's code, then billing's
        const allowed = await get(BUCKET);
        const denied = await get(`acme-secrets-${PROD}`);
        const updated = await update(FUNCTION);
        const refused = await update(OTHER_FUNCTION);
        // THEN the artifact is written out, and the other is refused
        expect(allowed.stderr).toBe("");
        expect(allowed.code).toBe(0);
        expect(readFileSync(join(dir, "out"), "utf8")).toBe("zip");
        expect(denied.code).not.toBe(0);
        expect(denied.stderr).toMatch(/AccessDenied/);
        // AND Lambda takes app-api's code (the zip's 22 bytes) and refuses billing's
        expect(updated.stderr).toBe("");
        expect(JSON.parse(updated.stdout)).toMatchObject({
          FunctionName: "app-api",
          FunctionArn: FUNCTION,
          CodeSize: EMPTY_ZIP.length,
          // "CodeSha256: The SHA256 hash of the function's deployment package" (Lambda API reference), base64
          CodeSha256: createHash("sha256").update(EMPTY_ZIP).digest("base64"),
        });
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(/AccessDeniedException/);
      } finally {
        await env.close();
      }
    },
  );
});
