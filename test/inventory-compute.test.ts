/**
 * compute.json as loadInventory reads it: each function and instance with the role it runs as,
 * by role ARN; anything that is not an ARN of the folder's account (another account, `__proto__`,
 * a newline, a 100,000-character value) is refused at its JSON path, and nothing is half-loaded.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadInventory } from "../src/state/inventory.js";

const A = "111111111111";
const ROLE = `arn:aws:iam::${A}:role/app`;
const FUNCTION = `arn:aws:lambda:us-east-1:${A}:function:export`;
const INSTANCE = `arn:aws:ec2:us-east-1:${A}:instance/i-0123456789abcdef0`;

function inventoryWith(compute: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "xacct-inventory-"));
  mkdirSync(join(dir, A));
  writeFileSync(
    join(dir, A, "authorization-details.json"),
    JSON.stringify({ RoleDetailList: [], UserDetailList: [], GroupDetailList: [], Policies: [] }),
  );
  writeFileSync(join(dir, A, "compute.json"), JSON.stringify(compute));
  return dir;
}

describe("compute.json", () => {
  it("loads each function and instance under the role it runs as; an account without the file has nothing known", () => {
    // GIVEN a function and an instance running as the same role
    const dir = inventoryWith({ functions: [{ arn: FUNCTION, role: ROLE }], instances: [{ arn: INSTANCE, role: ROLE }] });
    // WHEN the inventory is loaded THEN both are held by the role's ARN
    const running = loadInventory(dir).accounts.get(A)?.running;
    expect(running?.functions.get(ROLE)).toEqual([FUNCTION]);
    expect(running?.instances.get(ROLE)).toEqual([INSTANCE]);
  });

  it.each([
    ["a function of another account", { functions: [{ arn: FUNCTION.replace(A, "222222222222"), role: ROLE }] }, /functions\[0\]\.arn/],
    ["a role of another account", { instances: [{ arn: INSTANCE, role: "arn:aws:iam::222222222222:role/app" }] }, /instances\[0\]\.role/],
    ["__proto__ as the role", { functions: [{ arn: FUNCTION, role: "__proto__" }] }, /functions\[0\]\.role/],
    ["an instance ARN given as a function", { functions: [{ arn: INSTANCE, role: ROLE }] }, /functions\[0\]\.arn/],
    [
      "a newline in the ARN",
      { instances: [{ arn: "arn:aws:ec2:us-east-1:1111\n11111111:instance/i-1", role: ROLE }] },
      /instances\[0\]\.arn/,
    ],
    [
      "a 100,000-character ARN",
      { functions: [{ arn: `arn:aws:lambda:us-east-1:${"1".repeat(100_000)}:function:f`, role: ROLE }] },
      /functions\[0\]\.arn/,
    ],
    ["a list that is not a list", { functions: { arn: FUNCTION, role: ROLE } }, /compute\.json.*functions/],
  ])("refuses %s at its JSON path", (_what, compute, where) => {
    // GIVEN a compute.json with the fault  WHEN it is loaded  THEN one located error says where, and no inventory is returned
    expect(() => loadInventory(inventoryWith(compute))).toThrow(where);
  });

  it("keeps the error short when the bad value is huge (it is described, not echoed whole)", () => {
    const huge = { functions: [{ arn: `arn:${"x".repeat(100_000)}`, role: ROLE }] };
    let message = "";
    try {
      loadInventory(inventoryWith(huge));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/functions\[0\]\.arn/);
    expect(message.length).toBeLessThan(1_000);
  });
});
