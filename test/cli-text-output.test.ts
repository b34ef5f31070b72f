/**
 * What the commands print as text holds names from an inventory, which whoever administers a
 * collected account chooses: a name's line breaks and control characters are printed as escapes,
 * so that no name forges a line of the answer (a green "nobody") or sends the terminal an escape
 * sequence.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { xacct } from "./support/xacct-cli.js";

const root = join(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "xacct-text-output-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A line break, then green "nobody" in ANSI escapes: what a forged line of the answer looks like. */
const FORGED = "x\n\u001b[32mnobody\u001b[0m";
/** Every control character but the line feed that ends each line. */
const CONTROL_BUT_LF = /(?!\n)\p{Cc}/u;

/** Seed 004's inventory with account B's client role renamed `role/x<line break><ESC>[32mnobody<ESC>[0m`, everywhere it is named. */
function hostileInventory(): string {
  const dir = join(work, "inventory");
  cpSync(join(root, "test", "inventories", "seed-004-emr-eks-chain"), dir, { recursive: true });
  for (const account of ["111111111111", "222222222222"]) {
    const file = join(dir, account, "authorization-details.json");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replaceAll("client-role-2", JSON.stringify(FORGED).slice(1, -1)));
  }
  return dir;
}

describe("names from an inventory in the commands' text", () => {
  const inventory = hostileInventory();
  const lake = ["--action", "s3:ListBucket", "--resource", "arn:aws:s3:::datalake-222222222222-us-east-1"];

  it("who-can prints each principal on its own line, the name's control characters escaped", () => {
    // GIVEN the role reaching the data lake named with a line break and ANSI colour escapes
    // WHEN who-can answers as text
    const r = xacct(["who-can", "--inventory", inventory, ...lake]);
    // THEN every line is a principal's (none reads "nobody" alone), no control character but the line
    // ends is printed, and the name is shown with its escapes
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    for (const line of lines) expect(line).toMatch(/^arn:aws:iam::/);
    expect(r.stdout).not.toMatch(CONTROL_BUT_LF);
    expect(r.stdout).toContain("role/x\\u000a\\u001b[32mnobody\\u001b[0m");
    // … and --json keeps the name as it is
    const json = JSON.parse(xacct(["who-can", "--inventory", inventory, ...lake, "--json"]).stdout) as {
      principals: { principal: string }[];
    };
    expect(json.principals.map((p) => p.principal)).toContain(`arn:aws:iam::222222222222:role/${FORGED}`);
  });

  it("reach and can print no control character either", () => {
    const role = "arn:aws:iam::111111111111:role/job-execution-role-1";
    for (const args of [
      ["reach", "--inventory", inventory, "--principal", role],
      ["can", "--inventory", inventory, "--principal", role, ...lake],
    ]) {
      // WHEN each answers as text about the graph holding that name
      const r = xacct(args);
      // THEN the name is printed with its escapes, and no control character but the line ends
      expect(r.stdout).toContain("\\u001b[32mnobody");
      expect(r.stdout).not.toMatch(CONTROL_BUT_LF);
    }
  });
});
