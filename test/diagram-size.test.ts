/**
 * `xacct graph` honest about size, checked with the real renderers: Mermaid (the npm package's
 * browser bundle, in Debian's Chromium) and Graphviz's `dot` (Debian's). A graph over what the tool
 * draws becomes the account-level view, said in a comment and to the caller; over that too, an
 * error that says how to narrow it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasChromium } from "../scripts/report-browser.mjs";
import { accountView } from "../src/report/account-view.js";
import { diagramOf, DiagramTooLarge } from "../src/report/diagram.js";
import { DOT, DOT_MAX_NODES } from "../src/report/dot.js";
import { loadReportData } from "../src/report/load.js";
import { MERMAID, MERMAID_MAX_EDGES, toMermaid } from "../src/report/mermaid.js";
import type { ReportData } from "../src/report/types.js";
import { generatedInventory, ringOfAccounts } from "./support/diagram-graphs.js";
import { dotSvg as dot, hasDot, mermaidPage } from "./support/diagram-renderers.js";

const root = join(import.meta.dirname, "..");

const work = mkdtempSync(join(tmpdir(), "xacct-diagram-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!hasChromium)("Mermaid, drawn by Mermaid in Chromium", () => {
  const { render } = mermaidPage();

  it("draws a small graph as it is, with no note", async () => {
    // GIVEN the report of seed 004 (two accounts, one chain)
    const data = loadReportData({ model: join(root, "examples", "004-emr-eks-chain", "xacct.yaml") });
    // WHEN it is written for Mermaid
    const diagram = diagramOf(data, MERMAID);
    // THEN nothing was collapsed, and Mermaid draws it with the role names
    expect(diagram.note).toBeUndefined();
    const drawn = await render(diagram.text);
    expect(drawn).toHaveProperty("svg");
    expect((drawn as { svg: string }).svg).toContain("job-execution-role-1");
  });

  it("writes the account-level view of an organization Mermaid refuses whole, and Mermaid draws that", { timeout: 180_000 }, async () => {
    // GIVEN a generated 10-account organization, more edges than Mermaid's default maxEdges
    const data = loadReportData({ inventory: generatedInventory(work, 10) });
    expect(data.edges.length).toBeGreaterThan(MERMAID_MAX_EDGES);
    // WHEN the whole graph goes to Mermaid, THEN Mermaid does not draw it (the guard is needed) …
    const whole = await render(toMermaid(data));
    expect("error" in whole || whole.svg.includes("Maximum text size in diagram exceeded")).toBe(true);
    // WHEN xacct writes it for Mermaid
    const diagram = diagramOf(data, MERMAID);
    // THEN it says it wrote the account-level view, in the text and to the caller …
    expect(diagram.note).toMatch(/too large for Mermaid.*account-level view.*--focus ARN --depth N/);
    expect(diagram.text.startsWith("%% the graph (")).toBe(true);
    // … and Mermaid draws that, one node per account, with no error
    const drawn = await render(diagram.text);
    expect(drawn).not.toHaveProperty("error");
    expect((drawn as { svg: string }).svg).not.toContain("Maximum text size");
    expect((drawn as { svg: string }).svg).toContain(data.accounts[0]!.id);
  });

  it("refuses, with how to narrow it, a graph too large even as one node per account", async () => {
    // GIVEN 600 accounts, each with a role trusted by the next account's: 600 steps between accounts
    const data: ReportData = ringOfAccounts(600);
    // WHEN it is written for Mermaid, THEN it is refused with a message naming the narrowing options
    expect(() => diagramOf(data, MERMAID)).toThrow(DiagramTooLarge);
    expect(() => diagramOf(data, MERMAID)).toThrow(/even as one node per account.*--account ID.*--focus ARN --depth N/);
  });

  it("advises narrowing further, not the options already used, for a picture narrowed already", () => {
    // GIVEN the same graph, said to be narrowed to two accounts already
    const data: ReportData = ringOfAccounts(600);
    // WHEN it is written for Mermaid, THEN the refusal says what it is narrowed to and how to narrow it further
    expect(() => diagramOf(data, MERMAID, "narrowed to --account 111111111111 222222222222")).toThrow(
      /even as one node per account.*: narrow it further than it is \(narrowed to --account 111111111111 222222222222\): a smaller --depth/,
    );
  });
});

describe.skipIf(!hasDot)("DOT, laid out by Graphviz's dot", () => {
  it("lays out a small graph as it is", () => {
    // GIVEN seed 004's report, WHEN it is written as DOT and laid out by dot
    const diagram = diagramOf(loadReportData({ model: join(root, "examples", "004-emr-eks-chain", "xacct.yaml") }), DOT);
    const laid = dot(diagram.text);
    // THEN the whole graph was written and dot draws it with the role names
    expect(diagram.note).toBeUndefined();
    expect(laid.status).toBe(0);
    // (SVG text from dot writes each hyphen as &#45;)
    expect(laid.stdout).toContain("job&#45;execution&#45;role&#45;1");
  });

  it("writes the account-level view of a graph beyond dot's practical size, and dot lays that out", { timeout: 180_000 }, () => {
    // GIVEN a generated 30-account organization: more nodes than dot lays out in seconds
    const data = loadReportData({ inventory: generatedInventory(work, 30) });
    expect(data.nodes.length).toBeGreaterThan(DOT_MAX_NODES);
    // WHEN it is written as DOT
    const diagram = diagramOf(data, DOT);
    // THEN the note says so, as a DOT comment too, and dot lays out the account-level view
    expect(diagram.note).toMatch(/too large for Graphviz dot.*account-level view/);
    expect(diagram.text.startsWith("// the graph (")).toBe(true);
    const laid = dot(diagram.text);
    expect(laid.stderr).toBe("");
    expect(laid.status).toBe(0);
    expect(laid.stdout).toMatch(/\d+ × assume&#45;role/);
  });

  it("refuses a graph too large even as one node per account", () => {
    // GIVEN 600 accounts in a ring (600 account nodes, over dot's practical size)
    // WHEN it is written as DOT, THEN it is refused
    expect(() => diagramOf(ringOfAccounts(600), DOT)).toThrow(/too large for Graphviz dot, even as one node per account/);
  });
});

describe("the account-level view", () => {
  it("stands one node for each account, named by the account root of its own partition, and counts the steps between accounts", () => {
    // GIVEN three accounts of the AWS China partition in a ring
    const view = accountView(ringOfAccounts(3, "aws-cn"));
    // THEN each account is one node whose ARN is its root in aws-cn, and each step one edge of count 1
    expect(view.nodes.map((n) => n.arn).sort()).toEqual([
      "arn:aws-cn:iam::100000000000:root",
      "arn:aws-cn:iam::100000000001:root",
      "arn:aws-cn:iam::100000000002:root",
    ]);
    expect(view.edges.map((e) => e.count)).toEqual([1, 1, 1]);
  });
});
