/**
 * `who-can` and `can` say what they cannot be sure of before answering: an action AWS's service
 * authorization data does not list for its service (a typo would answer "nobody" with nothing
 * wrong in any policy), a resource in an account whose policies the input does not hold (its
 * resource policy or trust decides a cross-account request too: IAM User Guide, "Cross-account
 * policy evaluation logic"), and a role to assume that the account holding its IAM does not have.
 * The answer is still given (exit 0), for an action newer than the data.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { examplesDir } from "./support/state.js";
import { xacct } from "./support/xacct-cli.js";

const SEED_004 = join(examplesDir, "004-emr-eks-chain", "xacct.yaml");
const JOB_ROLE = "arn:aws:iam::111111111111:role/job-execution-role-1";
const LAKE_OBJECT = "arn:aws:s3:::datalake-222222222222-us-east-1/data.csv";
const whoCan = (action: string, resource: string) => xacct(["who-can", "--model", SEED_004, "--action", action, "--resource", resource]);

describe("who-can and can on a question they cannot be sure of", () => {
  it("warn of an action its service does not have, naming the nearest, and still answer", () => {
    // GIVEN s3:GetObjec, one letter short of s3:GetObject
    // WHEN who-can and can are asked about it
    const who = whoCan("s3:GetObjec", LAKE_OBJECT);
    const one = xacct(["can", "--model", SEED_004, "--principal", JOB_ROLE, "--action", "s3:GetObjec", "--resource", LAKE_OBJECT]);
    // THEN each warns on stderr, suggesting s3:GetObject, and answers all the same
    for (const r of [who, one])
      expect(r.stderr).toMatch(/warning: s3:GetObjec is not an action AWS lists for s3 \(did you mean "s3:GetObject"\?\)/);
    expect(who.status).toBe(0);
    expect(who.stdout).toBe("nobody\n");
    // AND an action of a service the data does not have is said to be so
    expect(whoCan("s4:GetObject", LAKE_OBJECT).stderr).toMatch(/warning: AWS's service authorization data has no service "s4"/);
  });

  it("warn of a resource in an account whose policies the input does not hold", () => {
    // GIVEN a role of account 999999999999, which seed 004 does not hold
    // WHEN who-can is asked who can assume it
    const r = whoCan("sts:AssumeRole", "arn:aws:iam::999999999999:role/deployer");
    // THEN it warns that the role's trust is not known
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /warning: arn:aws:iam::999999999999:role\/deployer is in account 999999999999, whose policies the model or inventory does not hold/,
    );
  });

  it("warn of a role to assume that the account holding its IAM does not have, naming the nearest", () => {
    // GIVEN client-role-3 in account B, which holds client-role-2
    const r = whoCan("sts:AssumeRole", "arn:aws:iam::222222222222:role/client-role-3");
    // THEN the warning names client-role-2
    expect(r.stderr).toMatch(/warning: account 222222222222 has no role named client-role-3 \(did you mean "client-role-2"\?\)/);
    // AND a role to create is not expected to exist yet: no warning
    expect(whoCan("iam:CreateRole", "arn:aws:iam::222222222222:role/client-role-3").stderr).not.toContain("warning");
  });

  it("say nothing of a question about an action and a resource the input holds", () => {
    // GIVEN s3:GetObject on the data lake of account B, which seed 004 holds
    const r = whoCan("s3:GetObject", LAKE_OBJECT);
    // THEN no warning
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain("warning");
    expect(whoCan("sts:AssumeRole", "arn:aws:iam::222222222222:role/client-role-2").stderr).not.toContain("warning");
  });
});
