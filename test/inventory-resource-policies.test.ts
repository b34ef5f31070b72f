/**
 * resource-policies.json in both forms loadInventory accepts: the one `xacct collect` writes
 * (`{"resources": [{arn, account, region, policy}]}`, recording the owner and region an S3 bucket's
 * ARN does not carry) and the older `{"<ARN>": policy}`; a resource said to be another account's
 * than the folder's is refused at its JSON path.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadInventory } from "../src/state/inventory.js";

const A = "111111111111";
const POLICY = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
  ],
};

function inventoryWith(resourcePolicies: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "xacct-inventory-"));
  mkdirSync(join(dir, A));
  writeFileSync(
    join(dir, A, "authorization-details.json"),
    JSON.stringify({ RoleDetailList: [], UserDetailList: [], GroupDetailList: [], Policies: [] }),
  );
  writeFileSync(join(dir, A, "resource-policies.json"), JSON.stringify(resourcePolicies));
  return dir;
}

describe("resource-policies.json", () => {
  it("loads the collected form, with the bucket's region", () => {
    // GIVEN a bucket policy recorded with its owner and region
    const dir = inventoryWith({ resources: [{ arn: "arn:aws:s3:::b", account: A, region: "eu-west-1", policy: POLICY }] });
    // WHEN the inventory is loaded
    const held = loadInventory(dir).accounts.get(A)?.resourcePolicies.get("arn:aws:s3:::b");
    // THEN the policy is the account's, of service s3, in eu-west-1
    expect(held).toEqual({ arn: "arn:aws:s3:::b", service: "s3", region: "eu-west-1", policy: POLICY });
  });

  it("still loads the older form keyed by ARN", () => {
    // GIVEN the older form
    const dir = inventoryWith({ "arn:aws:s3:::b": POLICY });
    // WHEN / THEN it loads as before
    expect(loadInventory(dir).accounts.get(A)?.resourcePolicies.get("arn:aws:s3:::b")?.policy).toEqual(POLICY);
  });

  it("refuses a resource said to be owned by another account than the folder's, at its JSON path", () => {
    // GIVEN a resource recorded as account 222222222222's in account A's folder
    const dir = inventoryWith({ resources: [{ arn: "arn:aws:s3:::b", account: "222222222222", region: "", policy: POLICY }] });
    // WHEN / THEN loading says where and why
    expect(() => loadInventory(dir)).toThrow(/resources\[0\]\.account.*must be 111111111111/);
  });
});
