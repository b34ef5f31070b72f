/**
 * The `xacct import` command as a user runs it (the built CLI): a missing or invalid inventory is
 * one line and exit 2; --out is replaced only when xacct import wrote it and nobody edited it since,
 * else only with --force; and the model it writes verifies against the inventory through the CLI.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeInventoryDir } from "./support/inventory-dir.js";
import { compileExample } from "./support/state.js";
import { xacct } from "./support/xacct-cli.js";

const work = () => mkdtempSync(join(tmpdir(), "xacct-import-"));

describe("xacct import refuses what it cannot read, in one line", () => {
  it("a missing inventory directory is exit 2 and one line naming it", () => {
    // GIVEN a directory that does not exist
    const dir = work();
    // WHEN it is imported
    const run = xacct(["import", "--inventory", join(dir, "nowhere"), "--out", join(dir, "m.yaml")]);
    // THEN the error is one line saying so, and nothing is written
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("nowhere");
    expect(() => readFileSync(join(dir, "m.yaml"))).toThrow();
  });

  it("an inventory whose authorization details are not JSON is exit 2, naming the file", () => {
    // GIVEN an account directory whose authorization-details.json is cut short
    const dir = work();
    mkdirSync(join(dir, "inv", "111111111111"), { recursive: true });
    writeFileSync(join(dir, "inv", "111111111111", "authorization-details.json"), '{"RoleDetailList": [');
    // WHEN it is imported
    const run = xacct(["import", "--inventory", join(dir, "inv"), "--out", join(dir, "m.yaml")]);
    // THEN one line names the file
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("111111111111/authorization-details.json");
  });

  it("an inventory with no account is exit 2", () => {
    // GIVEN an empty directory
    const dir = work();
    mkdirSync(join(dir, "inv"));
    // WHEN it is imported
    const run = xacct(["import", "--inventory", join(dir, "inv"), "--out", join(dir, "m.yaml")]);
    // THEN it is refused
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("holds no account");
  });

  it("--accounts naming an account the inventory does not hold is exit 2", () => {
    // GIVEN example 007's inventory
    const dir = work();
    const inventory = writeInventoryDir(compileExample("007-saas-vendor").state, join(dir, "inv"));
    // WHEN an account outside it is asked for
    const run = xacct(["import", "--inventory", inventory, "--accounts", "999999999999", "--out", join(dir, "m.yaml")]);
    // THEN it is refused, naming the account
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("999999999999");
  });
});

describe("xacct import --out never overwrites a file it did not write", () => {
  const setup = () => {
    const dir = work();
    const inventory = writeInventoryDir(compileExample("007-saas-vendor").state, join(dir, "inv"));
    return { dir, inventory, out: join(dir, "xacct.yaml") };
  };

  it("a model a person wrote is kept; --force replaces it", () => {
    // GIVEN a hand-written model at --out
    const { inventory, out } = setup();
    writeFileSync(out, "version: 1\nname: mine\n");
    // WHEN import writes to it
    const refused = xacct(["import", "--inventory", inventory, "--out", out]);
    // THEN it is refused and the file is untouched
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("--force");
    expect(readFileSync(out, "utf8")).toBe("version: 1\nname: mine\n");
    // AND with --force it is replaced by the imported model
    const forced = xacct(["import", "--inventory", inventory, "--out", out, "--force"]);
    expect(forced.status).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("vendor-readonly");
  });

  it("its own model is replaced on a second run, but not once edited", () => {
    // GIVEN a model import wrote
    const { inventory, out } = setup();
    expect(xacct(["import", "--inventory", inventory, "--out", out]).status).toBe(0);
    // WHEN import runs again over it
    const again = xacct(["import", "--inventory", inventory, "--out", out]);
    // THEN it is replaced
    expect(again.status).toBe(0);
    // AND once a person edits it, it is kept
    writeFileSync(out, readFileSync(out, "utf8").replace("name: imported", "name: edited"));
    const edited = readFileSync(out, "utf8");
    expect(xacct(["import", "--inventory", inventory, "--out", out]).status).toBe(2);
    expect(readFileSync(out, "utf8")).toBe(edited);
  });
});

describe("xacct import, then xacct verify against the same inventory", () => {
  for (const example of ["001-cats-external", "005-github-oidc-deploy"]) {
    it(`${example}: verify --model imported.yaml --inventory DIR passes`, () => {
      // GIVEN the example's compiled state as an inventory directory
      const dir = work();
      const inventory = writeInventoryDir(compileExample(example).state, join(dir, "inv"));
      const out = join(dir, "imported.yaml");
      // WHEN it is imported through the CLI
      const imported = xacct(["import", "--inventory", inventory, "--out", out]);
      expect(imported.stderr).not.toContain("warning");
      expect(imported.status).toBe(0);
      // THEN verify of the imported model against that inventory passes
      const verified = xacct(["verify", "--model", out, "--inventory", inventory]);
      expect(verified.stdout).toContain("verified: the model holds");
      expect(verified.status).toBe(0);
    });
  }
});
