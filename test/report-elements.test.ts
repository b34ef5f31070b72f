/**
 * What the report page draws for its accounts (src/report/client/elements.ts, run here in Node):
 * in a large report a collapsed account's links are drawn to the accounts open, one line per pair
 * of accounts, and not to another collapsed account nor to the principals in no account; a small
 * report draws every link, merged per collapsed account and node. An open account is a frame
 * behind its members in a large report, their parent in a small one.
 */
import { describe, expect, it } from "vitest";
import { elementsOf, indexReport } from "../src/report/client/elements.js";
import type { ReportData, ReportEdge, ReportNode } from "../src/report/types.js";

const role = (account: string, name: string): ReportNode => ({
  id: `arn:aws:iam::${account}:role/${name}`,
  kind: "role",
  label: name,
  arn: `arn:aws:iam::${account}:role/${name}`,
  account,
  workloads: [],
  findings: [],
});
const anyone: ReportNode = { id: "*", kind: "anyone", label: "anyone (*)", arn: "*", workloads: [], findings: [] };
const edge = (i: number, from: ReportNode, to: ReportNode): ReportEdge => ({
  id: `e${i}`,
  kind: "assume-role",
  from: from.id,
  to: to.id,
  actions: ["sts:AssumeRole"],
  crossAccount: from.account !== to.account,
  needs: [],
  callerSide: [],
  workloads: [],
  findings: [],
});

// Account A (collapsed) has two roles that assume two roles of account B (open); C (collapsed) one
// role assumed from A; anyone may assume a role of A and one of B.
const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const [a1, a2, b1, b2, c1] = [role(A, "a1"), role(A, "a2"), role(B, "b1"), role(B, "b2"), role(C, "c1")];
const data: ReportData = {
  source: "test",
  title: "test",
  accounts: [A, B, C].map((id) => ({ id, managed: true })),
  nodes: [a1, a2, b1, b2, c1, anyone],
  edges: [edge(0, a1, b1), edge(1, a2, b2), edge(2, a1, c1), edge(3, anyone, a1), edge(4, anyone, b1), edge(5, b1, b2)],
  statements: [],
  findings: [],
};
const collapsed = new Set([A, C]);

/**
 * The lines drawn, as "source -> target (how many edges a merged one stands for)": Cytoscape's
 * edges, and a large report's lines (`merged` alone: account-lines.ts draws them), between
 * accounts and, standing for one edge (`kind`), between two nodes.
 */
const drawnLines = (built: ReturnType<typeof elementsOf>, large: boolean) =>
  [
    ...built.elements
      .filter((e) => e.group === "edges")
      .map((e) => `${String(e.data.source)} -> ${String(e.data.target)}${e.data.count ? ` (${String(e.data.count)})` : ""}`),
    ...(large ? [...built.merged.values()].map((m) => `${m.source} -> ${m.target}${m.kind ? "" : ` (${m.edges.length})`}`) : []),
  ].sort();
/** The IDs of what is drawn: Cytoscape's elements, and a large report's lines. */
const drawnIds = (built: ReturnType<typeof elementsOf>) => [...built.elements.map((e) => String(e.data.id)), ...built.merged.keys()];
const drawnEdges = (large: boolean) => drawnLines(elementsOf(data, collapsed, undefined, large), large);

describe("the report page's drawn accounts", () => {
  it("labels a collapsed account with its name and how many nodes it holds, in words that agree with the number", () => {
    // GIVEN collapsed accounts of two nodes and of one
    // WHEN the page's elements are made
    const labels = elementsOf(data, collapsed, undefined, true)
      .elements.filter((e) => String(e.data.id).startsWith("account:"))
      .map((e) => String(e.data.label));
    // THEN A says "2 nodes", C "1 node", and the open B its name alone
    expect(labels.sort()).toEqual([`${A}\n2 nodes`, B, `${C}\n1 node`].sort());
  });
});

describe("the report page's drawn links between accounts", () => {
  it("in a large report, draws a collapsed account's links to an open account as one line to that account", () => {
    // GIVEN accounts A and C collapsed and B open, in a large report
    // WHEN the page's elements are made
    const drawn = drawnEdges(true);
    // THEN A's two roles' edges into B's two roles are one line from A to B; B's own edge and anyone's
    // edge into B are drawn as they are; A's edge to C (both collapsed) and anyone's edge into A are not
    expect(drawn).toEqual([`account:${A} -> account:${B} (2)`, `* -> ${b1.id}`, `${b1.id} -> ${b2.id}`].sort());
    // AND no line is a Cytoscape element: the page draws them on a canvas of its own, B's own edge
    // and anyone's as themselves (their kind says their colour)
    const built = elementsOf(data, collapsed, undefined, true);
    expect(built.elements.filter((e) => e.group === "edges")).toEqual([]);
    expect([...built.merged.keys()].sort()).toEqual([`merged:account:${A}->account:${B}`, "e4", "e5"].sort());
    expect(built.merged.get("e5")).toMatchObject({ source: b1.id, target: b2.id, kind: "assume-role", cross: false });
    expect(built.merged.get(`merged:account:${A}->account:${B}`)?.kind).toBeUndefined();
  });

  it("draws a line between accounts dashed only when every edge it stands for is conditional", () => {
    // GIVEN A's two edges into B (the one line from A to B in a large report), one of them conditional, then both
    const conditional = (e: ReportEdge): ReportEdge => ({ ...e, needs: ["aws:PrincipalTag/team"] });
    const line = (edges: ReportEdge[]) =>
      elementsOf({ ...data, edges }, collapsed, undefined, true).merged.get(`merged:account:${A}->account:${B}`);
    const [first, second] = [edge(0, a1, b1), edge(1, a2, b2)];
    // WHEN the page's elements are made
    const mixed = line([conditional(first), second]);
    const both = line([conditional(first), conditional(second)]);
    // THEN the line of one conditional edge and one not is solid, of two conditional edges dashed; both cross accounts
    expect(mixed).toMatchObject({ conditional: false, cross: true });
    expect(both).toMatchObject({ conditional: true, cross: true });
  });

  it("in a small report, draws every link: a collapsed account's merged per node it links", () => {
    // GIVEN the same accounts in a small report
    // WHEN the page's elements are made
    const drawn = drawnEdges(false);
    // THEN each of B's roles has its line from A, A has its line to C, and anyone its lines to A and to b1
    expect(drawn).toEqual(
      [
        `account:${A} -> ${b1.id} (1)`,
        `account:${A} -> ${b2.id} (1)`,
        `account:${A} -> account:${C} (1)`,
        `* -> account:${A} (1)`,
        `* -> ${b1.id}`,
        `${b1.id} -> ${b2.id}`,
      ].sort(),
    );
  });
});

describe("the report page's open accounts", () => {
  it("draws an open account of a large report as a frame behind its members, and of a small one as their parent", () => {
    // GIVEN account B open
    const drawn = (large: boolean) => elementsOf(data, collapsed, undefined, large).elements;
    const of = (elements: ReturnType<typeof drawn>, id: string) => elements.find((e) => e.data.id === id);
    // WHEN the page's elements are made for a large report and for a small one
    const [large, small] = [drawn(true), drawn(false)];
    // THEN in the large one B is a frame, not grabbed apart from its members, and b1 names its account but no parent
    expect(String(of(large, `account:${B}`)?.classes).split(" ")).toContain("frame");
    expect(of(large, `account:${B}`)?.grabbable).toBe(false);
    expect(of(large, b1.id)?.data).toMatchObject({ account: B });
    expect(of(large, b1.id)?.data.parent).toBeUndefined();
    // AND in the small one B is b1's parent (a compound node), no frame
    expect(String(of(small, `account:${B}`)?.classes).split(" ")).not.toContain("frame");
    expect(of(small, b1.id)?.data.parent).toBe(`account:${B}`);
  });
});

describe("the report page's edges decoded later", () => {
  it("draws an edge decoded after the page first drew, the next time it draws, in a large report and a small one", () => {
    for (const large of [true, false]) {
      // GIVEN a report drawn once with account B open, before the details holding b2 -> b1 were decoded
      const later: ReportData = { ...data, edges: [...data.edges] };
      const ids = () => drawnIds(elementsOf(later, collapsed, undefined, large));
      expect(ids()).not.toContain("e6");
      // WHEN that edge is decoded (the page appends it to the report's edges) and the page draws again
      later.edges.push(edge(6, b2, b1));
      // THEN it is drawn
      expect(ids()).toContain("e6");
    }
  });

  it("finds the accounts of the edges' ends through the page's own index when it is given one, and draws the same", () => {
    for (const large of [true, false]) {
      // GIVEN a report whose page indexes it with its own lookup of a node's account, counting the calls
      const indexed: ReportData = { ...data, edges: data.edges.slice(0, 3) };
      const byId = new Map(data.nodes.map((n) => [n.id, n.account]));
      let asked = 0;
      indexReport(indexed, (id) => (asked++, byId.get(id)));
      // WHEN the rest of its edges are decoded, indexed as decoded, and then drawn
      indexed.edges.push(...data.edges.slice(3));
      indexReport(indexed);
      const drawn = drawnLines(elementsOf(indexed, collapsed, undefined, large), large);
      // THEN every edge's ends were looked up there, and the drawing is the one made without that index
      expect(asked).toBeGreaterThanOrEqual(2 * data.edges.length);
      expect(drawn).toEqual(drawnEdges(large));
    }
  });

  it("draws the links of an account opened after the page first drew, and not those of the account closed", () => {
    // GIVEN a large report drawn with B open, then with A open and B collapsed
    const first = drawnEdges(true);
    const opened = drawnLines(elementsOf(data, new Set([B, C]), undefined, true), true).map((line) => line.replace(/ \(\d+\)$/, ""));
    // THEN the first drawing links B's roles, the second A's: one line from A to each collapsed
    // account it links (B, C), and anyone's to a1 (A is open now)
    expect(first).toContain(`${b1.id} -> ${b2.id}`);
    expect(opened).toEqual([`account:${A} -> account:${B}`, `account:${A} -> account:${C}`, `* -> ${a1.id}`].sort());
  });
});
