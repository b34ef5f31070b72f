/** Graphs of known size for the diagram size guards: a generated organization, and a ring of accounts. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { ReportData, ReportEdge } from "../../src/report/types.js";

const root = join(import.meta.dirname, "..", "..");

/** A synthetic organization of `accounts` accounts, 20 roles each (bench/generate-inventory.mjs), written under `dir`. */
export function generatedInventory(dir: string, accounts: number): string {
  const inventory = join(dir, `inventory-${accounts}`);
  const ran = spawnSync(process.execPath, [join(root, "bench", "generate-inventory.mjs"), inventory, String(accounts), "20"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (ran.status !== 0) throw new Error(ran.stderr);
  return inventory;
}

/** `n` accounts, each with one role that the next account's role can assume: n nodes, n cross-account edges. */
export function ringOfAccounts(n: number, partition = "aws"): ReportData {
  const id = (i: number) => String(100000000000 + (i % n));
  const role = (i: number) => `arn:${partition}:iam::${id(i)}:role/hop`;
  return {
    source: "test",
    title: "ring",
    accounts: Array.from({ length: n }, (_, i) => ({ id: id(i), managed: true })),
    nodes: Array.from({ length: n }, (_, i) => ({
      id: role(i),
      kind: "role" as const,
      label: "hop",
      arn: role(i),
      account: id(i),
      workloads: [],
      findings: [],
    })),
    edges: Array.from({ length: n }, (_, i) => assumeRoleEdge(i, role(i + 1), role(i), true)),
    statements: [],
    findings: [],
  };
}

/** Edge `e<i>`: `from` may assume `to`, nothing needed, no finding. */
export function assumeRoleEdge(i: number, from: string, to: string, crossAccount: boolean): ReportEdge {
  return {
    id: `e${i}`,
    kind: "assume-role",
    from,
    to,
    actions: ["sts:AssumeRole"],
    crossAccount,
    needs: [],
    callerSide: [],
    workloads: [],
    findings: [],
  };
}

/** One account holding a role of each name (`r0`, `r1`, … in their ARNs), the first trusted by each of the others. */
export function rolesNamed(names: readonly string[]): ReportData {
  const account = "111111111111";
  const arn = (i: number) => `arn:aws:iam::${account}:role/r${i}`;
  return {
    source: "test",
    title: "roles named",
    accounts: [{ id: account, managed: true }],
    nodes: names.map((label, i) => ({ id: arn(i), kind: "role" as const, label, arn: arn(i), account, workloads: [], findings: [] })),
    edges: names.slice(1).map((_, i) => assumeRoleEdge(i, arn(i + 1), arn(0), false)),
    statements: [],
    findings: [],
  };
}
