/**
 * Narrowing the report's graph to what a person asks about (src/report/focus.ts): accounts, a
 * workload, or N steps around one node; on seed 004, whose Spark job starts as its web identity,
 * becomes job-execution-role-1 in account A, then client-role-2 in account B, and reads a bucket in
 * each account and sends to a queue in B.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FocusError, focused } from "../src/report/focus.js";
import { loadReportData } from "../src/report/load.js";
import type { ReportData } from "../src/report/types.js";

const root = join(import.meta.dirname, "..");
const seed004 = loadReportData({ model: join(root, "examples", "004-emr-eks-chain", "xacct.yaml") });
const JOB_ROLE = "arn:aws:iam::111111111111:role/job-execution-role-1";
const CLIENT_ROLE = "arn:aws:iam::222222222222:role/client-role-2";
const LAKE = "arn:aws:s3:::datalake-222222222222-us-east-1";
const OWN_BUCKET = "arn:aws:s3:::emr-on-eks-test-111111111111-us-east-1";

const arns = (data: ReportData) => data.nodes.map((n) => n.arn);

/** Every edge's ends are nodes of the view, and every index it holds points into the view's tables. */
function consistent(data: ReportData): void {
  const ids = new Set(data.nodes.map((n) => n.id));
  for (const edge of data.edges) {
    expect(ids.has(edge.from) && ids.has(edge.to)).toBe(true);
    for (const i of [...(edge.allowedBy === undefined ? [] : [edge.allowedBy]), ...edge.callerSide])
      expect(data.statements[i]).toBeDefined();
    for (const i of edge.findings) expect(data.findings[i]).toBeDefined();
  }
  for (const node of data.nodes) for (const i of node.findings) expect(data.findings[i]).toBeDefined();
}

describe("focus around one node", () => {
  it("keeps the node alone at depth 0, and its callers and what it reaches one step out", () => {
    // GIVEN seed 004's report
    // WHEN it is narrowed to client-role-2 at depth 0, then 1
    const alone = focused(seed004, { around: { arns: [CLIENT_ROLE], depth: 0 } });
    const near = focused(seed004, { around: { arns: [CLIENT_ROLE], depth: 1 } });
    // THEN depth 0 is the role alone; depth 1 adds the role that assumes it and the data lake it reads …
    expect(arns(alone)).toEqual([CLIENT_ROLE]);
    expect(arns(near)).toEqual(expect.arrayContaining([CLIENT_ROLE, JOB_ROLE, LAKE]));
    // … but not account A's own bucket, two steps away (through job-execution-role-1)
    expect(arns(near)).not.toContain(OWN_BUCKET);
    expect(arns(focused(seed004, { around: { arns: [CLIENT_ROLE], depth: 2 } }))).toContain(OWN_BUCKET);
    consistent(near);
  });

  it("says what the report holds when the ARN is not in it", () => {
    // GIVEN an ARN of no node of seed 004
    // WHEN it is the focus, THEN the error names it and shows ARNs the report does hold
    expect(() => focused(seed004, { around: { arns: ["arn:aws:iam::111111111111:role/nope"], depth: 1 } })).toThrow(FocusError);
    expect(() => focused(seed004, { around: { arns: ["arn:aws:iam::111111111111:role/nope"], depth: 1 } })).toThrow(
      /no principal or resource arn:aws:iam::111111111111:role\/nope in this report.*arn:aws/,
    );
  });
});

describe("focus on accounts and workloads", () => {
  it("keeps an account's nodes and the nodes one step in or out of it", () => {
    // GIVEN seed 004's report, WHEN it is narrowed to account B
    const b = focused(seed004, { accounts: ["222222222222"] });
    // THEN account B's role and the role in A that assumes it are kept, and only those accounts drawn
    expect(arns(b)).toEqual(expect.arrayContaining([CLIENT_ROLE, JOB_ROLE, LAKE]));
    expect(arns(b)).not.toContain(OWN_BUCKET);
    expect(b.accounts.map((a) => a.id).sort()).toEqual(["111111111111", "222222222222"]);
    consistent(b);
  });

  it("keeps what a workload's chain passes through and reaches, and narrows with other kinds of focus", () => {
    // GIVEN seed 004's report, WHEN it is narrowed to the spark-job workload
    const job = focused(seed004, { workloads: ["spark-job"] });
    // THEN both roles of its chain and the resources of its grants are kept
    expect(arns(job)).toEqual(expect.arrayContaining([JOB_ROLE, CLIENT_ROLE, LAKE, OWN_BUCKET]));
    // AND WHEN the workload and a node at depth 0 are both given, THEN only what both keep remains
    expect(arns(focused(seed004, { workloads: ["spark-job"], around: { arns: [JOB_ROLE], depth: 0 } }))).toEqual([JOB_ROLE]);
  });

  it("refuses an account or a workload the report does not hold, saying which it holds", () => {
    // GIVEN names seed 004 does not have, THEN each is refused with what the report has
    expect(() => focused(seed004, { accounts: ["999999999999"] })).toThrow(/no account 999999999999 in this report; it holds 2 accounts: /);
    expect(() => focused(seed004, { workloads: ["nightly"] })).toThrow(/no workload nightly in this report; its workloads are: spark-job/);
  });

  it("leaves the report as it is when nothing is asked", () => {
    // GIVEN no focus, THEN the same report comes back
    expect(focused(seed004, {})).toBe(seed004);
  });
});
